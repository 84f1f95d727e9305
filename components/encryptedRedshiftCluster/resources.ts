/**
 * The resources of an EncryptedRedshiftCluster, created under a component: the one recipe shared by
 * the TypeScript class and the class served to every other language by the component package.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  DEFAULT_DELETION_WINDOW_IN_DAYS,
  DEFAULT_MASTER_USERNAME,
  DEFAULT_ROTATION_PERIOD_IN_DAYS,
  ROTATABLE_KEY_SPEC,
  ROTATABLE_KEY_USAGE,
} from "../../facts";
import { RedshiftKeyRotation } from "../../providers/redshiftKeyRotation";
import {
  COMPONENT_ARGUMENTS,
  COMPONENT_OWNED_CLUSTER_FIELDS,
  type ComponentOwnedClusterField,
  type EncryptedRedshiftClusterArgs,
} from "./args";
import { redshiftClusterKeyPolicy } from "./keyPolicy";
import { CheckedArguments } from "./validation";

/**
 * The arguments as either class hands them over: the TypeScript class's, and the component package's
 * (every language's), which may also carry the owned cluster fields (refused unless harmless).
 */
type ArgumentsAsGiven = EncryptedRedshiftClusterArgs &
  Partial<Pick<aws.redshift.ClusterArgs, ComponentOwnedClusterField>>;

/** What either class exposes: the resources created and the values read from them. */
export interface EncryptedRedshiftClusterResources {
  key: aws.kms.Key | undefined;
  alias: aws.kms.Alias | undefined;
  cluster: aws.redshift.Cluster;
  keyRotation: RedshiftKeyRotation | undefined;
  keyArn: pulumi.Output<string>;
  clusterIdentifier: pulumi.Output<string>;
  endpoint: pulumi.Output<string>;
  aliasName: pulumi.Output<string> | undefined;
  keyRotationId: pulumi.Output<string> | undefined;
  /** What the component registers as its outputs. */
  registeredOutputs: pulumi.Inputs;
}

/**
 * Creates the key (unless one is brought), its alias, the cluster and the rotation under `component`.
 * `checked` are the arguments after `checkedArguments` (which has refused anything bad already known).
 */
