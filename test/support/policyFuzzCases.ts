/**
 * The cases keyguard's policy fuzzing draws from (fast-check arbitraries), and the plain reference
 * model the well-formed ones are checked against, written from the rules, not from the pack's code.
 * Shared by test/policy/fuzz.test.ts (which checks the verdicts) and ./verdictCorpus.ts (which
 * records them, so a refactoring can show it changed no verdict and no message).
 */
import fc from "fast-check";
import { RESOURCE_TYPES, UNKNOWN_SENTINELS } from "../../facts";
import { type AnalyzerResource, type AnalyzerStackResource, UNKNOWN, secret } from "../../engine";
import { keyguardPolicies } from "../../policy/policies";
import { kmsKeyRotationEnabled } from "../../policy/policies/kms-key-rotation-enabled";
import { kmsKeyRotationPeriod } from "../../policy/policies/kms-key-rotation-period";
import { redshiftClusterEncrypted } from "../../policy/policies/redshift-cluster-encrypted";
import { redshiftClusterExternalKey } from "../../policy/policies/redshift-cluster-external-key";
import { redshiftClusterKeyRotated } from "../../policy/policies/redshift-cluster-key-rotated";
import { redshiftClusterRotationOnKeyChange } from "../../policy/policies/redshift-cluster-rotation-on-key-change";
import {
  type PolicyOutcome,
  engineProps,
  engineStackResources,
  runResourcePolicy,
  runStackPolicy,
  wireCopy,
} from "./policyArgs";

/** The seed every fuzz run starts from unless KEYGUARD_FUZZ_SEED says otherwise. */
export const DEFAULT_FUZZ_SEED = 20261122;

const STACK = "urn:pulumi:fuzz::keyguard";
export const urnOf = (type: string, name: string) => `${STACK}::${type}::${name}`;
export const ARN = (id: string) => `arn:aws:kms:us-east-1:111122223333:key/${id}`;
const ALIAS_ARN = (name: string) => `arn:aws:kms:us-east-1:111122223333:${name}`;

// ------------------------------------------------------------------------------------------------
// Malformed values
// ------------------------------------------------------------------------------------------------

const HUGE = "x".repeat(200_000);
const sentinel = fc.constantFrom(...UNKNOWN_SENTINELS);
const oddNumber = fc.constantFrom(
  -0,
  0,
  NaN,
  Infinity,
  -Infinity,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  5e-324,
  89,
  90,
  365,
  366,
  2560,
  2561,
  100.5,
);
const oddString = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "NaN",
    "-0",
    "1e308",
    "1e999",
    "Infinity",
    "true",
    "false",
    "null",
    "365",
    "SYMMETRIC_DEFAULT",
    "ENCRYPT_DECRYPT",
    "EXTERNAL",
    "AWS_KMS",
    "alias/aws/redshift",
    "alias/",
    ARN("fuzz"),
    "__proto__",
    "constructor",
    "__getSpecialProxyTarget",
    "__isSpecialProxy",
  ),
  fc.string({ maxLength: 40 }),
  fc.constant(HUGE),
);
/**
 * Property names. "__proto__" is left out: google-protobuf's own Map corrupts itself on that key
 * (a JS-side quirk of the Struct implementation, not something a policy sees differently).
 */
const propertyKey = fc
  .oneof(fc.string({ maxLength: 8 }), fc.constantFrom("value", "constructor", "toString", "arn", "hasOwnProperty"))
  .filter((key) => key !== "__proto__");
const leaf = fc.oneof(fc.constant(null), fc.boolean(), oddNumber, fc.double(), fc.integer(), oddString, sentinel);
const { anyValue } = fc.letrec<{ anyValue: unknown }>((tie) => ({
  anyValue: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { arbitrary: leaf, weight: 6 },
    { arbitrary: fc.array(tie("anyValue"), { maxLength: 4 }), weight: 1 },
    { arbitrary: fc.dictionary(propertyKey, tie("anyValue"), { maxKeys: 4 }), weight: 1 },
    { arbitrary: tie("anyValue").map((value) => secret(value)), weight: 1 },
  ),
}));
/** Values nested 20..120 levels deep, with a sentinel or a secret at the bottom. */
const deepValue = fc
  .tuple(fc.integer({ min: 20, max: 120 }), fc.oneof(sentinel, leaf), fc.boolean())
  .map(([depth, bottom, useArrays]) => {
    let value: unknown = bottom;
    for (let i = 0; i < depth; i++) value = useArrays ? [value] : i % 7 === 0 ? secret(value) : { nested: value };
    return value;
  });
