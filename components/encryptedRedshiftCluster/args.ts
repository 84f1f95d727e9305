/**
 * The arguments of EncryptedRedshiftCluster: every field documented with its default.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * Cluster arguments the component owns, because they decide how the cluster is encrypted or
 * exposed: the type leaves them out, and the constructor refuses them from JavaScript callers
 * (unless the value equals what the component sets anyway).
 * - `encrypted`: always "true".
 * - `kmsKeyId`: always the component's key (or `kmsKeyArn` in bring-your-own-key mode).
 * - `publiclyAccessible`: always false.
 * - `enhancedVpcRouting`: always true (COPY/UNLOAD traffic stays in the VPC).
 * - `masterPasswordWo` / `masterPasswordWoVersion`: not supported; use a secret `masterPassword`
 *   or let Redshift manage the password (`manageMasterPassword`, the default).
 */
export const COMPONENT_OWNED_CLUSTER_FIELDS = [
  "encrypted",
  "kmsKeyId",
  "publiclyAccessible",
  "enhancedVpcRouting",
  "masterPasswordWo",
  "masterPasswordWoVersion",
] as const;
export type ComponentOwnedClusterField = (typeof COMPONENT_OWNED_CLUSTER_FIELDS)[number];

/** The values the component gives the owned fields; a JavaScript caller passing the same value is accepted. */
export const ENFORCED_CLUSTER_SETTINGS = {
  encrypted: "true",
  publiclyAccessible: false,
  enhancedVpcRouting: true,
} as const;

/**
 * Every `aws.redshift.Cluster` argument except the owned ones, passed through unchanged:
 * `clusterIdentifier` and `nodeType` (required), `numberOfNodes`, `databaseName`, `masterUsername`,
 * `clusterSubnetGroupName`, `vpcSecurityGroupIds`, `iamRoles`, `clusterParameterGroupName`,
 * `automatedSnapshotRetentionPeriod`, `skipFinalSnapshot`, `finalSnapshotIdentifier`,
 * `preferredMaintenanceWindow`, `tags`, `region`, ... with @pulumi/aws's own defaults.
 */
export type PassThroughClusterArgs = Omit<aws.redshift.ClusterArgs, ComponentOwnedClusterField>;

/**
 * Settings handed to the RedshiftKeyRotation resource when `rotateOnKeyChange` is on, except
 * `triggers`, whose TypeScript type (a union of value types) a multi-language schema cannot carry.
 */
export interface KeyRotationConnectionSettings {
  /** Region of the cluster and key for the rotation's AWS calls. Default: the cluster's region (its `region` argument, else the AWS provider's region). */
  region?: pulumi.Input<string>;
  /** Minutes to wait for the cluster to leave `rotating-keys`. Default: the RedshiftKeyRotation default. */
  timeoutMinutes?: pulumi.Input<number>;
  /** Also rotate the cluster when KMS rotated the key material (seen through ListKeyRotations). Default: the RedshiftKeyRotation default. */
  followKeyMaterialRotations?: pulumi.Input<boolean>;
  /** Named AWS profile for the rotation's AWS calls. Default: none (the SDK's default credential chain). */
  profile?: pulumi.Input<string>;
  /** Role to assume for the rotation's AWS calls. Default: none. */
  roleArn?: pulumi.Input<string>;
  /** Redshift endpoint override (tests, VPC endpoints). Default: none (the public regional endpoint). */
  redshiftEndpoint?: pulumi.Input<string>;
  /** KMS endpoint override (tests, VPC endpoints). Default: none (the public regional endpoint). */
  kmsEndpoint?: pulumi.Input<string>;
}

/** Settings handed to the RedshiftKeyRotation resource when `rotateOnKeyChange` is on. */
export interface KeyRotationSettings extends KeyRotationConnectionSettings {
  /** Extra values whose change triggers a rotation, on top of the key ARN. Default: none. */
  triggers?: pulumi.Input<Record<string, pulumi.Input<string | number | boolean>>>;
}

/**
 * The arguments EncryptedRedshiftCluster handles itself (and the cluster arguments it documents
 * itself), in every language: the TypeScript class and the component package both take them. Where a
 * field is also an aws.redshift.Cluster argument its type is the same, so an interface can extend both.
 */
