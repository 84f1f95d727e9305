/**
 * EncryptedRedshiftCluster: an Amazon Redshift cluster encrypted under a dedicated, rotating KMS key,
 * with the secure settings as the only settings.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  DEFAULT_DELETION_WINDOW_IN_DAYS,
  DEFAULT_MASTER_USERNAME,
  DEFAULT_ROTATION_PERIOD_IN_DAYS,
  RESOURCE_TYPES,
  ROTATABLE_KEY_SPEC,
  ROTATABLE_KEY_USAGE,
  aliasNameProblem,
  clusterIdentifierProblem,
  deletionWindowProblem,
  keyArnProblem,
  masterUsernameProblem,
  rotationPeriodProblem,
} from "../../facts";
import { RedshiftKeyRotation } from "../../providers/redshiftKeyRotation";
import { COMPONENT_OWNED_CLUSTER_FIELDS, EncryptedRedshiftClusterArgs } from "./args";
import { redshiftClusterKeyPolicy } from "./keyPolicy";
import { checkedWhenKnown, secretMasterPassword, validateEncryptedRedshiftClusterArgs } from "./validation";

export * from "./args";
export { EncryptedRedshiftClusterArgumentError, argumentProblems } from "./validation";
export { redshiftClusterKeyPolicy, REDSHIFT_KEY_USAGE_ACTIONS } from "./keyPolicy";
export type { KeyPolicyContext } from "./keyPolicy";

/** Arguments handled by the component itself, never passed to aws.redshift.Cluster as they are. */
const COMPONENT_ARGUMENTS = [
  "rotationPeriodInDays",
  "deletionWindowInDays",
  "keyDescription",
  "aliasName",
  "kmsKeyArn",
  "retainKeyOnDelete",
  "rotateOnKeyChange",
  "rotation",
  "masterPassword",
  "manageMasterPassword",
  ...COMPONENT_OWNED_CLUSTER_FIELDS,
] as const;

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
    validateEncryptedRedshiftClusterArgs(name, args);
    super(RESOURCE_TYPES.encryptedRedshiftCluster, name, {}, opts);

    const checked = <T>(argument: keyof EncryptedRedshiftClusterArgs, problemOf: (value: unknown) => string | undefined) =>
      checkedWhenKnown<T>(name, argument, args[argument] as pulumi.Input<T>, problemOf);

    const clusterIdentifier = checked<string>("clusterIdentifier", clusterIdentifierProblem);
    const region = args.region;
    const childOptions: pulumi.CustomResourceOptions = { parent: this };
    // Invokes parented to the component use the same provider as its children, so these facts
    // (region, account, partition) are the ones of the account and region the cluster lands in.
    const invokeOptions: pulumi.InvokeOutputOptions = { parent: this };
    // getRegion with the cluster's own region override (aws 7 per-resource region) answers that region.
    const clusterRegion = aws.getRegionOutput({ region }, invokeOptions).region;

    if (args.kmsKeyArn !== undefined) {
      this.key = undefined;
      this.alias = undefined;
      this.keyArn = pulumi.output(checked<string>("kmsKeyArn", keyArnProblem));
    } else {
      const callerIdentity = aws.getCallerIdentityOutput({}, invokeOptions);
      const partition = aws.getPartitionOutput({}, invokeOptions);
      const policy = pulumi
        .all([partition.partition, partition.dnsSuffix, callerIdentity.accountId, clusterRegion])
        .apply(([partitionName, dnsSuffix, accountId, resolvedRegion]) =>
          JSON.stringify(redshiftClusterKeyPolicy({ partition: partitionName, dnsSuffix, accountId, region: resolvedRegion })),
        );

      this.key = new aws.kms.Key(
        `${name}-key`,
        {
          description:
            args.keyDescription ?? pulumi.interpolate`Encrypts Amazon Redshift cluster ${clusterIdentifier} (managed by keyguard)`,
          keyUsage: ROTATABLE_KEY_USAGE,
          customerMasterKeySpec: ROTATABLE_KEY_SPEC,
          // Rotation is the point of this component: not an argument.
          enableKeyRotation: true,
          rotationPeriodInDays: checked<number>("rotationPeriodInDays", rotationPeriodProblem) ?? DEFAULT_ROTATION_PERIOD_IN_DAYS,
          deletionWindowInDays: checked<number>("deletionWindowInDays", deletionWindowProblem) ?? DEFAULT_DELETION_WINDOW_IN_DAYS,
          policy,
          region,
          tags: args.tags,
        },
        // Snapshots of the cluster (the final one included) are encrypted with this key and die with
        // it: unless they are skipped, deleting the component leaves the key (an Output
        // skipFinalSnapshot cannot be read here, so it keeps the key too).
        { ...childOptions, retainOnDelete: args.retainKeyOnDelete ?? args.skipFinalSnapshot !== true },
      );
      this.alias = new aws.kms.Alias(
        `${name}-alias`,
        {
          name: checked<string>("aliasName", aliasNameProblem) ?? pulumi.interpolate`alias/${clusterIdentifier}`,
          targetKeyId: this.key.keyId,
          region,
        },
        childOptions,
      );
      this.keyArn = this.key.arn;
    }

    const passThrough: Record<string, unknown> = { ...args };
    for (const argument of COMPONENT_ARGUMENTS) delete passThrough[argument];
    const passwordGiven = args.masterPassword !== undefined && args.masterPassword !== null;

    this.cluster = new aws.redshift.Cluster(
      `${name}-cluster`,
      {
        ...(passThrough as unknown as aws.redshift.ClusterArgs),
        clusterIdentifier,
        masterUsername:
          args.masterUsername === undefined && args.snapshotIdentifier === undefined && args.snapshotArn === undefined
            ? DEFAULT_MASTER_USERNAME
            : checked<string>("masterUsername", masterUsernameProblem),
        encrypted: "true",
        kmsKeyId: this.keyArn,
        publiclyAccessible: false,
        enhancedVpcRouting: true,
        ...(passwordGiven
          ? {
              masterPassword: secretMasterPassword(name, pulumi.output(args.masterPassword as pulumi.Input<string>)),
              // A plain true was refused at construction; an Output is checked when it resolves.
              ...(args.manageMasterPassword !== undefined
                ? {
                    manageMasterPassword: checkedWhenKnown(name, "manageMasterPassword", args.manageMasterPassword, (value) =>
                      value === true ? "got true together with masterPassword; allowed is one of them" : undefined,
                    ),
                  }
                : {}),
            }
          : { manageMasterPassword: args.manageMasterPassword ?? true }),
      },
      childOptions,
    );

    if (args.rotateOnKeyChange ?? true) {
      const rotation = args.rotation ?? {};
      this.keyRotation = new RedshiftKeyRotation(
        `${name}-key-rotation`,
        {
          clusterIdentifier: this.cluster.clusterIdentifier,
          kmsKeyId: this.keyArn,
          region: rotation.region ?? clusterRegion,
          triggers: rotation.triggers,
          followKeyMaterialRotations: rotation.followKeyMaterialRotations,
          timeoutMinutes: rotation.timeoutMinutes,
          profile: rotation.profile,
          roleArn: rotation.roleArn,
          redshiftEndpoint: rotation.redshiftEndpoint,
          kmsEndpoint: rotation.kmsEndpoint,
        },
        // The cluster must exist (and be available) before it can be re-keyed.
        { parent: this, dependsOn: [this.cluster] },
      );
    } else {
      this.keyRotation = undefined;
    }

    this.clusterIdentifier = this.cluster.clusterIdentifier;
    this.endpoint = this.cluster.endpoint;
    this.registerOutputs({
      keyArn: this.keyArn,
      clusterIdentifier: this.clusterIdentifier,
      endpoint: this.endpoint,
      aliasName: this.alias?.name,
      keyRotationId: this.keyRotation?.id,
    });
  }
}