const fuzzValue = fc.oneof({ arbitrary: anyValue, weight: 8 }, { arbitrary: deepValue, weight: 1 });

/** The properties each resource type's policies read, plus some they do not. */
const READ_PROPERTIES = [
  "enableKeyRotation",
  "rotationPeriodInDays",
  "keySpec",
  "customerMasterKeySpec",
  "keyUsage",
  "customKeyStoreId",
  "xksKeyId",
  "origin",
  "arn",
  "keyId",
  "id",
  "name",
  "aliasName",
  "targetKeyId",
  "primaryKeyArn",
  "encrypted",
  "kmsKeyId",
  "clusterIdentifier",
  "masterPassword",
  "tags",
];
// The stack's type is in RESOURCE_TYPES too; listed again so the seeded cases stay the ones they were.
const ALL_TYPES = [...Object.values(RESOURCE_TYPES), "aws:s3/bucket:Bucket", RESOURCE_TYPES.pulumiStack, ""];
const malformedBag = fc.dictionary(
  fc.oneof({ arbitrary: fc.constantFrom(...READ_PROPERTIES), weight: 5 }, { arbitrary: propertyKey, weight: 1 }),
  fuzzValue,
  { maxKeys: 8 },
);
const resourceName = fc.oneof(fc.constantFrom("k", "c", "a", "legacy-1"), fc.string({ maxLength: 12 }));

// ------------------------------------------------------------------------------------------------
// The reference model: the rules, written plainly
// ------------------------------------------------------------------------------------------------

export interface Bounds {
  min: number;
  max: number;
}

interface KeyModel {
  type: string;
  keySpec?: string;
  customerMasterKeySpec?: string;
  keyUsage?: string;
  customKeyStoreId?: string;
  xksKeyId?: string;
  origin?: string;
  enableKeyRotation?: boolean;
  rotationPeriodInDays?: number;
}

function modelCanRotate(key: KeyModel): boolean {
  const symmetric =
    (key.keySpec === undefined || key.keySpec === "SYMMETRIC_DEFAULT") &&
    (key.keyUsage === undefined || key.keyUsage === "ENCRYPT_DECRYPT");
  if (key.type === RESOURCE_TYPES.kmsKey) {
    return (
      symmetric &&
      (key.customerMasterKeySpec === undefined || key.customerMasterKeySpec === "SYMMETRIC_DEFAULT") &&
      key.customKeyStoreId === undefined &&
      key.xksKeyId === undefined
    );
  }
  if (key.type === RESOURCE_TYPES.nativeKmsKey)
    return symmetric && (key.origin === undefined || key.origin === "AWS_KMS");
  return false; // imported material (ExternalKey); replicas are handled by their primary
}

function modelPeriodIsAllowed(key: KeyModel, bounds: Bounds): boolean {
  const days = key.rotationPeriodInDays ?? 365;
  return Number.isInteger(days) && days >= 90 && days <= 2560 && days >= bounds.min && days <= bounds.max;
}

/** Expected outcome of the two key policies: "violation", or "n/a" / "ok". */
export function modelKeyRotationEnabled(key: KeyModel): "violation" | "n/a" | "ok" {
  if (!modelCanRotate(key)) return "n/a";
  return key.enableKeyRotation === true ? "ok" : "violation";
}
export function modelKeyRotationPeriod(key: KeyModel, bounds: Bounds): "violation" | "n/a" | "ok" {
  if (!modelCanRotate(key)) return "n/a";
  // A period out of bounds is reported even while rotation is off, so one run shows every fix.
  if (!modelPeriodIsAllowed(key, bounds)) return "violation";
  return key.enableKeyRotation === true ? "ok" : "n/a";
}
function modelKeyIsGood(key: KeyModel, bounds: Bounds): boolean {
  return modelCanRotate(key) && key.enableKeyRotation === true && modelPeriodIsAllowed(key, bounds);
}

const boundsArb = fc
  .tuple(fc.integer({ min: 90, max: 2560 }), fc.integer({ min: 90, max: 2560 }), fc.boolean())
  .map(([a, b, useDefaults]): Bounds =>
    useDefaults ? { min: 90, max: 365 } : { min: Math.min(a, b), max: Math.max(a, b) },
  );
export const boundsConfig = (bounds: Bounds) => ({
  minRotationPeriodInDays: bounds.min,
  maxRotationPeriodInDays: bounds.max,
});

