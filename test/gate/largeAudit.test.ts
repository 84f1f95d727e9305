/**
 * Audits scale: a 4,000-resource export is judged whole (every resource counted, every cluster's
 * finding reported and located on its line), its JSON report written in chunks that read back as
 * the report; inputs nested thousands deep and config larger than an environment variable get a
 * clear error or simply work, never `Maximum call stack size exceeded` or `spawn E2BIG`. The
 * 200,000-resource run and its timings live in the bench (`npm run bench -- --only audit`).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzerHost } from "../../engine";
import { RESOURCE_TYPES } from "../../facts";
import { writeShapedStackExport } from "../../bench/shapedStackExport";
import { runCli, startSharedPack } from "./gateHarness";
import { stackExport } from "./stackExportFixture";
import type { CliDependencies } from "../../gate/cli";

const RESOURCES = 4_000;
let directory: string;
let host: AnalyzerHost;
let dependencies: CliDependencies;

beforeAll(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-large-"));
  ({ host, dependencies } = await startSharedPack());
});
afterAll(async () => {
  await host?.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

/** The JSON text of `levels` objects nested in one another (built as text: JSON.stringify would overflow). */
function nestedJson(levels: number): string {
  return `${'{"inner":'.repeat(levels)}"bottom"${"}".repeat(levels)}`;
}

/** `document` as JSON with the string "DEEP" replaced by 5,000 nested levels. */
function withDeepValue(document: unknown): string {
  return JSON.stringify(document).replace('"DEEP"', nestedJson(5_000));
}

describe(`an audit of a ${RESOURCES.toLocaleString("en-US")}-resource export`, () => {
  it("judges every resource, locates every finding on its resource's line, and writes the JSON report in chunks that read back whole", async () => {
    const exportFile = path.join(directory, "large.json");
    writeShapedStackExport(exportFile, "keysAndClusters", RESOURCES, "compact");
    const reportFile = path.join(directory, "large-report.json");
    const run = await runCli(
      ["audit", "--stack-export", exportFile, "--format", "json", "--output", reportFile],
      dependencies,
    );
    expect(run.stderr).not.toMatch(/error/);
    const exportLines = fs.readFileSync(exportFile, "utf8").split("\n");
    const clusters = exportLines.filter((line) => line.includes(`"type":"${RESOURCE_TYPES.redshiftCluster}"`)).length;
    const reportText = fs.readFileSync(reportFile, "utf8");
    const report = JSON.parse(reportText) as {
      summary: { resources: number; exitCode: number };
      violations: { policyName: string; urn: string; location: { file: string; line: number } }[];
    };
    // The chunked writer writes exactly what JSON.stringify(report, null, 2) would.
    expect(reportText).toBe(`${JSON.stringify(report, null, 2)}\n`);
    // The shape's resources and the aws provider (the stack itself is not counted).
    expect(report.summary.resources).toBe(RESOURCES + 1);
    expect(run.code).toBe(report.summary.exitCode);
    // keys-and-clusters has no RedshiftKeyRotation: every cluster is reported by that policy.
    const unrotated = report.violations.filter(
      (violation) => violation.policyName === "redshift-cluster-rotation-on-key-change",
    );
    expect(clusters).toBe(RESOURCES / 2);
    expect(unrotated.length).toBe(clusters);
    for (const violation of report.violations)
      expect(exportLines[violation.location.line - 1]).toContain(`"urn":${JSON.stringify(violation.urn)}`);
  }, 300_000);
});

describe("inputs nested deeper than anything real, and config larger than an environment variable", () => {
  it("an export with a property nested 5,000 levels deep: a clear error naming the file and the property", async () => {
    const document = stackExport() as { deployment: { resources: { inputs?: Record<string, unknown> }[] } };
    document.deployment.resources.find((resource) => resource.inputs?.clusterIdentifier)!.inputs!.tags = "DEEP";
    const file = path.join(directory, "deep-export.json");
    fs.writeFileSync(file, withDeepValue(document));
    const run = await runCli(["audit", "--stack-export", file], dependencies);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(
        `^keyguard: error: --stack-export ${file}: deployment\\.resources\\[\\d+\\]\\.inputs\\.tags(\\.inner)+\\.\\.\\.: nested more than 200 levels deep, more than keyguard reads`,
      ),
    );
    expect(run.stderr).not.toMatch(/call stack/);
  });

  it("stack outputs and a policy config nested 5,000 levels deep: a clear error naming the flag", async () => {
    const outputs = path.join(directory, "deep-outputs.json");
    fs.writeFileSync(outputs, withDeepValue({ "acme/security/prod": { deep: "DEEP" } }));
    const project = path.join(__dirname, "fixtures", "big-config");
    const outputsRun = await runCli(["check", "--project", project, "--stack-outputs", outputs], dependencies);
    expect(outputsRun.code).toBe(2);
    expect(outputsRun.stderr).toMatch(
      /^keyguard: error: --stack-outputs .*deep-outputs\.json: the value at acme\/security\/prod\.deep(\.inner)+\.\.\. is nested more than 200 levels deep/,
    );
    const policyConfig = path.join(directory, "deep-policy-config.json");
    fs.writeFileSync(policyConfig, withDeepValue({ all: "mandatory", extra: "DEEP" }));
    const configRun = await runCli(["check", "--project", project, "--policy-config", policyConfig], dependencies);
    expect(configRun.code).toBe(2);
    expect(configRun.stderr).toMatch(
      /^keyguard: error: --policy-config .*deep-policy-config\.json: the value at extra(\.inner)+/,
    );
  });

  it("200 KB of config and of stack outputs reach the program (they travel over IPC, not in one environment variable)", async () => {
    const config = path.join(directory, "big-config.yaml");
    fs.writeFileSync(config, `config:\n  big-config:blob: "${"x".repeat(200_000)}"\n`);
    const outputs = path.join(directory, "big-outputs.json");
    fs.writeFileSync(outputs, JSON.stringify({ "acme/security/prod": { blob: "y".repeat(200_000) } }));
    const run = await runCli(
      [
        "check",
        "--project",
        path.join(__dirname, "fixtures", "big-config"),
        "--config",
        config,
        "--stack-outputs",
        outputs,
        "--format",
        "json",
      ],
      dependencies,
    );
    expect(run.stderr).not.toMatch(/E2BIG|error/);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { resources: { name: string }[] };
    expect(report.resources.map((resource) => resource.name)).toContain("key-of-200000-characters");
  }, 120_000);
});
