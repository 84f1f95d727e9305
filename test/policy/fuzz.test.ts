/**
 * Property-based fuzzing (fast-check, seeded) of every keyguard policy through the pack's own entry
 * points (validateResource / remediateResource / validateStack, with arguments built through the
 * wire Struct and @pulumi/policy's deserializer and unknown proxy, see test/support/policyArgs.ts).
 *
 * - Malformed property bags for every resource type the pack reads: nulls, wrong types, -0, NaN,
 *   +-Infinity, 1e308, NaN-producing strings, huge strings, deep nesting, every unknown sentinel at
 *   every depth, secrets wrapping any value. No policy may throw, hang or trip the unknown proxy.
 * - Well-formed keys, clusters and stacks (up to 500 resources, random parents and dependencies):
 *   every verdict must agree with the plain reference model below, written from the rules, not
 *   from the pack's code.
 * - Random policy config: accepted exactly when the reference says it is valid, otherwise a
 *   PolicyConfigError naming the policy and the setting.
 *
 * Counts: KEYGUARD_FUZZ_RUNS (default and minimum 10,000) cases per policy; KEYGUARD_FUZZ_SEED
 * replays a run (fast-check prints the seed and path of any failure).
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { RESOURCE_TYPES, UNKNOWN_SENTINELS } from "../../facts";
import { type AnalyzerStackResource, UNKNOWN, secret, toStruct } from "../../engine";
import { PolicyConfigError } from "../../policy/config";
import { kmsKeyRotationEnabled } from "../../policy/policies/kms-key-rotation-enabled";
import { kmsKeyRotationPeriod } from "../../policy/policies/kms-key-rotation-period";
import { redshiftClusterEncrypted } from "../../policy/policies/redshift-cluster-encrypted";
import { redshiftClusterExternalKey } from "../../policy/policies/redshift-cluster-external-key";
import { redshiftClusterKeyRotated } from "../../policy/policies/redshift-cluster-key-rotated";
import { redshiftClusterRotationOnKeyChange } from "../../policy/policies/redshift-cluster-rotation-on-key-change";
import { findingKind } from "../../gate/evaluate";
import { rawProps, type Verdict } from "../../policy/verdict";
import {
  type PolicyOutcome,
  engineProps,
  engineStackResources,
  runRemediation,
  runResourcePolicy,
  runStackPolicy,
  wireCopy,
} from "../support/policyArgs";

const CI_MINIMUM_RUNS = 10_000;
const requestedRuns = Number(process.env.KEYGUARD_FUZZ_RUNS ?? CI_MINIMUM_RUNS);
if (!Number.isInteger(requestedRuns) || requestedRuns < 1) {
  throw new Error(`KEYGUARD_FUZZ_RUNS must be a whole number, got ${JSON.stringify(process.env.KEYGUARD_FUZZ_RUNS)}`);
}
/** The CI figure is a floor: the variable may raise the count, never lower it. */
const RUNS = Math.max(CI_MINIMUM_RUNS, requestedRuns);
const SEED = Number(process.env.KEYGUARD_FUZZ_SEED ?? 20261122);
const PER_RUN_TIMEOUT_MS = 5_000;

const counts: Record<
  string,
  { cases: number; checkedAgainstModel: number; violations: number; notApplicable: number }
> = {};
function count(policy: string, outcome: PolicyOutcome, checked: boolean): void {
  const entry = (counts[policy] ??= { cases: 0, checkedAgainstModel: 0, violations: 0, notApplicable: 0 });
  entry.cases++;
  if (checked) entry.checkedAgainstModel++;
  if (outcome.violations.length > 0) entry.violations++;
  if (outcome.notApplicable !== undefined) entry.notApplicable++;
}
let largestStack = 0;
let configCases = 0;
let configErrors = 0;