const keyModelArb: fc.Arbitrary<KeyModel> = fc
  .record(
    {
      type: fc.constantFrom(
        RESOURCE_TYPES.kmsKey,
        RESOURCE_TYPES.kmsKey,
        RESOURCE_TYPES.kmsKey,
        RESOURCE_TYPES.nativeKmsKey,
        RESOURCE_TYPES.kmsExternalKey,
      ),
      keySpec: fc.constantFrom("SYMMETRIC_DEFAULT", "RSA_2048", "HMAC_256", "ECC_NIST_P256"),
      customerMasterKeySpec: fc.constantFrom("SYMMETRIC_DEFAULT", "RSA_4096"),
      keyUsage: fc.constantFrom("ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC"),
      customKeyStoreId: fc.constant("cks-1234567890abcdef0"),
      xksKeyId: fc.constant("xks-key-1"),
      origin: fc.constantFrom("AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM"),
      enableKeyRotation: fc.boolean(),
      rotationPeriodInDays: fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.constantFrom(90, 365, 2560, 100.5)),
    },
    { requiredKeys: ["type"] },
  )
  .map((key) => {
    // Properties a type does not have are dropped, as the engine never sends them.
    const result: KeyModel = { ...key };
    if (key.type !== RESOURCE_TYPES.kmsKey) {
      delete result.customerMasterKeySpec;
      delete result.customKeyStoreId;
      delete result.xksKeyId;
    }
    if (key.type !== RESOURCE_TYPES.nativeKmsKey) delete result.origin;
    if (key.type === RESOURCE_TYPES.kmsExternalKey) {
      delete result.keySpec;
      delete result.keyUsage;
      delete result.enableKeyRotation;
      delete result.rotationPeriodInDays;
    }
    return result;
  });

export function keyProperties(key: KeyModel, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { type: _type, ...properties } = key;
  return { ...properties, ...extra };
}

// ------------------------------------------------------------------------------------------------
// Resource policies
// ------------------------------------------------------------------------------------------------

export type ResourceCase =
  | { kind: "key"; key: KeyModel; name: string; bounds: Bounds; wrapInSecret: boolean }
  | { kind: "cluster"; type: string; encrypted: unknown; kmsKeyId: string | undefined; name: string }
  | { kind: "malformed"; type: string; name: string; properties: Record<string, unknown> };

const CLUSTER_TYPES_LIST = [
  RESOURCE_TYPES.redshiftCluster,
  RESOURCE_TYPES.nativeRedshiftCluster,
  RESOURCE_TYPES.redshiftServerlessNamespace,
];
export const resourceCase: fc.Arbitrary<ResourceCase> = fc.oneof(
  fc.record({
    kind: fc.constant("key" as const),
    key: keyModelArb,
    name: resourceName,
    bounds: boundsArb,
    wrapInSecret: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("cluster" as const),
    type: fc.constantFrom(...CLUSTER_TYPES_LIST),
    encrypted: fc.constantFrom(true, "true", false, "false", undefined),
    kmsKeyId: fc.constantFrom(
      undefined,
      "alias/aws/redshift",
      "arn:aws:kms:us-east-1:111122223333:alias/aws/redshift",
      ARN("cmk"),
      "alias/data",
      "1234abcd-12ab-34cd-56ef-1234567890ab",
    ),
    name: resourceName,
  }),
  fc.record({
    kind: fc.constant("malformed" as const),
    type: fc.constantFrom(...ALL_TYPES),
    name: resourceName,
    properties: malformedBag,
  }),
);

/** Encrypted as the model sees it: @pulumi/aws 7 defaults an aws.redshift.Cluster's encrypted to "true"; aws-native has no default. */
function modelIsEncrypted(type: string, encrypted: unknown): boolean {
  if (type === RESOURCE_TYPES.redshiftServerlessNamespace) return true;
  const effective = encrypted === undefined && type === RESOURCE_TYPES.redshiftCluster ? "true" : encrypted;
  return effective === true || effective === "true";
}

export function modelClusterEncrypted(
  type: string,
  encrypted: unknown,
  kmsKeyId: string | undefined,
): "violation" | "ok" {
  const customerManaged =
    kmsKeyId !== undefined && kmsKeyId !== "alias/aws/redshift" && !kmsKeyId.endsWith(":alias/aws/redshift");
  return modelIsEncrypted(type, encrypted) && customerManaged ? "ok" : "violation";
}

// ------------------------------------------------------------------------------------------------
// Stack policies
// ------------------------------------------------------------------------------------------------

/** How a cluster names its key in a well-formed stack. */
type KeyReference = "arn" | "keyId" | "aliasName" | "aliasArn" | "dependency" | "aliasDependency";

