/**
 * `keyguard check --plan` and `keyguard audit` on Terraform, end to end through the real CLI and the
 * real pack: every fixture plan the real terraform made (./fixtures, with each case's expected
 * verdicts written in its main.tf), state in both forms, `--live` against the local AWS endpoint,
 * reports that name resources by address and point at their `resource` blocks, and bad files.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzerHost } from "../../engine";
import type { CliDependencies } from "../../gate/cli";
import type { Report } from "../../gate/report/report";
import { startLocalAws, type LocalAws } from "../support/localAws";
import { stackExport } from "../gate/stackExportFixture";
import { REPO_ROOT, runCli, sarifSchemaErrors, startSharedPack } from "../gate/gateHarness";

const FIXTURES = path.join(__dirname, "fixtures");
const relative = (...parts: string[]) => path.relative(REPO_ROOT, path.join(FIXTURES, ...parts));

let host: AnalyzerHost;
let dependencies: CliDependencies;
let directory: string;
let localAws: LocalAws;

beforeAll(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-terraform-"));
  [{ host, dependencies }, localAws] = await Promise.all([startSharedPack(), startLocalAws()]);
});

afterAll(async () => {
  await host?.close();
  await localAws?.stop();
  if (directory) fs.rmSync(directory, { recursive: true, force: true });
});

type Finding = [policy: string, resource: string, verdict: "non-compliant" | "unknown-in-preview"];

/**
 * Each case's findings and exit code, as its main.tf's "Expected keyguard verdicts" say (every
 * verdict there that is not "compliant" or "not applicable"; "advisory finding" and "violation" are
 * non-compliant at the policy's level, "unknown" is unknown-in-preview).
 */
