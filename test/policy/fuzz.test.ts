/**
 * Property-based fuzzing (fast-check, seeded) of every keyguard policy through the pack's own entry
 * points (validateResource / remediateResource / validateStack, with arguments built through the
 * wire Struct and @pulumi/policy's deserializer and unknown proxy, see test/support/policyArgs.ts).
 *
 * - Malformed property bags for every resource type the pack reads: nulls, wrong types, -0, NaN,
 *   +-Infinity, 1e308, NaN-producing strings, huge strings, deep nesting, every unknown sentinel at
 *   every depth, secrets wrapping any value. No policy may throw, hang or trip the unknown proxy.
 * - Well-formed keys, clusters and stacks (up to 500 resources, random parents and dependencies):
 *   every verdict must agree with the plain reference model (test/support/policyFuzzCases.ts, with
 *   the generators), written from the rules, not from the pack's code.
 * - Random policy config: accepted exactly when the reference says it is valid, otherwise a
 *   PolicyConfigError naming the policy and the setting.
 *
 * Counts: KEYGUARD_FUZZ_RUNS (default and minimum 10,000) cases per policy; KEYGUARD_FUZZ_SEED
 * replays a run (fast-check prints the seed and path of any failure).
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { toStruct } from "../../engine";
import { PolicyConfigError } from "../../policy/config";
import { kmsKeyRotationEnabled } from "../../policy/policies/kms-key-rotation-enabled";
import { kmsKeyRotationPeriod } from "../../policy/policies/kms-key-rotation-period";
import { redshiftClusterEncrypted } from "../../policy/policies/redshift-cluster-encrypted";
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
} from "../support/policyArgs";
import {
  DEFAULT_FUZZ_SEED,
  STACK_POLICIES,
  type StackPlan,
  boundsConfig,
  configCaseRunner,
  keyProperties,
  modelClusterEncrypted,
  modelConfigIsValid,
  modelKeyRotationEnabled,
  modelKeyRotationPeriod,
  policyConfigArb,
  resourceCase,
  resourceCaseInput,
  stackCase,
  stackCaseInput,
} from "../support/policyFuzzCases";

const CI_MINIMUM_RUNS = 10_000;
const requestedRuns = Number(process.env.KEYGUARD_FUZZ_RUNS ?? CI_MINIMUM_RUNS);
if (!Number.isInteger(requestedRuns) || requestedRuns < 1) {
  throw new Error(`KEYGUARD_FUZZ_RUNS must be a whole number, got ${JSON.stringify(process.env.KEYGUARD_FUZZ_RUNS)}`);
}
/** The CI figure is a floor: the variable may raise the count, never lower it. */
const RUNS = Math.max(CI_MINIMUM_RUNS, requestedRuns);
const SEED = Number(process.env.KEYGUARD_FUZZ_SEED ?? DEFAULT_FUZZ_SEED);
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
        const { target, bounds } = resourceCaseInput(testCase);
        const { type, properties } = target;
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

describe("stack policies under fuzzing", () => {
  it(`never throw, and agree with the reference model on well-formed stacks of up to 500 resources (${RUNS} cases each)`, async () => {
    await fc.assert(
      fc.asyncProperty(stackCase, async (testCase) => {
        const { resources, configs, plan } = stackCaseInput(testCase);
        largestStack = Math.max(largestStack, resources.length);
        if (resources.length > 500)
          throw new Error(
            `generated a stack of ${resources.length} resources; the property is about stacks of up to 500`,
          );
        // Built once, shared by the three policies (validateStack does not change them).
        const built = { built: engineStackResources(resources, false) };
        const urns = new Set(resources.map((r) => r.urn));
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

describe("policy config under fuzzing", () => {
  it("is accepted exactly when valid, and otherwise refused with an error naming the policy and the setting", async () => {
    const runConfigCase = configCaseRunner();
    await fc.assert(
      fc.asyncProperty(policyConfigArb, async (testCase) => {
        const { policy, config, outcome } = runConfigCase(testCase);
        configCases++;
        const valid = modelConfigIsValid(policy.name, config);
        const error = await outcome.then(
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