export interface StackPlan {
  keys: Array<KeyModel & { replicaOf?: number | "outside" }>;
  clusters: Array<{
    type: string;
    encrypted: unknown;
    target:
      | { kind: "key"; index: number; via: KeyReference }
      | { kind: "external"; id: number }
      | { kind: "none" }
      | { kind: "awsManaged" };
  }>;
  rotations: Array<{ cluster: number; bind: "identifier" | "dependency" | "decoy" }>;
  trustedExternal: number[];
  bounds: Bounds;
  links: Array<[number, number, "parent" | "dependency"]>;
  malformed: Array<{ type: string; properties: Record<string, unknown> }>;
}

/** Sizes of a plan: keys (each with an alias), clusters, rotations, noise. Large plans reach 500 resources. */
interface PlanSize {
  keys: [number, number];
  clusters: [number, number];
  noise: [number, number];
}
const SMALL: PlanSize = { keys: [1, 4], clusters: [0, 4], noise: [0, 2] };
const LARGE: PlanSize = { keys: [60, 90], clusters: [100, 140], noise: [20, 40] };

const stackPlan = (size: PlanSize): fc.Arbitrary<StackPlan> =>
  fc
    .record({
      keys: fc.array(
        fc.tuple(
          keyModelArb,
          fc.oneof(
            { arbitrary: fc.constant(undefined), weight: 4 },
            { arbitrary: fc.constantFrom<number | "outside">(0, 1, 2, "outside"), weight: 1 },
          ),
        ),
        { minLength: size.keys[0], maxLength: size.keys[1] },
      ),
      clusters: fc.array(
        fc.record({
          type: fc.constantFrom(...CLUSTER_TYPES_LIST),
          encrypted: fc.constantFrom(true, "true", "true", false, "false", undefined),
          target: fc.oneof(
            {
              arbitrary: fc.record({
                kind: fc.constant("key" as const),
                index: fc.nat(),
                via: fc.constantFrom<KeyReference>(
                  "arn",
                  "keyId",
                  "aliasName",
                  "aliasArn",
                  "dependency",
                  "aliasDependency",
                ),
              }),
              weight: 6,
            },
            { arbitrary: fc.record({ kind: fc.constant("external" as const), id: fc.nat({ max: 3 }) }), weight: 2 },
            { arbitrary: fc.constantFrom({ kind: "none" as const }, { kind: "awsManaged" as const }), weight: 1 },
          ),
        }),
        { minLength: size.clusters[0], maxLength: size.clusters[1] },
      ),
      rotations: fc.array(
        fc.record({
          cluster: fc.nat(),
          bind: fc.constantFrom<"identifier" | "dependency" | "decoy">("identifier", "dependency", "decoy"),
        }),
        { minLength: size.clusters[0], maxLength: size.clusters[1] },
      ),
      trustedExternal: fc.subarray([0, 1, 2, 3]),
      bounds: boundsArb,
      links: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom<"parent" | "dependency">("parent", "dependency")), {
        maxLength: size.keys[1] + size.clusters[1],
      }),
      malformed: fc.array(fc.record({ type: fc.constantFrom(...ALL_TYPES), properties: malformedBag }), {
        minLength: size.noise[0],
        maxLength: size.noise[1],
      }),
    })
    .map((plan) => ({
      ...plan,
      keys: plan.keys.map(([key, replicaOf], index) => {
        // A replica's primary is an earlier aws:kms/key:Key of the stack, or a key outside it.
        const primary =
          replicaOf === "outside"
            ? "outside"
            : replicaOf !== undefined &&
                replicaOf < index &&
                plan.keys[replicaOf][0].type === RESOURCE_TYPES.kmsKey &&
                plan.keys[replicaOf][1] === undefined
              ? replicaOf
              : undefined;
        return primary === undefined ? key : { type: RESOURCE_TYPES.kmsReplicaKey, replicaOf: primary };
      }),
    }));

export interface BuiltStack {
  resources: AnalyzerStackResource[];
  expected: Record<string, Set<string>>;
  clusterUrns: string[];
}

