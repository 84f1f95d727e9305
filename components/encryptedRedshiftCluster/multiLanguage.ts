/**
 * EncryptedRedshiftCluster as the component package (components/plugin) serves it to Python, Go, C#,
 * Java, YAML and TypeScript programs: the same checks and the same resources as the TypeScript class
 * (./index.ts, built by the same function, ./resources.ts), with arguments Pulumi's schema inference
 * accepts (`@pulumi/pulumi/provider/experimental`): an interface, no union types, resource references
 * only to Pulumi-authored packages. Every field's doc comment becomes its description in the schema,
 * default included.
 *
 * Why two declarations share the TypeScript class's names: the schema takes its names from this
 * file's declarations. The class's name is the last part of the resource's type token
 * (keyguard:index:EncryptedRedshiftCluster, ENCRYPTED_REDSHIFT_CLUSTER_PACKAGE_TYPE) and the class
 * every language's SDK generates; KeyRotationSettings's name is the type token
 * keyguard:index:KeyRotationSettings (Python's KeyRotationSettingsArgs). Renaming either here renames
 * them for every consumer. The arguments interface gives the schema no name, so it says what it is.
 * Nothing in TypeScript imports this module but components/plugin, so the names never meet.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENCRYPTED_REDSHIFT_CLUSTER_PACKAGE_TYPE, RESOURCE_TYPES } from "../../facts";
import * as typescriptArgs from "./args";
import { createEncryptedRedshiftClusterResources } from "./resources";
import { checkedArguments } from "./validation";

/** Settings of the RedshiftKeyRotation resource the component creates when `rotateOnKeyChange` is on. */
export interface KeyRotationSettings extends typescriptArgs.KeyRotationConnectionSettings {
  /**
   * Extra values whose change triggers a rotation, on top of the key ARN: each a string, a number or
   * a boolean (RedshiftKeyRotation refuses anything else). Default: none.
   */
  // A schema cannot say "string, number or boolean"; any value reaches RedshiftKeyRotation's own check.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  triggers?: pulumi.Input<Record<string, any>>;
}

/**
 * Arguments of EncryptedRedshiftCluster: its own, and every aws.redshift.Cluster argument, passed
 * through unchanged except the few the component sets itself (documented below; a schema cannot leave
 * an inherited field out as TypeScript's Omit does, so they are listed, and refused when they would
 * weaken the cluster).
 *
 * Plain values are checked when the component is constructed, before any resource is registered;
 * values not known yet are checked when they resolve, and a bad one fails the child that needs it.
 */
export interface EncryptedRedshiftClusterPackageArgs
  extends typescriptArgs.EncryptedRedshiftClusterOwnArgs, aws.redshift.ClusterArgs {
  /** Settings of the RedshiftKeyRotation resource (ignored when `rotateOnKeyChange` is false). Default: its own defaults. */
  rotation?: KeyRotationSettings;
  /** Set by the component: always "true". Leave it out ("true" itself is accepted). */
  encrypted?: pulumi.Input<string>;
  /** Set by the component to its key, or to `kmsKeyArn`: leave it out, and pass `kmsKeyArn` to bring your own key. */
  kmsKeyId?: pulumi.Input<string>;
  /** Set by the component: always false (the cluster stays private). Leave it out (false itself is accepted). */
  publiclyAccessible?: pulumi.Input<boolean>;
  /** Set by the component: always true (COPY/UNLOAD traffic stays in the VPC). Leave it out (true itself is accepted). */
  enhancedVpcRouting?: pulumi.Input<boolean>;
  /** Not supported: refused. Give a secret `masterPassword`, or let Redshift manage the password (the default). */
  masterPasswordWo?: pulumi.Input<string>;
  /** Not supported: refused, as `masterPasswordWo`. */
  masterPasswordWoVersion?: pulumi.Input<number>;
}

/**
 * An Amazon Redshift cluster encrypted under a dedicated KMS key that rotates (every 365 days unless
 * told otherwise), private, with COPY/UNLOAD traffic kept in the VPC, and re-keyed with
 * RotateEncryptionKey when its key changes.
 */
export class EncryptedRedshiftCluster extends pulumi.ComponentResource {
  /** The key the component created; absent in bring-your-own-key mode (`kmsKeyArn`). */
  public readonly key?: aws.kms.Key;
  /** The alias of the created key; absent in bring-your-own-key mode. */
  public readonly alias?: aws.kms.Alias;
  /** The encrypted cluster. */
  public readonly cluster: aws.redshift.Cluster;
  /** ARN of the key the cluster is encrypted with (created, or `kmsKeyArn`). */
  public readonly keyArn: pulumi.Output<string>;
  /** The cluster's identifier, as Redshift reports it. */
  public readonly clusterIdentifier: pulumi.Output<string>;
  /** The cluster's endpoint ("<host>:<port>"). */
  public readonly endpoint: pulumi.Output<string>;
  /** Name of the created key's alias; absent in bring-your-own-key mode. */
  public readonly aliasName?: pulumi.Output<string>;
  /** Id of the RedshiftKeyRotation resource; absent when `rotateOnKeyChange` is false. */
  public readonly keyRotationId?: pulumi.Output<string>;

  constructor(name: string, args: EncryptedRedshiftClusterPackageArgs, opts?: pulumi.ComponentResourceOptions) {
    // Before super(): a bad argument stops construction before anything is registered.
    const checked = checkedArguments(name, args);
    // The alias keeps a stack that used the TypeScript class (its token) from replacing the component,
    // and, through the parent, its children, when it moves to this package.
    super(
      ENCRYPTED_REDSHIFT_CLUSTER_PACKAGE_TYPE,
      name,
      {},
      { ...opts, aliases: [...(opts?.aliases ?? []), { type: RESOURCE_TYPES.encryptedRedshiftCluster }] },
    );
    const created = createEncryptedRedshiftClusterResources(this, name, args, checked);
    this.key = created.key;
    this.alias = created.alias;
    this.cluster = created.cluster;
    this.keyArn = created.keyArn;
    this.clusterIdentifier = created.clusterIdentifier;
    this.endpoint = created.endpoint;
    this.aliasName = created.aliasName;
    this.keyRotationId = created.keyRotationId;
    this.registerOutputs(created.registeredOutputs);
  }
}
