/**
 * The verdict kind travels from the pack to the gate as data (policy/verdictCodec.ts), not as
 * wording: the three `redshift-cluster-key-rotated` verdicts that are "unknown in preview" whatever
 * their text says (an alias chain too long to follow, an alias with no targetKeyId, a kmsKeyId that
 * is not a key reference), judged by the real pack launched as the engine launches it, are counted
 * by --strict-unknowns; a fix that only works before an update is left out of an audit.
 * (test/policy/fuzz.test.ts checks every verdict of every policy on the fuzz corpus the same way.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzerHost } from "../../engine";
import { evaluate, type Evaluation } from "../../gate/evaluate";
import { buildReport } from "../../gate/report/report";
import type { ResourceRecord } from "../../gate/resourceRecord";
import { RESOURCE_TYPES } from "../../facts";
import { REPO_ROOT, startSharedPack } from "./gateHarness";

let host: AnalyzerHost;
beforeAll(async () => {
  ({ host } = await startSharedPack());
}, 60_000);
afterAll(async () => {
  await host?.close();
});

const urnOf = (type: string, name: string) => `urn:pulumi:dev::kinds::pulumi:pulumi:Stack$${type}::${name}`;
function record(type: string, name: string, props: Record<string, unknown>): ResourceRecord {
  return {
    urn: urnOf(type, name),
    type,
    name,
    custom: true,
    dependencies: [],
    propertyDependencies: {},
    inputs: props,
    outputs: props,
  };
}
const cluster = (name: string, kmsKeyId: unknown) =>
  record(RESOURCE_TYPES.redshiftCluster, name, {
    clusterIdentifier: name,
    encrypted: "true",
    kmsKeyId,
    nodeType: "ra3.large",
    masterUsername: "admin",
  });

/** Eleven aliases, each pointing at the next: more than the pack follows. */
const chain = Array.from({ length: 11 }, (_, index) =>
  record(RESOURCE_TYPES.kmsAlias, `a${index}`, { name: `alias/a${index}`, targetKeyId: `alias/a${index + 1}` }),
);
const records: ResourceRecord[] = [
  ...chain,
  cluster("via-long-chain", "alias/a0"),
  record(RESOURCE_TYPES.kmsAlias, "dangling", { name: "alias/dangling" }),
  cluster("via-dangling-alias", "alias/dangling"),
  cluster("with-numeric-key", 42),
];

async function run(mode: Evaluation["mode"], policyConfig: Record<string, unknown>): Promise<Evaluation> {
  return evaluate(host, records, {
    mode,
    stack: { project: "kinds", stack: "dev" },
    packDir: "policy",
    policyConfig: policyConfig as never,
  });
}

describe("verdict kinds from the pack", () => {
  it("counts the unknown-in-preview verdicts whose text does not say 'unknown during preview' under --strict-unknowns", async () => {
    // At level advisory, only --strict-unknowns turns them into failures.
    const evaluation = await run("check", { "redshift-cluster-key-rotated": "advisory" });
    const rotated = evaluation.findings.filter((finding) => finding.policyName === "redshift-cluster-key-rotated");
    expect(rotated.map((finding) => [finding.resourceName, finding.verdict])).toEqual([
      ["via-long-chain", "unknown-in-preview"],
      ["via-dangling-alias", "unknown-in-preview"],
      ["with-numeric-key", "unknown-in-preview"],
    ]);
    expect(rotated.map((finding) => finding.message)).toEqual([
      expect.stringContaining("forms a chain of aliases too long to follow"),
      expect.stringContaining("has no targetKeyId"),
      expect.stringContaining("not a key reference"),
    ]);
    for (const finding of rotated) expect(finding.message).not.toMatch(/unknown during preview/);
    const lenient = buildReport(evaluation, { toolVersion: "1", strictUnknowns: false, baseDir: REPO_ROOT });
    const strict = buildReport(evaluation, { toolVersion: "1", strictUnknowns: true, baseDir: REPO_ROOT });
    expect(lenient.summary.undecidedUnknowns).toBeGreaterThanOrEqual(3);
    expect(strict.summary.undecidedUnknowns).toBe(lenient.summary.undecidedUnknowns);
    expect(
      lenient.violations
        .filter((violation) => violation.policyName === "redshift-cluster-key-rotated")
        .every((violation) => violation.undecidedUnknown),
    ).toBe(true);
    expect(strict.summary.exitCode).toBe(1);
  });

  it("keeps the 'remediate' fix in a check and leaves it out of an audit of deployed state", async () => {
    const key = record(RESOURCE_TYPES.kmsKey, "k", {});
    const stack = { project: "kinds", stack: "dev" };
    const [check, audit] = await Promise.all(
      (["check", "audit"] as const).map((mode) =>
        evaluate(host, [key], { mode, stack, packDir: "policy", policyConfig: {} }),
      ),
    );
    const message = (evaluation: Evaluation) =>
      evaluation.findings.find((finding) => finding.policyName === "kms-key-rotation-enabled")!.message;
    expect(message(check)).toContain(
      `its enableKeyRotation is not set (AWS's default: rotation off); required: true. Fix: set enableKeyRotation: true on the key`,
    );
    expect(message(check)).toContain(`Or, before an update: set this policy's enforcement level to "remediate"`);
    expect(message(audit)).toContain("Fix: set enableKeyRotation: true on the key");
    expect(message(audit)).not.toContain("remediate");
    // The policy's remediation steps (SARIF rule help, JSON policies) likewise.
    const steps = (evaluation: Evaluation) =>
      buildReport(evaluation, { toolVersion: "1", strictUnknowns: false, baseDir: REPO_ROOT }).policies.find(
        (policy) => policy.name === "kms-key-rotation-enabled",
      )!.remediationSteps;
    expect(steps(check)).toBe(
      `Set enableKeyRotation: true on the aws.kms.Key. Or, before an update: run this policy at enforcement level "remediate".`,
    );
    expect(steps(audit)).toBe("Set enableKeyRotation: true on the aws.kms.Key.");
  });
});