/** Builds the stack the engine would send (outputs, with unknowns where a preview has them) and the model's verdicts. */
export function buildStack(plan: StackPlan, preview: boolean): BuiltStack {
  const resources: AnalyzerStackResource[] = [];
  const keyUrn = (i: number) => urnOf(plan.keys[i].type, `key${i}`);
  const aliasUrn = (i: number) => urnOf(RESOURCE_TYPES.kmsAlias, `alias${i}`);
  plan.keys.forEach((key, i) => {
    const { replicaOf, ...model } = key;
    const identity = preview
      ? { arn: UNKNOWN.string, keyId: UNKNOWN.string, id: UNKNOWN.string }
      : { arn: ARN(`key${i}`), keyId: `key${i}`, id: `key${i}` };
    if (key.type === RESOURCE_TYPES.kmsReplicaKey) {
      const primaryArn =
        replicaOf === "outside" ? ARN("primary-outside") : preview ? UNKNOWN.string : ARN(`key${replicaOf}`);
      resources.push({
        urn: keyUrn(i),
        type: key.type,
        name: `key${i}`,
        properties: { primaryKeyArn: primaryArn, ...identity },
        propertyDependencies: typeof replicaOf === "number" && preview ? { primaryKeyArn: [keyUrn(replicaOf)] } : {},
        dependencies: typeof replicaOf === "number" ? [keyUrn(replicaOf)] : [],
      });
    } else {
      resources.push({ urn: keyUrn(i), type: key.type, name: `key${i}`, properties: keyProperties(model, identity) });
    }
    resources.push({
      urn: aliasUrn(i),
      type: RESOURCE_TYPES.kmsAlias,
      name: `alias${i}`,
      properties: {
        name: `alias/key${i}`,
        targetKeyId: preview ? UNKNOWN.string : `key${i}`,
        arn: preview ? UNKNOWN.string : ALIAS_ARN(`alias/key${i}`),
      },
      propertyDependencies: preview ? { targetKeyId: [keyUrn(i)] } : {},
      dependencies: [keyUrn(i)],
    });
  });
  const judgedKey = (i: number): KeyModel | "outside" => {
    const key = plan.keys[i];
    if (key.replicaOf === "outside") return "outside";
    return key.replicaOf !== undefined ? plan.keys[key.replicaOf] : key;
  };
  const expected: Record<string, Set<string>> = {
    [redshiftClusterKeyRotated.name]: new Set(),
    [redshiftClusterExternalKey.name]: new Set(),
    [redshiftClusterRotationOnKeyChange.name]: new Set(),
  };
  const clusterUrns: string[] = [];
  plan.clusters.forEach((cluster, c) => {
    const urn = urnOf(cluster.type, `cluster${c}`);
    clusterUrns.push(urn);
    const properties: Record<string, unknown> = { clusterIdentifier: `cluster${c}` };
    if (cluster.type !== RESOURCE_TYPES.redshiftServerlessNamespace && cluster.encrypted !== undefined)
      properties.encrypted = cluster.encrypted;
    const propertyDependencies: Record<string, string[]> = {};
    const dependencies: string[] = [];
    const target = cluster.target;
    let externalArn: string | undefined;
    let judged: KeyModel | "outside" | undefined;
    if (target.kind === "key") {
      const k = target.index % plan.keys.length;
      judged = judgedKey(k);
      if (judged === "outside") externalArn = ARN("primary-outside");
      const byDependency = preview || target.via === "dependency" || target.via === "aliasDependency";
      if (byDependency) {
        const linked =
          target.via === "aliasDependency" || target.via === "aliasName" || target.via === "aliasArn"
            ? aliasUrn(k)
            : keyUrn(k);
        properties.kmsKeyId = preview ? UNKNOWN.string : linked === aliasUrn(k) ? `alias/key${k}` : ARN(`key${k}`);
        propertyDependencies.kmsKeyId = [linked];
        dependencies.push(linked);
      } else {
        properties.kmsKeyId = {
          arn: ARN(`key${k}`),
          keyId: `key${k}`,
          aliasName: `alias/key${k}`,
          aliasArn: ALIAS_ARN(`alias/key${k}`),
        }[target.via as "arn" | "keyId" | "aliasName" | "aliasArn"];
      }
    } else if (target.kind === "external") {
      externalArn = ARN(`external${target.id}`);
      properties.kmsKeyId = externalArn;
    } else if (target.kind === "awsManaged") {
      properties.kmsKeyId = "alias/aws/redshift";
    }
    resources.push({ urn, type: cluster.type, name: `cluster${c}`, properties, propertyDependencies, dependencies });

    if (!modelIsEncrypted(cluster.type, cluster.encrypted)) return;
    if (judged !== undefined && judged !== "outside" && !modelKeyIsGood(judged, plan.bounds))
      expected[redshiftClusterKeyRotated.name].add(urn);
    if (externalArn !== undefined) {
      const trusted = plan.trustedExternal.some((id) => ARN(`external${id}`) === externalArn);
      if (!trusted) expected[redshiftClusterExternalKey.name].add(urn);
    }
  });
  const bound = new Set<number>();
  plan.rotations.forEach((rotation, r) => {
    if (plan.clusters.length === 0) return;
    const c = rotation.cluster % plan.clusters.length;
    const clusterUrn = clusterUrns[c];
    const properties = {
      clusterIdentifier:
        rotation.bind === "identifier"
          ? `cluster${c}`
          : rotation.bind === "decoy"
            ? `elsewhere${r}`
            : preview
              ? UNKNOWN.string
              : `cluster${c}`,
    };
    const dependencies = rotation.bind === "dependency" ? [clusterUrn] : [];
    if (rotation.bind !== "decoy") bound.add(c);
    resources.push({
      urn: urnOf(RESOURCE_TYPES.redshiftKeyRotation, `rotation${r}`),
      type: RESOURCE_TYPES.redshiftKeyRotation,
      name: `rotation${r}`,
      properties,
      dependencies,
    });
  });
  for (const malformed of plan.malformed) {
    // Noise that is not a key, alias, cluster or rotation: the verdicts above must not change.
    const type = [
      RESOURCE_TYPES.kmsKey,
      RESOURCE_TYPES.kmsReplicaKey,
      RESOURCE_TYPES.kmsExternalKey,
      RESOURCE_TYPES.nativeKmsKey,
      RESOURCE_TYPES.kmsAlias,
      RESOURCE_TYPES.nativeKmsAlias,
      ...CLUSTER_TYPES_LIST,
      RESOURCE_TYPES.redshiftKeyRotation,
    ].includes(malformed.type as never)
      ? "aws:s3/bucket:Bucket"
      : malformed.type;
    const name = `noise${resources.length}`;
    resources.push({ urn: urnOf(type, name), type, name, properties: malformed.properties });
  }
  plan.clusters.forEach((cluster, c) => {
    const provisioned = cluster.type !== RESOURCE_TYPES.redshiftServerlessNamespace;
    // Re-keying on a key change needs a customer-managed key to change: none, no finding.
    const customerManagedKey = cluster.target.kind === "key" || cluster.target.kind === "external";
    if (provisioned && customerManagedKey && modelIsEncrypted(cluster.type, cluster.encrypted) && !bound.has(c))
      expected[redshiftClusterRotationOnKeyChange.name].add(clusterUrns[c]);
  });
  // Random parents and extra dependencies, only where they cannot change a rule's meaning:
  // parents anywhere; dependencies only from noise resources.
  for (const [from, to, kind] of plan.links) {
    const source = resources[from % resources.length];
    const destination = resources[to % resources.length];
    if (kind === "parent") source.parent = destination.urn;
    else if (source.name.startsWith("noise")) source.dependencies = [...(source.dependencies ?? []), destination.urn];
  }
  return { resources, expected, clusterUrns };
}

