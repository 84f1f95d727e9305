/**
 * Which KMS key encrypts a Redshift cluster, and whether that key rotates: the knowledge the key
 * policies and the cluster policies share.
 *
 * AWS facts (KMS Developer Guide, "Rotate AWS KMS keys"): automatic rotation exists only for
 * symmetric encryption keys (key spec SYMMETRIC_DEFAULT, usage ENCRYPT_DECRYPT) whose material KMS
 * generated (not imported, not in a custom key store). Multi-Region replica keys take rotation from
 * their primary key. A cluster's `kmsKeyId` may be a key ARN, a key id, an alias name or an alias ARN.
 *
 * Resolution order for a cluster's key: the cluster's `propertyDependencies.kmsKeyId` (works in
 * preview, while the ARN is still unknown), then the value of `kmsKeyId` against keys' `arn` /
 * `keyId` / `id` and aliases' name / `arn` (an alias leads to its `targetKeyId`), then, only while
 * `kmsKeyId` is unknown, a single key among the cluster's `dependencies`.
 */
import {
  ALIAS_ARN_PATTERN,
  AWS_REDSHIFT_CLUSTER_ENCRYPTED_DEFAULT,
  DEFAULT_ROTATION_PERIOD_IN_DAYS,
  RESOURCE_TYPES,
  ROTATABLE_KEY_ORIGIN,
  ROTATABLE_KEY_SPEC,
  ROTATABLE_KEY_USAGE,
  isAwsManagedRedshiftKeyReference,
  rotationPeriodProblem,
} from "../facts";
import type { RotationBounds } from "./config";
import { isUnknown, rawProps, readProperty, readString, shown } from "./verdict";

/** A resource as the policies see it: plain properties and links by URN. */
export interface ResourceView {
  urn: string;
  type: string;
  name: string;
  props: Record<string, unknown>;
  parentUrn?: string;
  dependencyUrns: string[];
  propertyDependencyUrns: Record<string, string[]>;
}

/** The subset of @pulumi/policy's PolicyResource the views are built from. */
export interface PolicyResourceLike {
  urn: string;
  type: string;
  name: string;
  props: unknown;
  parent?: { urn: string };
  dependencies?: readonly { urn: string }[];
  propertyDependencies?: Record<string, readonly { urn: string }[]>;
}

export function toView(resource: PolicyResourceLike): ResourceView {
  const propertyDependencyUrns: Record<string, string[]> = {};
  for (const [property, dependencies] of Object.entries(resource.propertyDependencies ?? {})) {
    propertyDependencyUrns[property] = (dependencies ?? []).map((d) => d.urn);
  }
  return {
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    props: rawProps(resource.props),
    parentUrn: resource.parent?.urn,
    dependencyUrns: (resource.dependencies ?? []).map((d) => d.urn),
    propertyDependencyUrns,
  };
}

export const KEY_TYPES: ReadonlySet<string> = new Set([
  RESOURCE_TYPES.kmsKey,
  RESOURCE_TYPES.kmsReplicaKey,
  RESOURCE_TYPES.kmsExternalKey,
  RESOURCE_TYPES.kmsReplicaExternalKey,
  RESOURCE_TYPES.nativeKmsKey,
]);
export const ALIAS_TYPES: ReadonlySet<string> = new Set([RESOURCE_TYPES.kmsAlias, RESOURCE_TYPES.nativeKmsAlias]);
/** Keys whose own rotation settings the key policies judge. */
export const ROTATION_SETTING_KEY_TYPES: ReadonlySet<string> = new Set([
  RESOURCE_TYPES.kmsKey,
  RESOURCE_TYPES.nativeKmsKey,
]);
export const PROVISIONED_CLUSTER_TYPES: ReadonlySet<string> = new Set([
  RESOURCE_TYPES.redshiftCluster,
  RESOURCE_TYPES.nativeRedshiftCluster,
]);
export const CLUSTER_TYPES: ReadonlySet<string> = new Set([
  ...PROVISIONED_CLUSTER_TYPES,
  RESOURCE_TYPES.redshiftServerlessNamespace,
]);

// ------------------------------------------------------------------------------------------------
// Can a key rotate automatically?
// ------------------------------------------------------------------------------------------------

export type RotationCapability =
  | { kind: "rotatable" }
  | { kind: "cannot-rotate"; reason: string }
  | { kind: "replica" }
  | { kind: "unknown"; property: string }
  | { kind: "not-a-key" };