afterAll(() => {
  const lines = Object.entries(counts).map(
    ([policy, c]) =>
      `  ${policy.padEnd(42)} ${String(c.cases).padStart(6)} cases, ${String(c.checkedAgainstModel).padStart(6)} checked against the model, ${c.violations} with violations, ${c.notApplicable} not applicable`,
  );
  console.log(
    `keyguard policy fuzzing (seed ${SEED}, KEYGUARD_FUZZ_RUNS ${RUNS}):\n${lines.join("\n")}\n  unknown-in-preview verdicts decoded as such by the gate: ${JSON.stringify(unknownVerdictsDecoded)}\n  largest stack: ${largestStack} resources; config cases: ${configCases} (${configErrors} rejected with a clear error)`,
  );
});

const STACK = "urn:pulumi:fuzz::keyguard";
const urnOf = (type: string, name: string) => `${STACK}::${type}::${name}`;
const ARN = (id: string) => `arn:aws:kms:us-east-1:111122223333:key/${id}`;
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

interface Bounds {
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
function modelKeyRotationEnabled(key: KeyModel): "violation" | "n/a" | "ok" {
  if (!modelCanRotate(key)) return "n/a";
  return key.enableKeyRotation === true ? "ok" : "violation";
}
function modelKeyRotationPeriod(key: KeyModel, bounds: Bounds): "violation" | "n/a" | "ok" {
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
const boundsConfig = (bounds: Bounds) => ({ minRotationPeriodInDays: bounds.min, maxRotationPeriodInDays: bounds.max });

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

function keyProperties(key: KeyModel, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { type: _type, ...properties } = key;
  return { ...properties, ...extra };
}

// ------------------------------------------------------------------------------------------------
// Resource policies
// ------------------------------------------------------------------------------------------------

type ResourceCase =
  | { kind: "key"; key: KeyModel; name: string; bounds: Bounds; wrapInSecret: boolean }
  | { kind: "cluster"; type: string; encrypted: unknown; kmsKeyId: string | undefined; name: string }
  | { kind: "malformed"; type: string; name: string; properties: Record<string, unknown> };

const CLUSTER_TYPES_LIST = [
  RESOURCE_TYPES.redshiftCluster,
  RESOURCE_TYPES.nativeRedshiftCluster,
  RESOURCE_TYPES.redshiftServerlessNamespace,
];
const resourceCase: fc.Arbitrary<ResourceCase> = fc.oneof(
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

function modelClusterEncrypted(type: string, encrypted: unknown, kmsKeyId: string | undefined): "violation" | "ok" {
  const customerManaged =
    kmsKeyId !== undefined && kmsKeyId !== "alias/aws/redshift" && !kmsKeyId.endsWith(":alias/aws/redshift");
  return modelIsEncrypted(type, encrypted) && customerManaged ? "ok" : "violation";
}

function expectOutcome(outcome: PolicyOutcome, expected: "violation" | "n/a" | "ok", context: unknown): void {
  const got = outcome.violations.length > 0 ? "violation" : outcome.notApplicable !== undefined ? "n/a" : "ok";
  if (got !== expected)
    throw new Error(
      `model says ${expected}, policy says ${got}: ${JSON.stringify(outcome)} for ${JSON.stringify(context)}`,
    );
}

/** Plain checks (no expect() in the hot loop): no unknown tripped, every report non-empty and naming the resource. */
function expectWellBehaved(outcome: PolicyOutcome, urn: string): void {
  if (outcome.unknownValueError !== undefined)
    throw new Error(`tripped the unknown proxy: ${outcome.unknownValueError}`);
  for (const violation of outcome.violations) {
    if (typeof violation.message !== "string" || violation.message.length === 0)
      throw new Error(`empty violation message for ${urn}`);
    if (violation.urn === undefined && !violation.message.includes(urn))
      throw new Error(`violation does not name ${urn}: ${violation.message}`);
    if (!violation.message.includes("required") || !violation.message.includes("Fix:"))
      throw new Error(`violation does not say what is required and how to fix it: ${violation.message}`);
  }
}

/**
 * Every violation a policy reported decodes, through the gate's own decoder, to the kind of the
 * verdict behind it: an unknown-in-preview verdict is counted by --strict-unknowns whatever its text
 * says, and a non-compliant one never is.
 */
const unknownVerdictsDecoded: Record<string, number> = {};
function expectKindsDecoded(policy: string, verdicts: readonly Verdict[], outcome: PolicyOutcome): void {
  const reported = verdicts.filter(
    (verdict) => verdict.kind === "non-compliant" || verdict.kind === "unknown-in-preview",
  );
  if (reported.length !== outcome.violations.length)
    throw new Error(`${policy}: ${reported.length} verdicts to report, ${outcome.violations.length} reported`);
  reported.forEach((verdict, index) => {
    const kind = findingKind(outcome.violations[index].message);
    if (kind !== verdict.kind)
      throw new Error(
        `${policy}: a ${verdict.kind} verdict reaches the gate as ${kind}: ${outcome.violations[index].message}`,
      );
    if (kind === "unknown-in-preview") unknownVerdictsDecoded[policy] = (unknownVerdictsDecoded[policy] ?? 0) + 1;
  });
}

/** Deep equality with Object.is at the leaves (so -0 and NaN count). */
function sameWireValue(a: unknown, b: unknown): boolean {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => sameWireValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
const STRUCT_EQUIVALENCE_SAMPLE = 300;
let structChecks = 0;

describe("resource policies under fuzzing", () => {
  it(`never throw, never trip the unknown proxy, and agree with the reference model (${RUNS} cases each)`, async () => {
    await fc.assert(
      fc.asyncProperty(resourceCase, async (testCase) => {
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
        const target = { urn: urnOf(type, testCase.name), type, name: testCase.name, properties };
        // The generated bags are already what the Struct round trip yields (no undefined anywhere), so
        // they are handed over as they are; a sample checks that against the real google.protobuf.Struct.
        if (structChecks < STRUCT_EQUIVALENCE_SAMPLE) {
          structChecks++;
          if (!sameWireValue(properties, toStruct(properties).toJavaScript()))
            throw new Error(`the bag is not what the Struct round trip gives: ${JSON.stringify(properties)}`);
        }
        // One engine-shaped bag shared by the three validations (validateResource does not write to it).
        const props = engineProps(properties, false, false);
        const enabled = await runResourcePolicy(kmsKeyRotationEnabled, target, {}, { props });
        const period = await runResourcePolicy(kmsKeyRotationPeriod, target, boundsConfig(bounds), { props });
        const encrypted = await runResourcePolicy(redshiftClusterEncrypted, target, {}, { props });
        const remediation = await runRemediation(kmsKeyRotationEnabled, target, {}, false);
        for (const outcome of [enabled, period, encrypted]) expectWellBehaved(outcome, target.urn);
        const input = { urn: target.urn, type, name: testCase.name, props: rawProps(props) };
        expectKindsDecoded(kmsKeyRotationEnabled.name, [kmsKeyRotationEnabled.verdict(input, {})], enabled);
        expectKindsDecoded(
          kmsKeyRotationPeriod.name,
          [kmsKeyRotationPeriod.verdict(input, boundsConfig(bounds))],
          period,
        );
        expectKindsDecoded(redshiftClusterEncrypted.name, [redshiftClusterEncrypted.verdict(input, {})], encrypted);
        if (remediation.unknownValueError !== undefined)
          throw new Error(`remediation tripped the unknown proxy: ${remediation.unknownValueError}`);
        const wellFormed = testCase.kind !== "malformed";
        count(kmsKeyRotationEnabled.name, enabled, wellFormed);
        count(kmsKeyRotationPeriod.name, period, wellFormed);
        count(redshiftClusterEncrypted.name, encrypted, wellFormed);
        if (testCase.kind === "key") {
          expectOutcome(enabled, modelKeyRotationEnabled(testCase.key), testCase);
          expectOutcome(period, modelKeyRotationPeriod(testCase.key, bounds), testCase);
          expectOutcome(encrypted, "n/a", testCase);
          const shouldRemediate = modelKeyRotationEnabled(testCase.key) === "violation";
          if ((remediation.properties === undefined) !== !shouldRemediate)
            throw new Error(
              `remediation ${shouldRemediate ? "missing" : "unexpected"} for ${JSON.stringify(testCase)}`,
            );
          if (
            shouldRemediate &&
            !testCase.wrapInSecret &&
            !sameWireValue(remediation.properties, { ...keyProperties(testCase.key), enableKeyRotation: true })
          ) {
            throw new Error(
              `remediation changed more than enableKeyRotation: ${JSON.stringify(remediation.properties)} for ${JSON.stringify(testCase)}`,
            );
          }
        } else if (testCase.kind === "cluster") {
          expectOutcome(enabled, "n/a", testCase);
          expectOutcome(period, "n/a", testCase);
          expectOutcome(
            encrypted,
            modelClusterEncrypted(testCase.type, testCase.encrypted, testCase.kmsKeyId),
            testCase,
          );
        }
      }),
      { numRuns: RUNS, seed: SEED, timeout: PER_RUN_TIMEOUT_MS, endOnFailure: true },
    );
    expect(structChecks).toBe(STRUCT_EQUIVALENCE_SAMPLE);
  }, 120_000);
});

// ------------------------------------------------------------------------------------------------
// Stack policies
// ------------------------------------------------------------------------------------------------

/** How a cluster names its key in a well-formed stack. */
type KeyReference = "arn" | "keyId" | "aliasName" | "aliasArn" | "dependency" | "aliasDependency";

interface StackPlan {
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

interface BuiltStack {
  resources: AnalyzerStackResource[];
  expected: Record<string, Set<string>>;
  clusterUrns: string[];
}

/** Builds the stack the engine would send (outputs, with unknowns where a preview has them) and the model's verdicts. */
function buildStack(plan: StackPlan, preview: boolean): BuiltStack {
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

const STACK_POLICIES = [redshiftClusterKeyRotated, redshiftClusterExternalKey, redshiftClusterRotationOnKeyChange];

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

type StackCase =
  { kind: "plan"; plan: StackPlan; preview: boolean } | { kind: "malformed"; resources: AnalyzerStackResource[] };
const stackCase: fc.Arbitrary<StackCase> = fc.oneof(
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

describe("stack policies under fuzzing", () => {
  it(`never throw, and agree with the reference model on well-formed stacks of up to 500 resources (${RUNS} cases each)`, async () => {
    await fc.assert(
      fc.asyncProperty(stackCase, async (testCase) => {
        const plan = testCase.kind === "plan" ? buildStack(testCase.plan, testCase.preview) : undefined;
        const resources = plan ? plan.resources : (testCase as { resources: AnalyzerStackResource[] }).resources;
        largestStack = Math.max(largestStack, resources.length);
        if (resources.length > 500)
          throw new Error(
            `generated a stack of ${resources.length} resources; the property is about stacks of up to 500`,
          );
        // Built once, shared by the three policies (validateStack does not change them).
        const built = { built: engineStackResources(resources, false) };
        const bounds = testCase.kind === "plan" ? testCase.plan.bounds : { min: 90, max: 365 };
        const urns = new Set(resources.map((r) => r.urn));
        const configs: Record<string, Record<string, unknown>> = {
          [redshiftClusterKeyRotated.name]: boundsConfig(bounds),
          [redshiftClusterExternalKey.name]:
            testCase.kind === "plan"
              ? { trustedKeyArns: testCase.plan.trustedExternal.map((id) => ARN(`external${id}`)) }
              : {},
          [redshiftClusterRotationOnKeyChange.name]: {},
        };
        for (const policy of STACK_POLICIES) {
          const outcome = await runStackPolicy(policy, built, configs[policy.name]);
          if (outcome.unknownValueError !== undefined)
            throw new Error(`${policy.name} tripped the unknown proxy: ${outcome.unknownValueError}`);
          if (outcome.violations.length > 0) {
            const verdicts = await policy.verdicts(built.built, configs[policy.name]);
            expectKindsDecoded(
              policy.name,
              verdicts.map((entry) => entry.verdict),
              outcome,
            );
          }
          for (const violation of outcome.violations) {
            if (violation.message.length === 0 || !urns.has(violation.urn!))
              throw new Error(
                `${policy.name}: a report must name a resource of the stack: ${JSON.stringify(violation)}`,
              );
            if (
              !violation.message.includes(violation.urn!) ||
              !violation.message.includes("required") ||
              !violation.message.includes("Fix:")
            ) {
              throw new Error(
                `${policy.name}: a report must name the resource, what is required and how to fix it: ${violation.message}`,
              );
            }
          }
          count(policy.name, outcome, plan !== undefined);
          if (plan) {
            const reported = new Set(outcome.violations.map((v) => v.urn!));
            const expected = plan.expected[policy.name];
            if ([...reported].sort().join("\n") !== [...expected].sort().join("\n")) {
              throw new Error(
                `${policy.name}: model expects ${JSON.stringify([...expected])}, policy reported ${JSON.stringify(outcome.violations)}\nplan: ${JSON.stringify((testCase as { plan: StackPlan }).plan)}`,
              );
            }
          }
        }
      }),
      { numRuns: RUNS, seed: SEED, timeout: PER_RUN_TIMEOUT_MS, endOnFailure: true },
    );
    expect(largestStack, "large stacks were generated").toBeGreaterThan(250);
    // The corpus reaches unknown-in-preview verdicts of the stack policies, each decoded as one.
    expect(unknownVerdictsDecoded[redshiftClusterKeyRotated.name] ?? 0).toBeGreaterThan(0);
    expect(unknownVerdictsDecoded[redshiftClusterRotationOnKeyChange.name] ?? 0).toBeGreaterThan(0);
  }, 120_000);
});

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
const ALL_POLICIES = [
  kmsKeyRotationEnabled,
  kmsKeyRotationPeriod,
  redshiftClusterEncrypted,
  redshiftClusterKeyRotated,
  redshiftClusterExternalKey,
  redshiftClusterRotationOnKeyChange,
];
/** A policy and a config for it: its own settings (any subset), and now and then a setting it does not take. */
const policyConfigArb = fc.nat({ max: ALL_POLICIES.length - 1 }).chain((which) =>
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

function modelConfigIsValid(policy: string, config: Record<string, unknown>): boolean {
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

describe("policy config under fuzzing", () => {
  it("is accepted exactly when valid, and otherwise refused with an error naming the policy and the setting", async () => {
    const policies = [kmsKeyRotationEnabled, kmsKeyRotationPeriod, redshiftClusterEncrypted];
    const stackPolicies = STACK_POLICIES;
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
    await fc.assert(
      fc.asyncProperty(policyConfigArb, async ([which, ownSettings, extra]) => {
        const config: Record<string, unknown> = { ...ownSettings };
        if (extra) config[extra[0]] = extra[1];
        const policy = ALL_POLICIES[which];
        configCases++;
        const valid = modelConfigIsValid(policy.name, config);
        const run =
          which < 3
            ? runResourcePolicy(policies[which], keyResource, config, { props: keyProps })
            : runStackPolicy(stackPolicies[which - 3], clusterStack, config);
        const error = await run.then(
          () => undefined,
          (e: unknown) => e,
        );
        if (valid && error !== undefined)
          throw new Error(`valid config refused by ${policy.name}: ${String(error)} for ${JSON.stringify(config)}`);
        if (!valid) {
          configErrors++;
          if (!(error instanceof PolicyConfigError))
            throw new Error(
              `invalid config not refused with a PolicyConfigError by ${policy.name}: ${String(error)} for ${JSON.stringify(config)}`,
            );
          if (!error.message.startsWith(`keyguard policy config: ${policy.name}.`))
            throw new Error(`error does not name the policy and setting: ${error.message}`);
        }
      }),
      { numRuns: Math.max(2_000, Math.floor(RUNS / 5)), seed: SEED, endOnFailure: true },
    );
    // Both sides of the rule were exercised.
    expect(configErrors).toBeGreaterThan(configCases / 10);
    expect(configErrors).toBeLessThan(configCases * 0.9);
  }, 60_000);
});
