/**
 * Type tokens and wire values of the Pulumi and @pulumi/aws interfaces keyguard reads, written once.
 */

/** Resource types the pack and the gate understand. */
export const RESOURCE_TYPES = {
  kmsKey: "aws:kms/key:Key",
  kmsReplicaKey: "aws:kms/replicaKey:ReplicaKey",
  kmsExternalKey: "aws:kms/externalKey:ExternalKey",
  /** A Multi-Region replica of an external key: its material is imported too (@pulumi/aws kms/replicaExternalKey). */
  kmsReplicaExternalKey: "aws:kms/replicaExternalKey:ReplicaExternalKey",
  kmsAlias: "aws:kms/alias:Alias",
  redshiftCluster: "aws:redshift/cluster:Cluster",
  redshiftServerlessNamespace: "aws:redshiftserverless/namespace:Namespace",
  nativeKmsKey: "aws-native:kms:Key",
  nativeKmsAlias: "aws-native:kms:Alias",
  nativeRedshiftCluster: "aws-native:redshift:Cluster",
  encryptedRedshiftCluster: "keyguard:redshift:EncryptedCluster",
  redshiftKeyRotation: "pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation",
  /** The stack itself: every stack's state holds it, as the root of the resource tree. */
  pulumiStack: "pulumi:pulumi:Stack",
  /** `new pulumi.StackReference(name)`: reads another stack's outputs; its `outputs` hold them. */
  stackReference: "pulumi:pulumi:StackReference",
} as const;

/**
 * EncryptedRedshiftCluster's type token in the component package (components/plugin), served to every
 * language: Pulumi's component providers allow only the `index` module, and the last part must be the
 * class name. It aliases RESOURCE_TYPES.encryptedRedshiftCluster, the TypeScript class's token.
 */
export const ENCRYPTED_REDSHIFT_CLUSTER_PACKAGE_TYPE = "keyguard:index:EncryptedRedshiftCluster";

/** The module and type passed to pulumi.dynamic.Resource so the token is `pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation`. */
export const REDSHIFT_KEY_ROTATION_MODULE = "keyguard";
export const REDSHIFT_KEY_ROTATION_TYPE = "RedshiftKeyRotation";

/** Sentinels the engine sends for values unknown during preview (sdk/go/common/resource/plugin/rpc.go). */
export const UNKNOWN_STRING_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const UNKNOWN_BOOLEAN_SENTINEL = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7";
export const UNKNOWN_NUMBER_SENTINEL = "3eeb2bf0-c639-47a8-9e75-3b44932eb421";
/** The special-signature key and values of secrets and other special objects on the wire. */
export const SPECIAL_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
/** A resource reference (`{ sig, urn, id?, packageVersion? }`) on the SDK's wire (sdk/go/common/resource/sig). */
export const RESOURCE_REFERENCE_SIGNATURE = "5cf8f73096256a8f31e491e813e4eb8e";

/**
 * A secret in its signed form: `value` on the engine's wire, `plaintext` (JSON text) or `ciphertext`
 * in a stack's state.
 */
export interface WireSecret {
  [SPECIAL_SIGNATURE_KEY]: typeof SECRET_SIGNATURE;
  value?: unknown;
  plaintext?: unknown;
  ciphertext?: unknown;
}

/** True when a value is a secret in its signed form (wire or state). */
export function isWireSecret(value: unknown): value is WireSecret {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SPECIAL_SIGNATURE_KEY] === SECRET_SIGNATURE
  );
}

/** Wraps a value as a secret, in the form the engine puts on the wire. */
export function wireSecret(value: unknown): WireSecret {
  return { [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE, value } as WireSecret;
}
/** The other unknown sentinels the engine sends (sdk/go/common/resource/plugin/rpc.go); @pulumi/policy throws on reading any of them. */
export const UNKNOWN_ARRAY_SENTINEL = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";
export const UNKNOWN_OBJECT_SENTINEL = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";
export const UNKNOWN_ASSET_SENTINEL = "030794c1-ac77-496b-92df-f27374a8bd58";
export const UNKNOWN_ARCHIVE_SENTINEL = "e48ece36-62e2-4504-bad9-02848725956a";
/**
 * Every unknown sentinel, to recognise an unknown value of any type. An array, not a Set: isUnknown
 * travels by value into the state with RedshiftKeyRotation's provider, and Pulumi's closure
 * serializer cannot carry a Set (it rebuilds an empty object whose `has` throws "called on
 * incompatible receiver": test/provider/redshiftKeyRotation.host.test.ts fails that way).
 */
export const UNKNOWN_SENTINELS: readonly string[] = [
  UNKNOWN_STRING_SENTINEL,
  UNKNOWN_BOOLEAN_SENTINEL,
  UNKNOWN_NUMBER_SENTINEL,
  UNKNOWN_ARRAY_SENTINEL,
  UNKNOWN_OBJECT_SENTINEL,
  UNKNOWN_ASSET_SENTINEL,
  UNKNOWN_ARCHIVE_SENTINEL,
];

/**
 * True for any of the engine's unknown sentinels: the one test for "not known until the update" that
 * the policies and RedshiftKeyRotation's provider share. Plain data and a plain function only (see
 * UNKNOWN_SENTINELS), so the provider's serialized copy behaves as this one.
 */
export function isUnknown(value: unknown): boolean {
  return typeof value === "string" && UNKNOWN_SENTINELS.includes(value);
}

/**
 * @pulumi/aws 7's `aws.redshift.Cluster` `encrypted` ("If true, the data in the cluster is encrypted at
 * rest. Default is `true`.", redshift/cluster.d.ts): when a program leaves it out, the provider's Check
 * fills in "true" before the engine analyzes the resource. aws-native's `Encrypted` has no such default.
 */
export const AWS_REDSHIFT_CLUSTER_ENCRYPTED_DEFAULT = "true";