/** Whether a key resource can rotate automatically, from its type and properties (AWS's rules). */
export function rotationCapability(type: string, props: Record<string, unknown>): RotationCapability {
  if (type === RESOURCE_TYPES.kmsReplicaKey) return { kind: "replica" };
  if (type === RESOURCE_TYPES.kmsExternalKey) {
    return {
      kind: "cannot-rotate",
      reason: "its key material is imported (aws.kms.ExternalKey), and KMS rotates only key material it generated",
    };
  }
  // A replica of an external key holds imported material as well (its primary's is imported too).
  if (type === RESOURCE_TYPES.kmsReplicaExternalKey) {
    return {
      kind: "cannot-rotate",
      reason:
        "its key material is imported (aws.kms.ReplicaExternalKey, a replica of an external key), and KMS rotates only key material it generated",
    };
  }
  if (type !== RESOURCE_TYPES.kmsKey && type !== RESOURCE_TYPES.nativeKmsKey) return { kind: "not-a-key" };
  const specProperties = type === RESOURCE_TYPES.kmsKey ? ["keySpec", "customerMasterKeySpec"] : ["keySpec"];
  for (const property of specProperties) {
    const spec = readString(props, property);
    if (spec.kind === "unknown") return { kind: "unknown", property };
    if (spec.kind === "other" || (spec.kind === "string" && spec.value !== ROTATABLE_KEY_SPEC)) {
      return {
        kind: "cannot-rotate",
        reason: `its ${property} is ${shown(readProperty(props, property))}; KMS rotates only ${ROTATABLE_KEY_SPEC} (symmetric encryption) keys`,
      };
    }
  }
  const usage = readString(props, "keyUsage");
  if (usage.kind === "unknown") return { kind: "unknown", property: "keyUsage" };
  if (usage.kind === "other" || (usage.kind === "string" && usage.value !== ROTATABLE_KEY_USAGE)) {
    return {
      kind: "cannot-rotate",
      reason: `its keyUsage is ${shown(readProperty(props, "keyUsage"))}; KMS rotates only ${ROTATABLE_KEY_USAGE} keys`,
    };
  }
  if (type === RESOURCE_TYPES.kmsKey) {
    for (const property of ["customKeyStoreId", "xksKeyId"]) {
      const store = readString(props, property);
      if (store.kind === "unknown") return { kind: "unknown", property };
      if (store.kind !== "absent") {
        return {
          kind: "cannot-rotate",
          reason: `its ${property} is set (${shown(readProperty(props, property))}); KMS does not rotate keys in a custom key store`,
        };
      }
    }
  } else {
    const origin = readString(props, "origin");
    if (origin.kind === "unknown") return { kind: "unknown", property: "origin" };
    if (origin.kind === "other" || (origin.kind === "string" && origin.value !== ROTATABLE_KEY_ORIGIN)) {
      return {
        kind: "cannot-rotate",
        reason: `its origin is ${shown(readProperty(props, "origin"))}; KMS rotates only keys whose material it generated (origin ${ROTATABLE_KEY_ORIGIN})`,
      };
    }
  }
  return { kind: "rotatable" };
}

/** Why a rotatable key's rotation is off, or undefined when `enableKeyRotation` is exactly `true`. */
export type RotationSwitch = { kind: "on" } | { kind: "off"; found: unknown } | { kind: "unknown" };

export function rotationSwitch(props: Record<string, unknown>): RotationSwitch {
  const value = readProperty(props, "enableKeyRotation");
  if (value === true) return { kind: "on" };
  if (isUnknown(value)) return { kind: "unknown" };
  return { kind: "off", found: value };
}

/** The effective period of a rotating key (AWS default when unset) and what is wrong with it. */
export type PeriodCheck =
  { kind: "ok"; days: number } | { kind: "bad"; found: unknown; problem: string } | { kind: "unknown" };

export function checkRotationPeriod(props: Record<string, unknown>, bounds: RotationBounds): PeriodCheck {
  const raw = readProperty(props, "rotationPeriodInDays");
  if (isUnknown(raw)) return { kind: "unknown" };
  const unset = raw === undefined || raw === null;
  const days = unset ? DEFAULT_ROTATION_PERIOD_IN_DAYS : raw;
  const problem = rotationPeriodOutOfBounds(days, bounds, unset);
  return problem ? { kind: "bad", found: days, problem } : { kind: "ok", days: days as number };
}

/**
 * What is wrong with a rotation period, for AWS (a whole number in 90..2560) or for the configured
 * bounds; undefined when nothing is. `unset` says the days are AWS's default, for the message.
 */