export const STACK_POLICIES = [
  redshiftClusterKeyRotated,
  redshiftClusterExternalKey,
  redshiftClusterRotationOnKeyChange,
];

/** A stack of random resources with random links (dangling, cyclic, self), for the no-throw property. */
const malformedStack = fc
  .tuple(
    fc.array(fc.record({ type: fc.constantFrom(...ALL_TYPES), name: resourceName, properties: malformedBag }), {
      maxLength: 8,
    }),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat(),
        fc.constantFrom("parent", "dependency", "kmsKeyId", "targetKeyId", "primaryKeyArn", "clusterIdentifier"),
      ),
      { maxLength: 16 },
    ),
  )
  .map(([specs, links]) => {
    const resources: AnalyzerStackResource[] = specs.map((spec, i) => ({
      urn: urnOf(spec.type, `${spec.name}-${i}`),
      type: spec.type,
      name: spec.name,
      properties: spec.properties,
      propertyDependencies: {},
      dependencies: [],
    }));
    for (const [from, to, kind] of links) {
      if (resources.length === 0) break;
      const source = resources[from % resources.length];
      const destination = to % 5 === 0 ? `${STACK}::dangling::x${to}` : resources[to % resources.length].urn;
      if (kind === "parent") source.parent = destination;
      else if (kind === "dependency") source.dependencies!.push(destination);
      else (source.propertyDependencies![kind] ??= []).push(destination);
    }
    return resources;
  });

export type StackCase =
  { kind: "plan"; plan: StackPlan; preview: boolean } | { kind: "malformed"; resources: AnalyzerStackResource[] };
export const stackCase: fc.Arbitrary<StackCase> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant("plan" as const), plan: stackPlan(SMALL), preview: fc.boolean() }),
    weight: 500,
  },
  { arbitrary: fc.record({ kind: fc.constant("malformed" as const), resources: malformedStack }), weight: 250 },
  // Large stacks: up to 500 resources (keys and their aliases, clusters, rotations, noise).
  {
    arbitrary: fc.record({ kind: fc.constant("plan" as const), plan: stackPlan(LARGE), preview: fc.boolean() }),
    weight: 1,
  },
);

// ------------------------------------------------------------------------------------------------
// Policy config
// ------------------------------------------------------------------------------------------------

