/**
 * `keyguard check` end to end: each example project (and the repository's own stack) runs under
 * the preview mocks in its own process and is judged by the real pack, launched as the engine
 * launches it. One pack serves the whole file; the programs run concurrently.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzerHost } from "../../engine";
import type { CliDependencies } from "../../gate/cli";
import { evaluate } from "../../gate/evaluate";
import { renderJunit, renderSarif, renderText } from "../../gate/report/formats";
import { buildReport, type Report } from "../../gate/report/report";
import { readPulumiProject } from "../../gate/program/pulumiProject";
import type { ResourceRecord } from "../../gate/resourceRecord";
import { runProgram, type ProgramRun } from "../../gate/program/runProgram";
import { RESOURCE_TYPES, SECRET_SIGNATURE, SPECIAL_SIGNATURE_KEY, UNKNOWN_STRING_SENTINEL } from "../../facts";
import { packBundleStaleness } from "../support/packBundle";
import { parseJunit, REPO_ROOT, runCli, sarifSchemaErrors, startSharedPack, type CliRun } from "./gateHarness";

let host: AnalyzerHost;
let dependencies: CliDependencies;
let outputDir: string;
const runs: Record<string, CliRun> = {};
let secretRun: ProgramRun;
let classFieldsRun: ProgramRun;

const examples = {
  compliant: "examples/compliant",
  unrotated: "examples/unrotated-key",
  longPeriod: "examples/rotation-period-too-long",
  asymmetric: "examples/asymmetric-key",
};

beforeAll(async () => {
  outputDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-check-"));
  ({ host, dependencies } = await startSharedPack());
  const secretProject = readPulumiProject(path.join(__dirname, "fixtures", "secret-everywhere"), undefined, undefined);
  const [compliant, unrotated, longPeriod, asymmetric, ownStack, secrets, classFields] = await Promise.all([
    runCli(["check", "--project", examples.compliant, "--format", "json"], dependencies),
    runCli(
      [
        "check",
        "--project",
        examples.unrotated,
        "--format",
        "sarif",
        "--output",
        path.join(outputDir, "unrotated.sarif"),
      ],
      dependencies,
    ),
    runCli(["check", "--project", examples.longPeriod, "--format", "junit"], dependencies),
    runCli(["check", "--project", examples.asymmetric, "--format", "json", "--strict-unknowns"], dependencies),
    // The README's main-job command: the repository's own stack, from the repository root.
    runCli(["check"], dependencies),
    runProgram(secretProject),
    runProgram(readPulumiProject(path.join(__dirname, "fixtures", "class-fields"), undefined, undefined)),
  ]);
  Object.assign(runs, { compliant, unrotated, longPeriod, asymmetric, ownStack });
  secretRun = secrets;
  classFieldsRun = classFields;
}, 60_000);

afterAll(async () => {
  await host?.close();
  if (outputDir) fs.rmSync(outputDir, { recursive: true, force: true });
});

function jsonReport(run: CliRun): Report {
  expect(run.stderr).not.toMatch(/keyguard: error/);
  return JSON.parse(run.stdout) as Report;
}

describe("keyguard check on the examples", () => {
  it("judges with the pack built from the current sources (policy/dist is no older than policy/ and facts/)", () => {
    expect(packBundleStaleness()).toBeUndefined();
  });

  it("passes the compliant example (EncryptedRedshiftCluster) with exit code 0 and no violation", () => {
    expect(runs.compliant.code).toBe(0);
    const report = jsonReport(runs.compliant);
    expect(report.summary).toMatchObject({ passed: true, exitCode: 0, mandatory: 0, violations: 0 });
    expect(report.violations).toEqual([]);
    const types = report.resources.map((resource) => resource.type);
    for (const type of [
      RESOURCE_TYPES.encryptedRedshiftCluster,
      RESOURCE_TYPES.kmsKey,
      RESOURCE_TYPES.kmsAlias,
      RESOURCE_TYPES.redshiftCluster,
      RESOURCE_TYPES.redshiftKeyRotation,
    ]) {
      expect(types).toContain(type);
    }
    // Resources a component creates are located at the program line that created the component.
    const cluster = report.resources.find((resource) => resource.type === RESOURCE_TYPES.redshiftCluster)!;
    expect(cluster.location).toEqual({ file: "examples/compliant/index.ts", line: 8, column: 19 });
    expect(report.policies.map((policy) => policy.name).sort()).toEqual([
      "kms-key-rotation-enabled",
      "kms-key-rotation-period",
      "redshift-cluster-encrypted",
      "redshift-cluster-external-key",
      "redshift-cluster-key-rotated",
      "redshift-cluster-rotation-on-key-change",
    ]);
  });

  it("fails the unrotated key with exit code 1 and writes schema-valid SARIF located at the declaring lines", () => {
    expect(runs.unrotated.code).toBe(1);
    expect(runs.unrotated.stdout).toBe("");
    expect(runs.unrotated.stderr).toContain("wrote the sarif report to");
    const sarif = JSON.parse(fs.readFileSync(path.join(outputDir, "unrotated.sarif"), "utf8"));
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(sarif.version).toBe("2.1.0");
    const run = sarif.runs[0];
    const ruleIds: string[] = run.tool.driver.rules.map((rule: { id: string }) => rule.id);
    expect(new Set(ruleIds).size).toBe(ruleIds.length);
    expect(ruleIds).toContain("kms-key-rotation-enabled");
    const errors = run.results.filter((result: { level: string }) => result.level === "error");
    const byRule = Object.fromEntries(errors.map((result: { ruleId: string }) => [result.ruleId, result]));
    expect(Object.keys(byRule).sort()).toEqual(["kms-key-rotation-enabled", "redshift-cluster-key-rotated"]);
    const keyResult = byRule["kms-key-rotation-enabled"];
    expect(ruleIds[keyResult.ruleIndex]).toBe("kms-key-rotation-enabled");
    expect(keyResult.locations[0].physicalLocation.artifactLocation.uri).toBe("examples/unrotated-key/index.ts");
    expect(keyResult.locations[0].physicalLocation.region.startLine).toBe(7);
    expect(keyResult.locations[0].logicalLocations[0].fullyQualifiedName).toBe(
      "urn:pulumi:dev::unrotated-key::pulumi:pulumi:Stack$aws:kms/key:Key::warehouse-key",
    );
    expect(byRule["redshift-cluster-key-rotated"].locations[0].physicalLocation.region.startLine).toBe(13);
    expect(keyResult.message.text).toMatch(/its enableKeyRotation is false/);
    // No temporary file is left next to the report.
    expect(fs.readdirSync(outputDir)).toEqual(["unrotated.sarif"]);
  });

  it("fails the rotation period above the bound with exit code 1 and one JUnit case per policy and resource", () => {
    expect(runs.longPeriod.code).toBe(1);
    const junit = parseJunit(runs.longPeriod.stdout);
    // 6 policies x 2 resources (key, cluster).
    expect(junit.suites.map((suite) => suite.name).sort()).toHaveLength(6);
    expect(junit.tests).toBe(12);
    const period = junit.suites.find((suite) => suite.name === "kms-key-rotation-period")!;
    const keyCase = period.testcase.find((testCase) => testCase.name.endsWith("::warehouse-key"))!;
    expect(keyCase.failure?.type).toBe("mandatory");
    expect(keyCase.failure?.message).toMatch(/730/);
    expect(keyCase.file).toBe("examples/rotation-period-too-long/index.ts");
    const rotated = junit.suites.find((suite) => suite.name === "redshift-cluster-key-rotated")!;
    expect(rotated.testcase.find((testCase) => testCase.name.endsWith("::warehouse"))!.failure?.type).toBe("mandatory");
    // The advisory finding passes, with its message kept.
    const advisory = junit.suites.find((suite) => suite.name === "redshift-cluster-rotation-on-key-change")!;
    const advisoryCase = advisory.testcase.find((testCase) => testCase.name.endsWith("::warehouse"))!;
    expect(advisoryCase.failure).toBeUndefined();
    expect(advisoryCase["system-out"]).toMatch(/^advisory: .*RedshiftKeyRotation/);
    expect(junit.failures).toBe(2);
  });

  it("fails the cluster encrypted with an asymmetric key through the stack policy, with exit code 1", () => {
    expect(runs.asymmetric.code).toBe(1);
    const report = jsonReport(runs.asymmetric);
    const mandatory = report.violations.filter((violation) => violation.enforcementLevel === "mandatory");
    expect(mandatory).toHaveLength(1);
    expect(mandatory[0]).toMatchObject({
      policyName: "redshift-cluster-key-rotated",
      urn: "urn:pulumi:dev::asymmetric-key::pulumi:pulumi:Stack$aws:redshift/cluster:Cluster::warehouse",
      resourceType: RESOURCE_TYPES.redshiftCluster,
      phase: "stack",
    });
    expect(mandatory[0].message).toMatch(/RSA_2048/);
    // The key itself is not a violation of the key policies: an asymmetric key cannot rotate at all.
    expect(report.violations.filter((violation) => violation.resourceType === RESOURCE_TYPES.kmsKey)).toEqual([]);
    expect(
      report.notApplicable.filter((entry) => entry.policyName === "kms-key-rotation-enabled").map((entry) => entry.urn),
    ).toContain("urn:pulumi:dev::asymmetric-key::pulumi:pulumi:Stack$aws:kms/key:Key::warehouse-key");
  });

  it("passes the repository's own stack program from the repository root (the README's main job)", () => {
    expect(runs.ownStack.code).toBe(0);
    expect(runs.ownStack.stdout).toMatch(/^keyguard check: keyguard\/dev with policy pack keyguard@/);
    expect(runs.ownStack.stdout).toMatch(/PASSED {2}\d+ resources, 6 policies, 0 findings: 0 mandatory/);
    // Not a terminal: no colour codes.
    expect(runs.ownStack.stdout).not.toContain("\u001b[");
    expect(runs.ownStack.stderr).toMatch(/keyguard: analyzed \d+\/\d+/);
  });
});

describe("the program under preview mocks", () => {
  const byName = (name: string) => secretRun.resources.find((resource) => resource.name === name)!;

  it("leaves what a preview cannot know unknown, and links the cluster's key through its property dependencies", () => {
    const key = byName("secret-key");
    const cluster = byName("secret-cluster");
    expect(key.outputs.arn).toBe(UNKNOWN_STRING_SENTINEL);
    expect(key.outputs.keyId).toBe(UNKNOWN_STRING_SENTINEL);
    expect(key.inputs.arn).toBeUndefined();
    // Unset optional inputs stay unset, as in a real preview (they are not computed outputs).
    expect("customKeyStoreId" in key.outputs).toBe(false);
    expect(cluster.inputs.kmsKeyId).toBe(UNKNOWN_STRING_SENTINEL);
    expect(cluster.propertyDependencies.kmsKeyId).toEqual([key.urn]);
    expect(cluster.dependencies).toContain(key.urn);
    expect(cluster.parent).toBe("urn:pulumi:dev::secret-everywhere::pulumi:pulumi:Stack::secret-everywhere-dev");
    expect(cluster.sourceLocation).toMatchObject({
      file: path.join(__dirname, "fixtures", "secret-everywhere", "index.ts"),
      line: 16,
    });
  });

  it("compiles the program with its project's tsconfig, so declared output fields keep what Pulumi set", () => {
    const cluster = classFieldsRun.resources.find((resource) => resource.name === "class-fields-cluster")!;
    expect(cluster.inputs.kmsKeyId).toBe("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
  });

  it("keeps secrets secret in the recorded state, secure config included", () => {
    const key = byName("secret-key");
    const cluster = byName("secret-cluster");
    const secret = (value: unknown) => ({ [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE, value });
    expect(key.inputs.rotationPeriodInDays).toEqual(secret(731));
    // A secure: value cannot be decrypted offline: the program gets an unknown secret, never a stand-in
    // value, and the SDK sends an unknown as the bare sentinel (secret or not), as in a preview.
    expect(key.inputs.description).toBe(UNKNOWN_STRING_SENTINEL);
    expect(secretRun.undecryptedConfigRead).toEqual(["secret-everywhere:keyDescription"]);
    expect(cluster.inputs.masterPassword).toEqual(secret("Hunter2-Very-Secret-Password"));
    expect(cluster.outputs.masterPassword).toEqual(secret("Hunter2-Very-Secret-Password"));
    expect(cluster.inputs.clusterIdentifier).toEqual(secret("zebra-secret-cluster"));
  });

  it("never prints a secret in any format, although the pack's messages quote them", async () => {
    const evaluation = await evaluate(host, secretRun.resources, {
      mode: "check",
      stack: { project: "secret-everywhere", stack: "dev" },
      packDir: "policy",
      policyConfig: {},
    });
    // The pack does see the secret values and quotes them (this is what must be masked).
    const rawMessages = evaluation.findings.map((finding) => finding.message).join("\n");
    expect(rawMessages).toContain("731");
    const report = buildReport(evaluation, { toolVersion: "test", strictUnknowns: false, baseDir: REPO_ROOT });
    expect(report.summary.mandatory).toBeGreaterThan(0);
    const outputs = [
      JSON.stringify(report),
      renderSarif(report),
      renderJunit(report),
      renderText(report, { color: true }),
    ];
    for (const output of outputs) {
      for (const secretValue of ["731", "zebra-secret-cluster", "Hunter2-Very-Secret-Password"]) {
        expect(output).not.toContain(secretValue);
      }
      expect(output).toContain("[secret]");
    }
    expect(sarifSchemaErrors(JSON.parse(outputs[1]))).toEqual([]);
  });
});

describe("a policy at level remediate, as pulumi preview runs it", () => {
  const stackUrn = "urn:pulumi:dev::remediated::pulumi:pulumi:Stack::remediated-dev";
  const keyUrn = "urn:pulumi:dev::remediated::pulumi:pulumi:Stack$aws:kms/key:Key::unrotated";
  const clusterUrn = "urn:pulumi:dev::remediated::pulumi:pulumi:Stack$aws:redshift/cluster:Cluster::warehouse";
  const records = (): ResourceRecord[] => [
    {
      urn: keyUrn,
      type: RESOURCE_TYPES.kmsKey,
      name: "unrotated",
      custom: true,
      parent: stackUrn,
      dependencies: [],
      propertyDependencies: {},
      inputs: { enableKeyRotation: false, description: "kept as it was", tags: { team: "data", env: "prod" } },
      outputs: { enableKeyRotation: false, description: "kept as it was", arn: UNKNOWN_STRING_SENTINEL },
    },
    {
      urn: clusterUrn,
      type: RESOURCE_TYPES.redshiftCluster,
      name: "warehouse",
      custom: true,
      parent: stackUrn,
      dependencies: [keyUrn],
      propertyDependencies: { kmsKeyId: [keyUrn] },
      inputs: { encrypted: "true", kmsKeyId: UNKNOWN_STRING_SENTINEL, clusterIdentifier: "warehouse" },
      outputs: { encrypted: "true", kmsKeyId: UNKNOWN_STRING_SENTINEL, clusterIdentifier: "warehouse" },
    },
  ];
  const run = (mode: "check" | "audit") =>
    evaluate(host, records(), {
      mode,
      stack: { project: "remediated", stack: "dev" },
      packDir: "policy",
      policyConfig: { "kms-key-rotation-enabled": "remediate" },
    });

  it("check remediates before it analyzes (inputs and the stack's outputs), so the gate passes what the preview passes, and reports the change", async () => {
    const report = buildReport(await run("check"), { toolVersion: "test", strictUnknowns: true, baseDir: REPO_ROOT });
    expect(report.violations.filter((violation) => violation.enforcementLevel === "mandatory")).toEqual([]);
    expect(report.summary.exitCode).toBe(0);
    const remediated = report.violations.filter((violation) => violation.enforcementLevel === "remediate");
    expect(remediated).toHaveLength(1);
    expect(remediated[0]).toMatchObject({
      policyName: "kms-key-rotation-enabled",
      urn: keyUrn,
      undecidedUnknown: false,
    });
    expect(remediated[0].message).toMatch(/sets enableKeyRotation to true/);
    expect(remediated[0].message).not.toMatch(/description|tags/);
    expect(report.summary).toMatchObject({ mandatory: 0, remediated: 1 });
    expect(renderText(report, { color: false })).toMatch(/PASSED .*0 mandatory, \d+ advisory, 1 remediated/);
  });

  it("audit judges the deployed state, which no remediation has touched: still a mandatory violation", async () => {
    const report = buildReport(await run("audit"), { toolVersion: "test", strictUnknowns: false, baseDir: REPO_ROOT });
    expect(
      report.violations
        .filter((violation) => violation.enforcementLevel === "mandatory")
        .map((violation) => violation.policyName)
        .sort(),
    ).toEqual(["kms-key-rotation-enabled", "redshift-cluster-key-rotated"]);
    expect(report.summary.exitCode).toBe(1);
  });
});