export function rotationPeriodOutOfBounds(days: unknown, bounds: RotationBounds, unset = false): string | undefined {
  const awsProblem = rotationPeriodProblem(days);
  if (awsProblem) return awsProblem;
  const value = days as number;
  if (value >= bounds.minRotationPeriodInDays && value <= bounds.maxRotationPeriodInDays) return undefined;
  const note = unset ? ` (unset, so AWS's default of ${DEFAULT_ROTATION_PERIOD_IN_DAYS})` : "";
  return `got ${value} days${note}; this pack's config allows ${bounds.minRotationPeriodInDays} to ${bounds.maxRotationPeriodInDays} days`;
}

// ------------------------------------------------------------------------------------------------
// Which key encrypts a cluster?
// ------------------------------------------------------------------------------------------------

export interface ResolvedKey {
  /** The key whose rotation is judged (a replica's primary when the primary is in the stack). */
  key: ResourceView;
  /** How the key was reached, for messages: e.g. `alias "a" -> key "k"`. */
  path: string;
}

export type KeyResolution =
  | { kind: "none" }
  | { kind: "aws-managed"; reference: string }
  | { kind: "in-stack"; keys: ResolvedKey[] }
  | { kind: "external"; reference: string; path: string }
  /** A key from outside the stack whose reference is not known: it comes from another stack's outputs (a StackReference). */
  | { kind: "external-unknown"; source: string }
  | { kind: "unknown"; why: string };

/** What key resolution asks of the stack (answered from an index: see ./stack). */
export interface KeyLookup {
  resourceByUrn(urn: string): ResourceView | undefined;
  /** A key by its `arn`, `keyId` or `id`. */
  keyByIdentifier(identifier: string): ResourceView | undefined;
  /** An alias by its name or ARN. */
  aliasByReference(reference: string): ResourceView | undefined;
}

/** `alias/x` for an alias ARN, the input unchanged otherwise. */
export function aliasNameOf(reference: string): string {
  if (ALIAS_ARN_PATTERN.test(reference)) return reference.slice(reference.indexOf(":alias/") + 1);
  return reference;
}

function label(resource: ResourceView): string {
  const kind = ALIAS_TYPES.has(resource.type)
    ? "alias"
    : resource.type === RESOURCE_TYPES.kmsReplicaKey
      ? "replica key"
      : "key";
  return `${kind} "${resource.name}"`;
}

function linked(index: KeyLookup, urns: readonly string[] | undefined, types: ReadonlySet<string>): ResourceView[] {
  const seen = new Set<string>();
  const result: ResourceView[] = [];
  for (const urn of urns ?? []) {
    const resource = index.resourceByUrn(urn);
    if (resource && types.has(resource.type) && !seen.has(urn)) {
      seen.add(urn);
      result.push(resource);
    }
  }
  return result;
}

const KEY_OR_ALIAS_TYPES: ReadonlySet<string> = new Set([...KEY_TYPES, ...ALIAS_TYPES]);
const STACK_REFERENCE_TYPES: ReadonlySet<string> = new Set([RESOURCE_TYPES.stackReference]);

/** Follows an alias to its key, and a replica to its primary, within the stack. */
function follow(index: KeyLookup, start: ResourceView, path: string, depth = 0): KeyResolution {
  if (depth > 8) return { kind: "unknown", why: `${path} forms a chain of aliases too long to follow` };
  if (ALIAS_TYPES.has(start.type)) {
    const fromDependencies = linked(index, start.propertyDependencyUrns.targetKeyId, KEY_OR_ALIAS_TYPES);
    const target = readString(start.props, "targetKeyId");
    const byValue =
      target.kind === "string"
        ? (index.keyByIdentifier(target.value) ?? index.aliasByReference(target.value))
        : undefined;
    const next =
      fromDependencies.length > 0
        ? byValue && fromDependencies.includes(byValue)
          ? byValue
          : fromDependencies[0]
        : byValue;
    if (next && next !== start) return follow(index, next, `${path} -> ${label(next)}`, depth + 1);
    if (target.kind === "string")
      return { kind: "external", reference: target.value, path: `${path} -> ${target.value}` };
    if (target.kind === "unknown")
      return {
        kind: "unknown",
        why: `the targetKeyId of ${label(start)} is unknown during preview and does not come from a key in this stack`,
      };
    return {
      kind: "unknown",
      why: `${label(start)} has no targetKeyId (found ${shown(readProperty(start.props, "targetKeyId"))})`,
    };
  }
  if (start.type === RESOURCE_TYPES.kmsReplicaKey) {
    const fromDependencies = linked(index, start.propertyDependencyUrns.primaryKeyArn, KEY_TYPES);
    const primaryArn = readString(start.props, "primaryKeyArn");
    const byValue = primaryArn.kind === "string" ? index.keyByIdentifier(primaryArn.value) : undefined;
    const primary = fromDependencies[0] ?? byValue;
    if (primary && primary !== start)
      return follow(index, primary, `${path} (replica of ${label(primary)})`, depth + 1);
    if (primaryArn.kind === "string")
      return { kind: "external", reference: primaryArn.value, path: `${path} (replica of ${primaryArn.value})` };
    if (primaryArn.kind === "unknown")
      return {
        kind: "unknown",
        why: `the primaryKeyArn of ${label(start)} is unknown during preview and does not come from a key in this stack`,
      };
    return {
      kind: "unknown",
      why: `${label(start)} has no primaryKeyArn (found ${shown(readProperty(start.props, "primaryKeyArn"))})`,
    };
  }
  return { kind: "in-stack", keys: [{ key: start, path }] };
}