/** Each setting: mostly values of the right shape (valid or just out of range), sometimes anything. */
const periodSetting = fc.oneof(
  { arbitrary: fc.integer({ min: 90, max: 365 }), weight: 8 },
  { arbitrary: fc.integer({ min: 60, max: 2600 }), weight: 3 },
  { arbitrary: leaf, weight: 1 },
);
const exemptionSetting = fc.oneof(
  {
    arbitrary: fc.array(
      fc.record({
        resource: fc.constantFrom("k", "c", "legacy-*", "urn:pulumi:*", "k", ""),
        reason: fc.constantFrom("ticket SEC-1", "migrating", "legacy", "ticket SEC-2", "", "  "),
      }),
      { maxLength: 2 },
    ),
    weight: 8,
  },
  {
    arbitrary: fc.array(fc.oneof(leaf, fc.dictionary(propertyKey, leaf, { maxKeys: 3 })), { maxLength: 2 }),
    weight: 1,
  },
  { arbitrary: leaf, weight: 1 },
);
const trustedSetting = fc.oneof(
  {
    arbitrary: fc.array(fc.constantFrom(ARN("t"), ALIAS_ARN("alias/t"), ARN("u"), "t", ARN("bad_id")), {
      maxLength: 2,
    }),
    weight: 8,
  },
  { arbitrary: leaf, weight: 1 },
);
const liveSetting = fc.oneof({ arbitrary: fc.boolean(), weight: 8 }, { arbitrary: leaf, weight: 1 });
/** Which settings each policy takes (besides enforcementLevel). */
const SETTINGS: Record<string, string[]> = {
  [kmsKeyRotationEnabled.name]: ["exemptions"],
  [kmsKeyRotationPeriod.name]: ["minRotationPeriodInDays", "maxRotationPeriodInDays", "exemptions"],
  [redshiftClusterEncrypted.name]: ["exemptions"],
  [redshiftClusterKeyRotated.name]: ["minRotationPeriodInDays", "maxRotationPeriodInDays", "exemptions"],
  [redshiftClusterExternalKey.name]: [
    "minRotationPeriodInDays",
    "maxRotationPeriodInDays",
    "trustedKeyArns",
    "verifyExternalKeysLive",
    "exemptions",
  ],
  [redshiftClusterRotationOnKeyChange.name]: ["exemptions"],
};

const SETTING_ARBITRARIES: Record<string, fc.Arbitrary<unknown>> = {
  minRotationPeriodInDays: periodSetting,
  maxRotationPeriodInDays: periodSetting,
  exemptions: exemptionSetting,
  trustedKeyArns: trustedSetting,
  verifyExternalKeysLive: liveSetting,
};
/** The pack's policies in the pack's order: the resource policies first, then STACK_POLICIES. */
export const ALL_POLICIES = keyguardPolicies;
/** A policy and a config for it: its own settings (any subset), and now and then a setting it does not take. */
export const policyConfigArb = fc.nat({ max: ALL_POLICIES.length - 1 }).chain((which) =>
  fc.tuple(
    fc.constant(which),
    fc.record(Object.fromEntries(SETTINGS[ALL_POLICIES[which].name].map((name) => [name, SETTING_ARBITRARIES[name]])), {
      requiredKeys: [],
    }),
    fc.oneof(
      { arbitrary: fc.constant(null), weight: 9 },
      {
        arbitrary: fc.tuple(
          fc.constantFrom("surprise", "minRotationPeriodInDays", "trustedKeyArns", "exemptTag"),
          leaf,
        ),
        weight: 1,
      },
    ),
  ),
);

export function modelConfigIsValid(policy: string, config: Record<string, unknown>): boolean {
  const isPeriod = (v: unknown) =>
    v === undefined || (typeof v === "number" && Number.isInteger(v) && v >= 90 && v <= 2560);
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    if (!SETTINGS[policy].includes(key)) return false;
  }
  if (!isPeriod(config.minRotationPeriodInDays) || !isPeriod(config.maxRotationPeriodInDays)) return false;
  if (
    SETTINGS[policy].includes("minRotationPeriodInDays") &&
    ((config.minRotationPeriodInDays as number | undefined) ?? 90) >
      ((config.maxRotationPeriodInDays as number | undefined) ?? 365)
  )
    return false;
  const exemptions = config.exemptions;
  if (exemptions !== undefined && exemptions !== null) {
    if (!Array.isArray(exemptions)) return false;
    for (const e of exemptions) {
      if (typeof e !== "object" || e === null || Array.isArray(e)) return false;
      if (Object.keys(e).some((k) => k !== "resource" && k !== "reason")) return false;
      const { resource, reason } = e as Record<string, unknown>;
      if (typeof resource !== "string" || resource.trim() === "" || typeof reason !== "string" || reason.trim() === "")
        return false;
    }
  }
  const trusted = config.trustedKeyArns;
  if (trusted !== undefined && trusted !== null) {
    if (
      !Array.isArray(trusted) ||
      trusted.some(
        (t) =>
          typeof t !== "string" ||
          !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[A-Za-z0-9-]+|alias\/[A-Za-z0-9/_-]+)$/.test(t),
      )
    )
      return false;
  }
  const live = config.verifyExternalKeysLive;
  if (live !== undefined && live !== null && typeof live !== "boolean") return false;
  return true;
}