const EXPECTED: Record<string, { code: number; findings: Finding[] }> = {
  "asymmetric-key-cluster": {
    code: 1,
    findings: [
      ["redshift-cluster-key-rotated", "aws_redshift_cluster.lab", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.lab", "non-compliant"],
    ],
  },
  "compliant-cluster": {
    code: 0,
    findings: [["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.warehouse", "non-compliant"]],
  },
  "count-keys": {
    code: 1,
    findings: [
      ["kms-key-rotation-enabled", "aws_kms_key.k[0]", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.main", "non-compliant"],
    ],
  },
  "external-key-data-source": {
    code: 0,
    findings: [
      ["redshift-cluster-external-key", "aws_redshift_cluster.reporting", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.reporting", "non-compliant"],
    ],
  },
  "external-key-literal": {
    code: 0,
    findings: [
      ["redshift-cluster-external-key", "aws_redshift_cluster.shared", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.shared", "non-compliant"],
    ],
  },
  "external-key-variable": {
    code: 0,
    findings: [
      ["redshift-cluster-external-key", "aws_redshift_cluster.ingest", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.ingest", "non-compliant"],
    ],
  },
  "for-each-keys": {
    code: 1,
    findings: [
      ["kms-key-rotation-enabled", 'aws_kms_key.k["archive"]', "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.analytics", "non-compliant"],
    ],
  },
  "hmac-key-unused": { code: 0, findings: [] },
  "imported-material-keys": {
    code: 1,
    findings: [
      ["redshift-cluster-key-rotated", "aws_redshift_cluster.byok", "non-compliant"],
      ["redshift-cluster-key-rotated", "aws_redshift_cluster.byok_west", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.byok", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.byok_west", "non-compliant"],
    ],
  },
  "key-behind-alias": {
    code: 1,
    findings: [
      ["kms-key-rotation-enabled", "aws_kms_key.finance", "non-compliant"],
      ["redshift-cluster-key-rotated", "aws_redshift_cluster.finance", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.finance", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.reports", "non-compliant"],
    ],
  },
  "key-being-deleted": {
    code: 0,
    findings: [["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.warehouse", "non-compliant"]],
  },
  "key-in-child-module": {
    code: 1,
    findings: [
      ["kms-key-rotation-enabled", "module.warehouse_key.aws_kms_key.this", "non-compliant"],
      ["redshift-cluster-key-rotated", "aws_redshift_cluster.warehouse", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.warehouse", "non-compliant"],
    ],
  },
  "module-input-key": {
    code: 0,
    findings: [
      ["redshift-cluster-rotation-on-key-change", "module.warehouse.aws_redshift_cluster.this", "non-compliant"],
    ],
  },
  "period-out-of-bounds": {
    code: 1,
    findings: [
      ["kms-key-rotation-period", "aws_kms_key.archive", "non-compliant"],
      ["kms-key-rotation-period", "aws_kms_key.billing", "non-compliant"],
      ["redshift-cluster-key-rotated", "aws_redshift_cluster.billing", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.billing", "non-compliant"],
    ],
  },
  "replica-of-unrotated-primary": {
    code: 1,
    findings: [
      ["kms-key-rotation-enabled", "aws_kms_key.primary", "non-compliant"],
      ["redshift-cluster-key-rotated", "aws_redshift_cluster.west", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.west", "non-compliant"],
    ],
  },
  "rotation-off": {
    code: 1,
    findings: [
      ["kms-key-rotation-enabled", "aws_kms_key.events", "non-compliant"],
      ["redshift-cluster-key-rotated", "aws_redshift_cluster.events", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.events", "non-compliant"],
    ],
  },
  "serverless-namespace": { code: 0, findings: [] },
  "state-compliant-and-unrotated": {
    code: 1,
    findings: [
      ["kms-key-rotation-enabled", "aws_kms_key.legacy", "non-compliant"],
      ["redshift-cluster-key-rotated", "aws_redshift_cluster.legacy", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.legacy", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.warehouse", "non-compliant"],
    ],
  },
  // Unknowns are reported at the policy's level (mandatory fails the gate), never passed.
  "unknown-in-plan": {
    code: 1,
    findings: [
      ["kms-key-rotation-enabled", "aws_kms_key.ledger", "unknown-in-preview"],
      ["kms-key-rotation-period", "aws_kms_key.warehouse", "unknown-in-preview"],
      ["redshift-cluster-key-rotated", "aws_redshift_cluster.ledger", "unknown-in-preview"],
      ["redshift-cluster-key-rotated", "aws_redshift_cluster.warehouse", "unknown-in-preview"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.ledger", "non-compliant"],
      ["redshift-cluster-rotation-on-key-change", "aws_redshift_cluster.warehouse", "non-compliant"],
    ],
  },
};

const sorted = (findings: Finding[]) => [...findings].sort((a, b) => a.join("\u0000").localeCompare(b.join("\u0000")));

function findingsOf(report: Report): Finding[] {
  return sorted(
    report.violations.map((violation) => [
      violation.policyName,
      violation.resourceName,
      violation.verdict as Finding[2],
    ]),
  );
}

function write(name: string, content: string): string {
  const file = path.join(directory, name);
  fs.writeFileSync(file, content);
  return file;
}

describe("keyguard check --plan on every real-terraform fixture", () => {
  it("has a plan and an expectation for every fixture case", () => {
    const cases = fs.readdirSync(FIXTURES).filter((name) => fs.existsSync(path.join(FIXTURES, name, "plan.json")));
    expect(cases.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))("%s", async (name, expected) => {
    const run = await runCli(["check", "--plan", relative(name, "plan.json"), "--format", "json"], dependencies);
    expect(run.stderr).not.toMatch(/error/);
    const report = JSON.parse(run.stdout) as Report;
    expect({ code: run.code, findings: findingsOf(report) }).toEqual({
      code: expected.code,
      findings: sorted(expected.findings),
    });
    expect(report).toMatchObject({ mode: "check", project: name, stack: "plan" });
  });
});

describe("reports on a Terraform plan", () => {
  it("name resources by address and locate them at their resource blocks, in all six formats from one run", async () => {
    const reports = Object.fromEntries(
      ["json", "sarif", "junit", "markdown", "gitlab", "text"].map((format) => [
        format,
        path.join(directory, `child.${format}`),
      ]),
    );
    const run = await runCli(
      [
        "check",
        "--plan",
        relative("key-in-child-module", "plan.json"),
        "--quiet",
        ...Object.entries(reports).map(([format, file]) => `--report=${format}=${file}`),
      ],
      dependencies,
    );
    expect(run.code).toBe(1);
    const read = (format: string) => fs.readFileSync(reports[format], "utf8");
    const keyBlock = fs
      .readFileSync(path.join(FIXTURES, "key-in-child-module", "modules", "kms-key", "main.tf"), "utf8")
      .split("\n")
      .findIndex((line) => line.startsWith('resource "aws_kms_key" "this"'));
    const json = JSON.parse(read("json")) as Report;
    const keyFinding = json.violations.find((violation) => violation.policyName === "kms-key-rotation-enabled")!;
    expect(keyFinding.resourceName).toBe("module.warehouse_key.aws_kms_key.this");
    expect(keyFinding.location).toEqual({
      file: relative("key-in-child-module", "modules", "kms-key", "main.tf"),
      line: keyBlock + 1,
      column: 1,
    });
    const sarif = JSON.parse(read("sarif"));
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    const result = sarif.runs[0].results.find(
      (entry: { ruleId: string }) => entry.ruleId === "kms-key-rotation-enabled",
    );
    expect(JSON.stringify(result.locations[0])).toContain("module.warehouse_key.aws_kms_key.this");
    expect(result.locations[0].physicalLocation.region.startLine).toBe(keyBlock + 1);
    for (const format of ["junit", "markdown", "gitlab", "text"])
      expect(read(format)).toContain("module.warehouse_key.aws_kms_key.this");
  });

  it("keeps fingerprints across plans of the same resources (URNs are made from addresses)", async () => {
    const document = JSON.parse(fs.readFileSync(path.join(FIXTURES, "rotation-off", "plan.json"), "utf8"));
    document.resource_changes.reverse();
    document.timestamp = "2026-12-07T09:00:00Z";
    document.resource_changes[0].change.after.description = "described again";
    const folder = fs.mkdtempSync(path.join(directory, "rotation-off-"));
    const moved = path.join(folder, "plan.json");
    fs.writeFileSync(moved, JSON.stringify(document));
    const fingerprints = async (file: string) => {
      const run = await runCli(
        ["check", "--plan", file, "--terraform-dir", relative("rotation-off"), "--format", "json"],
        dependencies,
      );
      return (JSON.parse(run.stdout) as Report).violations.map((violation) => violation.fingerprint).sort();
    };
    const [first, second] = await Promise.all([
      fingerprints(relative("rotation-off", "plan.json")),
      fingerprints(moved),
    ]);
    expect(first).toHaveLength(3);
    expect(second).toEqual(first);
  });

  it("exempts resources by their Terraform address with the same policy config as for Pulumi", async () => {
    const config = write(
      "exempt.json",
      JSON.stringify({
        "kms-key-rotation-enabled": {
          exemptions: [
            { resource: "module.warehouse_key.*", reason: "the module's rotation is decided by the platform team" },
          ],
        },
      }),
    );
    const run = await runCli(
      ["check", "--plan", relative("key-in-child-module", "plan.json"), "--policy-config", config, "--format", "json"],
      dependencies,
    );
    const report = JSON.parse(run.stdout) as Report;
    expect(report.violations.map((violation) => violation.policyName)).not.toContain("kms-key-rotation-enabled");
    expect(report.exemptions).toContainEqual(
      expect.objectContaining({
        policyName: "kms-key-rotation-enabled",
        resourceName: "module.warehouse_key.aws_kms_key.this",
      }),
    );
  });

  it("offers no remediation on a plan: Terraform never runs the pack's, so the key still fails at level remediate", async () => {
    const config = write("remediate.json", JSON.stringify({ "kms-key-rotation-enabled": "remediate" }));
    const run = await runCli(
      ["check", "--plan", relative("rotation-off", "plan.json"), "--policy-config", config, "--format", "json"],
      dependencies,
    );
    const report = JSON.parse(run.stdout) as Report;
    const key = report.violations.find((violation) => violation.policyName === "kms-key-rotation-enabled")!;
    expect(key.message).not.toMatch(/^remediated/);
    expect(key.fixBeforeUpdate).toBeUndefined();
    // The cluster's own finding is still there: the key was not turned on behind its back.
    expect(report.violations.map((violation) => violation.policyName)).toContain("redshift-cluster-key-rotated");
  });
});

describe("secrets in a plan", () => {
  it("never prints a sensitive value, in any report", async () => {
    const document = JSON.parse(fs.readFileSync(path.join(FIXTURES, "rotation-off", "plan.json"), "utf8"));
    const cluster = document.resource_changes.find(
      (change: { type: string }) => change.type === "aws_redshift_cluster",
    );
    // A literal password (schema-sensitive) and a value from a sensitive variable (after_sensitive).
    cluster.change.after.master_password = "Sup3r-Secret-Pw!";
    cluster.change.after.cluster_identifier = "events-Secret-Id-42";
    cluster.change.after_sensitive = { ...cluster.change.after_sensitive, cluster_identifier: true };
    const file = write("secret-plan.json", JSON.stringify(document));
    const outputs = await Promise.all(
      ["text", "json", "sarif", "junit", "markdown", "gitlab"].map((format) =>
        runCli(["check", "--plan", file, "--format", format], dependencies),
      ),
    );
    for (const run of outputs) {
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).not.toContain("Sup3r-Secret-Pw!");
      expect(run.stdout + run.stderr).not.toContain("events-Secret-Id-42");
    }
    // The finding that quotes the identifier still comes, masked.
    expect(outputs[0].stdout).toContain("[secret]");
  });
});

describe("bad input to --plan (exit 2, naming the file)", () => {
  it.each([
    ["not JSON", "plan: yes\n", /--plan \S+not-json\.json is not JSON/],
    ["empty", "", /--plan \S+empty\.json is empty/],
    [
      "JSON that is no plan",
      JSON.stringify({ hello: "world" }),
      /--plan \S+no-plan\.json is a JSON document keyguard does not know/,
    ],
    [
      "a newer plan format",
      JSON.stringify({ format_version: "2.0", planned_values: {}, resource_changes: [] }),
      /--plan \S+newer\.json: format_version is "2\.0"; keyguard reads Terraform plan JSON of format 0\.x and 1\.x/,
    ],
  ])("%s", async (title, content, message) => {
    const name = {
      "not JSON": "not-json",
      empty: "empty",
      "JSON that is no plan": "no-plan",
      "a newer plan format": "newer",
    }[title]!;
    const run = await runCli(["check", "--plan", write(`${name}.json`, content)], dependencies);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it("a plan or a state nested thousands of levels deep: a clear error naming the file and the path, not a stack overflow", async () => {
    // A real plan with one attribute replaced by 20,000 nested objects (as an export is refused, gate/jsonInput.ts).
    const deep = `${'{"inner":'.repeat(20_000)}1${"}".repeat(20_000)}`;
    const plan = fs
      .readFileSync(path.join(FIXTURES, "rotation-off", "plan.json"), "utf8")
      .replace('"format_version"', `"deep": ${deep}, "format_version"`);
    const planRun = await runCli(["check", "--plan", write("deep-plan.json", plan)], dependencies);
    expect(planRun.code).toBe(2);
    expect(planRun.stderr).toMatch(
      /--plan \S+deep-plan\.json: the value at deep(\.inner)+\.\.\. is nested more than 200 levels deep/,
    );
    const stateDocument = JSON.parse(
      fs.readFileSync(path.join(FIXTURES, "state-compliant-and-unrotated", "state.json"), "utf8"),
    ) as { values: { root_module: { resources: { values: Record<string, unknown> }[] } } };
    stateDocument.values.root_module.resources[0].values.tags = { marker: "DEEP" };
    const deepState = JSON.stringify(stateDocument).replace('"DEEP"', deep);
    const stateRun = await runCli(["audit", write("deep-state.json", deepState)], dependencies);
    expect(stateRun.code).toBe(2);
    expect(stateRun.stderr).toMatch(
      /audit \S+deep-state\.json: the value at values\.root_module\.resources\[0\]\.values\.tags\.marker(\.inner)+\.\.\. is nested more than 200 levels deep/,
    );
  });

  it("a state or a Pulumi export given as a plan, a missing file, and Pulumi flags with --plan", async () => {
    const state = await runCli(
      ["check", "--plan", relative("state-compliant-and-unrotated", "state.json")],
      dependencies,
    );
    expect(state.code).toBe(2);
    expect(state.stderr).toMatch(/is a Terraform state \(terraform show -json, without a plan\), not a Terraform plan/);
    const missing = await runCli(["check", "--plan", "nowhere/plan.json"], dependencies);
    expect(missing.stderr).toMatch(/--plan nowhere\/plan\.json cannot be read: ENOENT/);
    const mixed = await runCli(
      ["check", "--plan", relative("rotation-off", "plan.json"), "--project", "examples/compliant"],
      dependencies,
    );
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--project cannot go with it/);
  });

  it("reads the plan from stdin with --plan -", async () => {
    const plan = fs.readFileSync(path.join(FIXTURES, "rotation-off", "plan.json"));
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "gate/cli.ts", "check", "--plan", "-", "--format", "json", "--quiet"],
        { cwd: REPO_ROOT },
        (_error, stdout) => resolve({ code: child.exitCode, stdout }),
      );
      child.stdin!.end(plan);
    });
    expect(result.code).toBe(1);
    expect(findingsOf(JSON.parse(result.stdout) as Report)).toEqual(sorted(EXPECTED["rotation-off"].findings));
  }, 60_000);
});

describe("keyguard audit on Terraform state", () => {
  it.each(["state.json", "terraform.tfstate"])(
    "judges %s (told apart by content) as the plan was judged",
    async (file) => {
      const run = await runCli(
        ["audit", relative("state-compliant-and-unrotated", file), "--format", "json"],
        dependencies,
      );
      expect(run.stderr).not.toMatch(/error/);
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout) as Report;
      expect(report).toMatchObject({ mode: "audit", stack: "state", project: "state-compliant-and-unrotated" });
      expect(findingsOf(report)).toEqual(sorted(EXPECTED["state-compliant-and-unrotated"].findings));
      expect(
        report.violations.every(
          (violation) => violation.location?.file === relative("state-compliant-and-unrotated", "main.tf"),
        ),
      ).toBe(true);
    },
  );

  it("still reads a Pulumi stack export given as FILE (no --stack-export), told apart by content", async () => {
    const file = write("pulumi-export.json", JSON.stringify(stackExport({ enableKeyRotation: false })));
    const [positional, flagged] = await Promise.all([
      runCli(["audit", file, "--format", "json"], dependencies),
      runCli(["audit", "--stack-export", file, "--format", "json"], dependencies),
    ]);
    expect(positional.code).toBe(1);
    const report = JSON.parse(positional.stdout) as Report;
    expect(report).toMatchObject({ mode: "audit", project: "warehouse", stack: "prod" });
    expect(findingsOf(report)).toEqual(findingsOf(JSON.parse(flagged.stdout) as Report));
    const both = await runCli(["audit", file, "--stack-export", file], dependencies);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/keyguard audit reads one file/);
  });

  it("refuses a plan given to audit, naming the file", async () => {
    const run = await runCli(["audit", relative("rotation-off", "plan.json")], dependencies);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /audit \S+rotation-off\/plan\.json is a Terraform plan .*judged by keyguard check --plan/,
    );
  });

  it("--live asks AWS about the state's keys and clusters and reports what changed outside Terraform", async () => {
    const state = JSON.parse(
      fs.readFileSync(path.join(FIXTURES, "state-compliant-and-unrotated", "state.json"), "utf8"),
    );
    const arnOf = (address: string) =>
      state.values.root_module.resources.find((resource: { address: string }) => resource.address === address).values
        .arn as string;
    localAws.reset();
    localAws.addKey({ keyArn: arnOf("aws_kms_key.warehouse"), rotationEnabled: false });
    localAws.addKey({ keyArn: arnOf("aws_kms_key.legacy"), rotationEnabled: false });
    localAws.addCluster({ clusterIdentifier: "warehouse", kmsKeyId: arnOf("aws_kms_key.warehouse") });
    localAws.addCluster({ clusterIdentifier: "legacy", kmsKeyId: arnOf("aws_kms_key.legacy") });
    const saved = { ...process.env };
    Object.assign(process.env, localAws.clientEnvironment("us-east-1"));
    try {
      const run = await runCli(
        ["audit", relative("state-compliant-and-unrotated", "state.json"), "--live", "--format", "json"],
        dependencies,
      );
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout) as Report;
      expect(report.drift.map((entry) => [entry.resourceName, entry.kind])).toEqual([
        ["aws_kms_key.warehouse", "rotation-disabled"],
      ]);
      expect(report.drift[0].message).toMatch(/the stack records it on: it was turned off outside Terraform$/);
      expect(localAws.iamActionsCalled()).toEqual(["kms:GetKeyRotationStatus", "redshift:DescribeClusters"]);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