/** Which key encrypts this cluster or namespace (see the module comment for the order). */
export function resolveClusterKey(cluster: ResourceView, index: KeyLookup): KeyResolution {
  const reference = readString(cluster.props, "kmsKeyId");
  if (reference.kind === "absent") return { kind: "none" };
  if (reference.kind === "other")
    return { kind: "unknown", why: `its kmsKeyId is ${shown(reference.value)}, not a key reference` };
  if (reference.kind === "string" && isAwsManagedRedshiftKeyReference(reference.value))
    return { kind: "aws-managed", reference: reference.value };

  const byValue =
    reference.kind === "string"
      ? (index.keyByIdentifier(reference.value) ?? index.aliasByReference(reference.value))
      : undefined;
  let starts = linked(index, cluster.propertyDependencyUrns.kmsKeyId, KEY_OR_ALIAS_TYPES);
  if (starts.length > 1 && byValue && starts.includes(byValue)) starts = [byValue];
  if (starts.length === 0 && byValue) starts = [byValue];
  if (starts.length === 0 && reference.kind === "unknown") {
    const dependencies = linked(index, cluster.dependencyUrns, KEY_OR_ALIAS_TYPES);
    if (dependencies.length === 1) starts = dependencies;
  }
  if (starts.length === 0) {
    if (reference.kind === "string") return { kind: "external", reference: reference.value, path: reference.value };
    // Another stack's output (pulumi preview reads it; offline it may be unknown): a key from outside this stack.
    const stackReference = linked(index, cluster.propertyDependencyUrns.kmsKeyId, STACK_REFERENCE_TYPES)[0];
    if (stackReference) {
      const stackName = readString(stackReference.props, "name");
      return {
        kind: "external-unknown",
        source: `an output of stack ${stackName.kind === "string" ? stackName.value : `reference "${stackReference.name}"`} (a StackReference)`,
      };
    }
    return {
      kind: "unknown",
      why: "its kmsKeyId is unknown during preview and does not come from a KMS key or alias in this stack",
    };
  }
  const keys: ResolvedKey[] = [];
  for (const start of starts) {
    const resolution = follow(index, start, label(start));
    if (resolution.kind !== "in-stack") return resolution;
    keys.push(...resolution.keys);
  }
  return { kind: "in-stack", keys };
}

/**
 * True when a cluster or namespace is encrypted: namespaces always are; clusters say so (boolean or,
 * in @pulumi/aws 7, the string "true"). An aws.redshift.Cluster without `encrypted` gets the
 * provider's default "true" (its Check fills it in before a real preview analyzes it; the offline
 * gate sees the program's inputs as given).
 */
export type EncryptionState = { kind: "encrypted" } | { kind: "not-encrypted"; found: unknown } | { kind: "unknown" };

export function encryptionState(
  resource: ResourceView | { type: string; props: Record<string, unknown> },
): EncryptionState {
  if (resource.type === RESOURCE_TYPES.redshiftServerlessNamespace) return { kind: "encrypted" };
  const given = readProperty(resource.props, "encrypted");
  const value =
    (given === undefined || given === null) && resource.type === RESOURCE_TYPES.redshiftCluster
      ? AWS_REDSHIFT_CLUSTER_ENCRYPTED_DEFAULT
      : given;
  if (value === true || value === "true") return { kind: "encrypted" };
  if (isUnknown(value)) return { kind: "unknown" };
  return { kind: "not-encrypted", found: value };
}
