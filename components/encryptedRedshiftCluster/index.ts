/**
 * EncryptedRedshiftCluster: an Amazon Redshift cluster encrypted under a dedicated, rotating KMS key,
 * with the secure settings as the only settings.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RESOURCE_TYPES } from "../../facts";
import { RedshiftKeyRotation } from "../../providers/redshiftKeyRotation";
import { EncryptedRedshiftClusterArgs } from "./args";
import { createEncryptedRedshiftClusterResources } from "./resources";
import { checkedArguments } from "./validation";

export * from "./args";
export { EncryptedRedshiftClusterArgumentError, argumentProblems } from "./validation";
export { redshiftClusterKeyPolicy, REDSHIFT_KEY_USAGE_ACTIONS } from "./keyPolicy";
export type { KeyPolicyContext } from "./keyPolicy";

export class EncryptedRedshiftCluster extends pulumi.ComponentResource {
  /** The key the component created; undefined in bring-your-own-key mode (`kmsKeyArn`). */
  public readonly key: aws.kms.Key | undefined;
  /** The alias of the created key; undefined in bring-your-own-key mode. */
  public readonly alias: aws.kms.Alias | undefined;
  /** The encrypted cluster. */
  public readonly cluster: aws.redshift.Cluster;
  /** The RedshiftKeyRotation bound to the cluster; undefined when `rotateOnKeyChange` is false. */
  public readonly keyRotation: RedshiftKeyRotation | undefined;
  /** ARN of the key the cluster is encrypted with (created, or `kmsKeyArn`). */
  public readonly keyArn: pulumi.Output<string>;
  /** The cluster's identifier, as Redshift reports it. */
  public readonly clusterIdentifier: pulumi.Output<string>;
  /** The cluster's endpoint ("<host>:<port>"). */
  public readonly endpoint: pulumi.Output<string>;

  constructor(name: string, args: EncryptedRedshiftClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    // Before super(): a bad argument must stop construction before anything, the component
    // included, is registered with the engine.
    const checked = checkedArguments(name, args);
    super(RESOURCE_TYPES.encryptedRedshiftCluster, name, {}, opts);
    const created = createEncryptedRedshiftClusterResources(this, name, args, checked);
    this.key = created.key;
    this.alias = created.alias;
    this.cluster = created.cluster;
    this.keyRotation = created.keyRotation;
    this.keyArn = created.keyArn;
    this.clusterIdentifier = created.clusterIdentifier;
    this.endpoint = created.endpoint;
    this.registerOutputs(created.registeredOutputs);
  }
}