export function createEncryptedRedshiftClusterResources(
  component: pulumi.ComponentResource,
  name: string,
  args: ArgumentsAsGiven,
  checked: CheckedArguments,
): EncryptedRedshiftClusterResources {
  // The owned fields are taken out too: the checks refused them unless they equal what is set below.
  const clusterArgs = withoutArguments(args, [...COMPONENT_ARGUMENTS, ...COMPONENT_OWNED_CLUSTER_FIELDS]);
  const { keyDescription, kmsKeyArn, retainKeyOnDelete, rotateOnKeyChange, rotation } = args;
  const { masterUsername, manageMasterPassword } = args;
  const { region, tags } = clusterArgs;
  const clusterIdentifier = checked.clusterIdentifier;

  const childOptions: pulumi.CustomResourceOptions = { parent: component };
  // Invokes parented to the component use the same provider as its children, so these facts
  // (region, account, partition) are the ones of the account and region the cluster lands in.
  const invokeOptions: pulumi.InvokeOutputOptions = { parent: component };
  // getRegion with the cluster's own region override (aws 7 per-resource region) answers that region.
  const clusterRegion = aws.getRegionOutput({ region }, invokeOptions).region;

  let key: aws.kms.Key | undefined;
  let alias: aws.kms.Alias | undefined;
  let keyArn: pulumi.Output<string>;
  if (kmsKeyArn !== undefined) {
    keyArn = pulumi.output(checked.kmsKeyArn as pulumi.Input<string>);
  } else {
    const callerIdentity = aws.getCallerIdentityOutput({}, invokeOptions);
    const partition = aws.getPartitionOutput({}, invokeOptions);
    const policy = pulumi
      .all([partition.partition, partition.dnsSuffix, callerIdentity.accountId, clusterRegion])
      .apply(([partitionName, dnsSuffix, accountId, resolvedRegion]) =>
        JSON.stringify(
          redshiftClusterKeyPolicy({ partition: partitionName, dnsSuffix, accountId, region: resolvedRegion }),
        ),
      );

    key = new aws.kms.Key(
      `${name}-key`,
      {
        description:
          keyDescription ??
          pulumi.interpolate`Encrypts Amazon Redshift cluster ${clusterIdentifier} (managed by keyguard)`,
        keyUsage: ROTATABLE_KEY_USAGE,
        customerMasterKeySpec: ROTATABLE_KEY_SPEC,
        // Rotation is the point of this component: not an argument.
        enableKeyRotation: true,
        rotationPeriodInDays: checked.rotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_IN_DAYS,
        deletionWindowInDays: checked.deletionWindowInDays ?? DEFAULT_DELETION_WINDOW_IN_DAYS,
        policy,
        region,
        tags,
      },
      // Snapshots of the cluster (the final one included) are encrypted with this key and die with
      // it: unless they are skipped, deleting the component leaves the key (an Output
      // skipFinalSnapshot cannot be read here, so it keeps the key too).
      { ...childOptions, retainOnDelete: retainKeyOnDelete ?? clusterArgs.skipFinalSnapshot !== true },
    );
    alias = new aws.kms.Alias(
      `${name}-alias`,
      { name: checked.aliasName ?? pulumi.interpolate`alias/${clusterIdentifier}`, targetKeyId: key.keyId, region },
      childOptions,
    );
    keyArn = key.arn;
  }

  const cluster = new aws.redshift.Cluster(
    `${name}-cluster`,
    {
      ...clusterArgs,
      clusterIdentifier,
      masterUsername:
        masterUsername === undefined &&
        clusterArgs.snapshotIdentifier === undefined &&
        clusterArgs.snapshotArn === undefined
          ? DEFAULT_MASTER_USERNAME
          : checked.masterUsername,
      encrypted: "true",
      kmsKeyId: keyArn,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      // Redshift refuses a password together with manageMasterPassword: send the flag with a password
      // only when given (false, or an Output the checks refuse once it resolves to true).
      ...(checked.masterPassword !== undefined
        ? {
            masterPassword: checked.masterPassword,
            ...(manageMasterPassword !== undefined ? { manageMasterPassword: checked.manageMasterPassword } : {}),
          }
        : { manageMasterPassword: manageMasterPassword ?? true }),
    },
    childOptions,
  );

  let keyRotation: RedshiftKeyRotation | undefined;
  if (rotateOnKeyChange ?? true) {
    const settings = rotation ?? {};
    keyRotation = new RedshiftKeyRotation(
      `${name}-key-rotation`,
      {
        clusterIdentifier: cluster.clusterIdentifier,
        kmsKeyId: keyArn,
        region: settings.region ?? clusterRegion,
        triggers: settings.triggers,
        followKeyMaterialRotations: settings.followKeyMaterialRotations,
        timeoutMinutes: settings.timeoutMinutes,
        profile: settings.profile,
        roleArn: settings.roleArn,
        redshiftEndpoint: settings.redshiftEndpoint,
        kmsEndpoint: settings.kmsEndpoint,
      },
      // The cluster must exist (and be available) before it can be re-keyed.
      { parent: component, dependsOn: [cluster] },
    );
  }

  const values = {
    keyArn,
    clusterIdentifier: cluster.clusterIdentifier,
    endpoint: cluster.endpoint,
    aliasName: alias?.name,
    keyRotationId: keyRotation?.id,
  };
  return { key, alias, cluster, keyRotation, ...values, registeredOutputs: values };
}

/** The arguments without `names`: what passes through to aws.redshift.Cluster. */
function withoutArguments<Name extends keyof ArgumentsAsGiven>(
  args: ArgumentsAsGiven,
  names: readonly Name[],
): Omit<ArgumentsAsGiven, Name> {
  const rest: Partial<ArgumentsAsGiven> = { ...args };
  for (const name of names) delete rest[name];
  return rest as Omit<ArgumentsAsGiven, Name>;
}