export interface EncryptedRedshiftClusterOwnArgs {
  /**
   * Identifier of the cluster: 1 to 63 lowercase letters, digits and hyphens, starting with a
   * letter, no two consecutive hyphens, not ending with a hyphen. Required: no default.
   */
  clusterIdentifier: pulumi.Input<string>;
  /** Redshift node type, for example "ra3.xlplus" or "ra3.4xlarge". Required: no default. */
  nodeType: pulumi.Input<string>;
  /**
   * Days between automatic rotations of the key created by the component: a whole number from
   * 90 to 2560. Default: 365. Not allowed together with `kmsKeyArn` (the component cannot set the
   * rotation of a key it does not create).
   */
  rotationPeriodInDays?: pulumi.Input<number>;
  /**
   * Days KMS waits before deleting the key after the stack stops managing it: 7 to 30.
   * Default: 30. Not allowed together with `kmsKeyArn`.
   */
  deletionWindowInDays?: pulumi.Input<number>;
  /** Description of the key. Default: "Encrypts Amazon Redshift cluster <clusterIdentifier> (managed by keyguard)". */
  keyDescription?: pulumi.Input<string>;
  /**
   * Name of the alias created for the key: "alias/" then letters, digits, "/", "_" or "-",
   * not under "alias/aws/". Default: "alias/<clusterIdentifier>". Not allowed with `kmsKeyArn`.
   */
  aliasName?: pulumi.Input<string>;
  /**
   * Keep the created key when the component is deleted (`pulumi destroy`, or removed from the
   * program) instead of scheduling its deletion: the final snapshot and any manual snapshot are
   * encrypted with it and cannot be restored once it is gone. Default: true, unless
   * `skipFinalSnapshot` is true. Not allowed with `kmsKeyArn` (no key is created).
   */
  retainKeyOnDelete?: boolean;
  /**
   * Bring your own key: the ARN of an existing symmetric KMS key (for example in a security
   * account). The component then creates no key and no alias, and its `key` and `alias` outputs
   * are undefined. Default: none (the component creates a dedicated rotating key).
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Name of the admin user: 1 to 128 lowercase letters, digits, '_', '+', '.', '@' or '-', starting
   * with a letter, not PUBLIC or a reserved word. Default: "awsuser" (the Redshift console's default),
   * except when restoring from `snapshotIdentifier`/`snapshotArn` (the snapshot's user then).
   */
  masterUsername?: pulumi.Input<string | undefined>;
  /**
   * Let Redshift generate the admin password and keep it in AWS Secrets Manager.
   * Default: true unless `masterPassword` is given; true together with `masterPassword` is an error.
   */
  manageMasterPassword?: pulumi.Input<boolean | undefined>;
  /**
   * Admin password, only as a Pulumi secret (`config.requireSecret(...)`, `pulumi.secret(...)`):
   * a plain string is refused. Default: none (Redshift manages the password).
   */
  masterPassword?: pulumi.Input<string | undefined>;
  /**
   * Run RedshiftKeyRotation on the cluster so that when the key changes (a new key ARN, or new key
   * material when `rotation.followKeyMaterialRotations` is on) Redshift re-encrypts the cluster's
   * key hierarchy with RotateEncryptionKey. Default: true.
   */
  rotateOnKeyChange?: boolean;
}

/**
 * Arguments of EncryptedRedshiftCluster.
 *
 * Plain values are checked when the component is constructed, before any resource is registered.
 * Values that are Outputs (or Promises) are not known yet at that moment: they are checked when
 * they resolve, and a bad one fails the registration of the child that needs it, with the same
 * message. During a preview, values unknown until deployment cannot be checked at all.
 */
export interface EncryptedRedshiftClusterArgs extends PassThroughClusterArgs, EncryptedRedshiftClusterOwnArgs {
  /** Settings of the RedshiftKeyRotation resource (ignored when `rotateOnKeyChange` is false). Default: its own defaults. */
  rotation?: KeyRotationSettings;
}

/**
 * The component's own arguments, taken out before the rest passes to aws.redshift.Cluster unchanged:
 * those only the component reads, and the cluster arguments it passes on only after its checks and
 * defaults (clusterIdentifier, masterUsername, manageMasterPassword, masterPassword). nodeType,
 * documented with them, passes through as given.
 */
export const COMPONENT_ARGUMENTS = [
  "clusterIdentifier",
  "rotationPeriodInDays",
  "deletionWindowInDays",
  "keyDescription",
  "aliasName",
  "retainKeyOnDelete",
  "kmsKeyArn",
  "masterUsername",
  "manageMasterPassword",
  "masterPassword",
  "rotateOnKeyChange",
  "rotation",
] as const satisfies readonly (keyof EncryptedRedshiftClusterArgs)[];
export type ComponentArgument = (typeof COMPONENT_ARGUMENTS)[number];

// Compile-time check that every own argument but nodeType is listed: one left out would reach
// aws.redshift.Cluster as an input the cluster does not have.
type UnlistedOwnArgument = Exclude<keyof EncryptedRedshiftClusterOwnArgs | "rotation", ComponentArgument | "nodeType">;
const _everyOwnArgumentListed: [UnlistedOwnArgument] extends [never] ? true : UnlistedOwnArgument = true;