// ------------------------------------------------------------------------------------------------
// From a drawn case to what the policies are called with
// ------------------------------------------------------------------------------------------------

/** A resource case as the resource policies see it, and the rotation-period bounds to judge it with. */
export function resourceCaseInput(testCase: ResourceCase): {
  target: AnalyzerResource & { properties: Record<string, unknown> };
  bounds: Bounds;
} {
  const bounds = testCase.kind === "key" ? testCase.bounds : { min: 90, max: 365 };
  const type = testCase.kind === "key" ? testCase.key.type : testCase.type;
  const properties =
    testCase.kind === "key"
      ? testCase.wrapInSecret
        ? Object.fromEntries(Object.entries(keyProperties(testCase.key)).map(([k, v]) => [k, secret(v)]))
        : keyProperties(testCase.key)
      : testCase.kind === "cluster"
        ? (wireCopy({ encrypted: testCase.encrypted, kmsKeyId: testCase.kmsKeyId }) as Record<string, unknown>)
        : testCase.properties;
  return { target: { urn: urnOf(type, testCase.name), type, name: testCase.name, properties }, bounds };
}

/** A stack case as the stack policies see it: the stack, each policy's config, and the model's verdicts for a planned stack. */
export function stackCaseInput(testCase: StackCase): {
  resources: AnalyzerStackResource[];
  configs: Record<string, Record<string, unknown>>;
  plan?: BuiltStack;
} {
  const plan = testCase.kind === "plan" ? buildStack(testCase.plan, testCase.preview) : undefined;
  const resources = plan ? plan.resources : (testCase as { resources: AnalyzerStackResource[] }).resources;
  const bounds = testCase.kind === "plan" ? testCase.plan.bounds : { min: 90, max: 365 };
  const configs: Record<string, Record<string, unknown>> = {
    [redshiftClusterKeyRotated.name]: boundsConfig(bounds),
    [redshiftClusterExternalKey.name]:
      testCase.kind === "plan"
        ? { trustedKeyArns: testCase.plan.trustedExternal.map((id) => ARN(`external${id}`)) }
        : {},
    [redshiftClusterRotationOnKeyChange.name]: {},
  };
  return { resources, configs, ...(plan ? { plan } : {}) };
}

export type ConfigCase = [number, Record<string, unknown>, [string, unknown] | null];

/**
 * Runs drawn config cases: a resource policy judges a rotating key, a stack policy a one-cluster
 * stack, under the drawn config (both built once, for speed: the policies do not change them).
 */
export function configCaseRunner(): (testCase: ConfigCase) => {
  policy: (typeof ALL_POLICIES)[number];
  config: Record<string, unknown>;
  outcome: Promise<PolicyOutcome>;
} {
  const resourcePolicies = [kmsKeyRotationEnabled, kmsKeyRotationPeriod, redshiftClusterEncrypted];
  const keyResource = {
    urn: urnOf(RESOURCE_TYPES.kmsKey, "k"),
    type: RESOURCE_TYPES.kmsKey,
    name: "k",
    properties: { enableKeyRotation: true },
  };
  const keyProps = engineProps(keyResource.properties);
  const clusterStack = {
    built: engineStackResources([
      {
        urn: urnOf(RESOURCE_TYPES.redshiftCluster, "c"),
        type: RESOURCE_TYPES.redshiftCluster,
        name: "c",
        properties: { encrypted: "true", kmsKeyId: ARN("x") },
      },
    ]),
  };
  return ([which, ownSettings, extra]) => {
    const config: Record<string, unknown> = { ...ownSettings };
    if (extra) config[extra[0]] = extra[1];
    const outcome =
      which < resourcePolicies.length
        ? runResourcePolicy(resourcePolicies[which], keyResource, config, { props: keyProps })
        : runStackPolicy(STACK_POLICIES[which - resourcePolicies.length], clusterStack, config);
    return { policy: ALL_POLICIES[which], config, outcome };
  };
}
