/**
 * `keyguard audit`: stack exports shaped as `pulumi stack export` writes them, judged by the real
 * pack (one process for the file); bad export files and policy configs; and `--live` against the
 * local AWS endpoint, whose call log must show exactly the IAM actions docs/iam.md lists.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzerHost } from "../../engine";
import type { CliDependencies } from "../../gate/cli";
import { LIVE_IAM_ACTIONS, checkLive } from "../../gate/audit/live";
import type { Report } from "../../gate/report/report";
import { parseStackExport } from "../../gate/audit/stackExport";
import { RESOURCE_TYPES, SECRET_SIGNATURE, SPECIAL_SIGNATURE_KEY } from "../../facts";
import { startLocalAws, type LocalAws } from "../support/localAws";
import { documentedIamActions } from "../support/docs";
import {
  keyguardProcessArguments,
  parseJunit,
  REPO_ROOT,
  runCli,
  sarifSchemaErrors,
  startSharedPack,
} from "./gateHarness";
import { keyArnOf, REGION, stackExport } from "./stackExportFixture";

let host: AnalyzerHost;
let dependencies: CliDependencies;
let directory: string;
let localAws: LocalAws;

function writeExport(name: string, content: unknown): string {
  const file = path.join(directory, name);
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 4));
  return file;
}

beforeAll(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-audit-"));
  [{ host, dependencies }, localAws] = await Promise.all([startSharedPack(), startLocalAws()]);
});

afterAll(async () => {
  await host?.close();
  await localAws?.stop();
  if (directory) fs.rmSync(directory, { recursive: true, force: true });
});

describe("keyguard audit on stack exports", () => {
  it("passes a compliant deployed stack (exit 0)", async () => {
    const run = await runCli(
      ["audit", "--stack-export", writeExport("compliant.json", stackExport()), "--format", "json"],
      dependencies,
    );
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report).toMatchObject({ mode: "audit", project: "warehouse", stack: "prod" });
    expect(report.summary).toMatchObject({ passed: true, mandatory: 0, drift: 0 });
    expect(report.resources.map((resource) => resource.type)).toContain("aws:redshift/cluster:Cluster");
  });

  it("fails a stack whose key does not rotate, locating the results in the export file, without printing its plaintext secrets", async () => {
    const file = writeExport(
      "unrotated.json",
      stackExport({ enableKeyRotation: false, passwordInState: { plaintext: "Sup3r-Secret-Pw!" } }),
    );
    const [sarifRun, junitRun, textRun] = await Promise.all([
      runCli(["audit", "--stack-export", file, "--format", "sarif"], dependencies),
      runCli(["audit", "--stack-export", file, "--format", "junit"], dependencies),
      runCli(["audit", "--stack-export", file], dependencies),
    ]);
    for (const run of [sarifRun, junitRun, textRun]) {
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).not.toContain("Sup3r-Secret-Pw!");
    }
    const sarif = JSON.parse(sarifRun.stdout);
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    const keyResult = sarif.runs[0].results.find(
      (result: { ruleId: string }) => result.ruleId === "kms-key-rotation-enabled",
    );
    const location = keyResult.locations[0].physicalLocation;
    expect(location.artifactLocation.uri).toBe(path.relative(REPO_ROOT, file));
    const lines = fs.readFileSync(file, "utf8").split("\n");
    expect(lines[location.region.startLine - 1]).toContain(
      '"urn": "urn:pulumi:prod::warehouse::keyguard:redshift:EncryptedCluster$aws:kms/key:Key::warehouse-key"',
    );
    const junit = parseJunit(junitRun.stdout);
    expect(junit.failures).toBe(2);
    expect(textRun.stdout).toMatch(/FAILED/);
  });

  it("colours the text report on a terminal, unless NO_COLOR is set; progress is redrawn in place there", async () => {
    const file = writeExport("colour.json", stackExport({ enableKeyRotation: false }));
    const terminal = await runCli(["audit", "--stack-export", file], dependencies, { isTTY: true });
    const noColour = await runCli(["audit", "--stack-export", file], dependencies, {
      isTTY: true,
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(terminal.code).toBe(1);
    expect(terminal.stdout).toContain("\u001b[31mmandatory\u001b[0m");
    expect(terminal.stderr).toContain("\r\u001b[2Kkeyguard: analyzed");
    expect(noColour.stdout).not.toContain("\u001b[");
    expect(noColour.stdout).toContain("mandatory  kms-key-rotation-enabled");
  });

  it("takes the policy config in `--policy-pack-config` format: a raised bound lets a 730-day key pass", async () => {
    const file = writeExport("two-years.json", stackExport({ rotationPeriodInDays: 730 }));
    const configFile = path.join(directory, "policy-config.json");
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        "kms-key-rotation-period": { maxRotationPeriodInDays: 800 },
        "redshift-cluster-key-rotated": { maxRotationPeriodInDays: 800 },
      }),
    );
    // One after the other: Configure sets the shared pack's config for every later Analyze.
    const strict = await runCli(["audit", "--stack-export", file, "--format", "json"], dependencies);
    const relaxed = await runCli(
      ["audit", "--stack-export", file, "--format", "json", "--policy-config", configFile],
      dependencies,
    );
    expect(strict.code).toBe(1);
    expect((JSON.parse(strict.stdout) as Report).violations.map((violation) => violation.policyName)).toContain(
      "kms-key-rotation-period",
    );
    expect(relaxed.code).toBe(0);
  });

  it("--strict-unknowns fails a stack whose verdict hangs on a value that cannot be known (an encrypted secret)", async () => {
    // The rotation resource's clusterIdentifier is an encrypted secret and nothing links it to the
    // cluster: the advisory policy cannot tell whether the cluster is covered.
    const document = stackExport() as { deployment: { resources: Record<string, unknown>[] } };
    const rotation = document.deployment.resources.find(
      (resource) => resource.type === RESOURCE_TYPES.redshiftKeyRotation,
    )!;
    const encrypted = { [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE, ciphertext: "v1:bm9uY2U=:ZW5jcnlwdGVk" };
    Object.assign(rotation, { dependencies: [], propertyDependencies: {} });
    (rotation.inputs as Record<string, unknown>).clusterIdentifier = encrypted;
    (rotation.outputs as Record<string, unknown>).clusterIdentifier = encrypted;
    const file = writeExport("undecidable.json", document);
    const lenient = await runCli(["audit", "--stack-export", file, "--format", "json"], dependencies);
    const strict = await runCli(
      ["audit", "--stack-export", file, "--format", "json", "--strict-unknowns"],
      dependencies,
    );
    expect(lenient.code).toBe(0);
    const report = JSON.parse(lenient.stdout) as Report;
    expect(report.violations).toHaveLength(1);
    expect(report.violations[0]).toMatchObject({
      policyName: "redshift-cluster-rotation-on-key-change",
      enforcementLevel: "advisory",
      undecidedUnknown: true,
    });
    expect(report.summary.undecidedUnknowns).toBe(1);
    expect(strict.code).toBe(1);
    expect((JSON.parse(strict.stdout) as Report).summary).toMatchObject({
      passed: false,
      strictUnknowns: true,
      mandatory: 0,
    });
  });

  it("refuses a policy config value the pack rejects, naming the policy, the property and the value (exit 2)", async () => {
    const configFile = path.join(directory, "bad-value-config.json");
    fs.writeFileSync(configFile, JSON.stringify({ "kms-key-rotation-period": { maxRotationPeriodInDays: "a lot" } }));
    const run = await runCli(
      ["audit", "--stack-export", writeExport("c3.json", stackExport()), "--policy-config", configFile],
      dependencies,
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n").at(-1)).toMatch(
      /^keyguard: error: --policy-config: .*kms-key-rotation-period\.maxRotationPeriodInDays: got "a lot"; expected a whole number of days/,
    );
  });

  it("refuses a policy config naming a policy the pack does not have (exit 2)", async () => {
    const configFile = path.join(directory, "typo-config.json");
    fs.writeFileSync(configFile, JSON.stringify({ "kms-key-rotaton-enabled": "advisory" }));
    const run = await runCli(
      ["audit", "--stack-export", writeExport("c2.json", stackExport()), "--policy-config", configFile],
      dependencies,
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const lastLine = run.stderr.trim().split("\n").at(-1);
    expect(lastLine).toMatch(
      /^keyguard: error: --policy-config: .*"kms-key-rotaton-enabled".*kms-key-rotation-enabled/,
    );
  });
});

describe("bad stack-export files: a clear error naming what is wrong, exit 2, no report left", () => {
  const compliantText = () => JSON.stringify(stackExport(), null, 4);
  const cases: [string, () => string, RegExp][] = [
    ["not JSON", () => "Stack prod has 7 resources\n", /is not JSON: /],
    [
      "truncated",
      () => compliantText().slice(0, Math.floor(compliantText().length / 2)),
      /ends before its JSON does \(truncated/,
    ],
    ["empty", () => "", /is empty/],
    [
      "a Terraform state",
      () => JSON.stringify({ version: 4, terraform_version: "1.9.5", serial: 3, lineage: "x", resources: [] }),
      /is a Terraform state file/,
    ],
    [
      "a CloudFormation template",
      () => JSON.stringify({ AWSTemplateFormatVersion: "2010-09-09", Resources: {} }),
      /is a CloudFormation template/,
    ],
    [
      "pulumi preview --json",
      () => JSON.stringify({ config: {}, steps: [], changeSummary: {} }),
      /is the output of `pulumi preview --json`/,
    ],
    [
      "an unknown version",
      () => JSON.stringify({ version: 9, deployment: { resources: [] } }),
      /"version" is 9; keyguard reads stack exports of version 1, 2, 3/,
    ],
    [
      "resources that are not a list",
      () => JSON.stringify({ version: 3, deployment: { resources: { a: 1 } } }),
      /"deployment.resources" must be a list/,
    ],
    [
      "a deployment with no resources (never deployed, or destroyed)",
      () => JSON.stringify({ version: 3, deployment: {} }),
      /has no resources: the stack was never deployed or was destroyed, so there is nothing to audit/,
    ],
    [
      "only resources pending deletion",
      () =>
        JSON.stringify({
          version: 3,
          deployment: {
            resources: [
              { urn: "urn:pulumi:prod::warehouse::aws:kms/key:Key::old", type: "aws:kms/key:Key", delete: true },
            ],
          },
        }),
      /has no resources that are not pending deletion/,
    ],
    [
      "resources without the stack itself (not a stack's state)",
      () =>
        JSON.stringify({
          version: 3,
          deployment: {
            resources: [
              {
                urn: "urn:pulumi:prod::warehouse::aws:kms/key:Key::k",
                type: "aws:kms/key:Key",
                custom: true,
                inputs: {},
                outputs: {},
              },
            ],
          },
        }),
      /is not a Pulumi stack's state: none of its 1 resources is the stack itself \(type pulumi:pulumi:Stack\)/,
    ],
    [
      "a resource without a URN",
      () => JSON.stringify({ version: 3, deployment: { resources: [{ type: "aws:kms/key:Key" }] } }),
      /deployment\.resources\[0\]\.urn must be a Pulumi URN/,
    ],
  ];
  it.each(cases)("%s", async (_name, content, expected) => {
    const file = writeExport(`bad-${_name.replace(/\W+/g, "-")}.json`, content());
    const output = path.join(directory, `report-${_name.replace(/\W+/g, "-")}.json`);
    fs.writeFileSync(output, "previous report\n");
    const run = await runCli(["audit", "--stack-export", file, "--format", "json", "--output", output], dependencies);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^keyguard: error: --stack-export /);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toMatch(expected);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    // Changed with issue 20: after an exit 2 no report is left at a report path, not even the previous
    // run's, which would claim a verdict this run did not reach.
    expect(fs.existsSync(output)).toBe(false);
  });

  it("a missing file", async () => {
    const run = await runCli(["audit", "--stack-export", path.join(directory, "nope.json")], dependencies);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--stack-export .*nope\.json cannot be read: ENOENT/);
  });
});

describe("keyguard audit --live against the local AWS endpoint", () => {
  const savedEnvironment = { ...process.env };
  beforeAll(() => Object.assign(process.env, localAws.clientEnvironment(REGION)));
  afterAll(() => {
    for (const key of Object.keys(process.env)) if (!(key in savedEnvironment)) delete process.env[key];
    Object.assign(process.env, savedEnvironment);
  });
  const documentedLiveActions = () => documentedIamActions("| keyguard audit --live |");

  it("reports no drift when AWS matches the state, calling exactly the IAM actions docs/iam.md lists", async () => {
    localAws.reset();
    const keyArn = keyArnOf("1234abcd-12ab-34cd-56ef-1234567890ab");
    localAws.addKey({ keyArn, rotationEnabled: true, rotationPeriodInDays: 180 });
    localAws.addCluster({ clusterIdentifier: "warehouse-prod", kmsKeyId: keyArn });
    const run = await runCli(
      ["audit", "--stack-export", writeExport("live-ok.json", stackExport()), "--live", "--format", "json"],
      dependencies,
    );
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as Report).drift).toEqual([]);
    expect(localAws.calls.every((call) => call.outcome === "ok")).toBe(true);
    const documented = documentedLiveActions();
    expect(localAws.iamActionsCalled()).toEqual(documented);
    expect([...LIVE_IAM_ACTIONS].sort()).toEqual(documented);
    expect(documented).toEqual(["kms:GetKeyRotationStatus", "redshift:DescribeClusters"]);
  });

  it("reports rotation turned off and the cluster re-keyed outside Pulumi (exit 1)", async () => {
    localAws.reset();
    const keyArn = keyArnOf("1234abcd-12ab-34cd-56ef-1234567890ab");
    const otherKeyArn = keyArnOf("99999999-12ab-34cd-56ef-1234567890ab");
    localAws.addKey({ keyArn, rotationEnabled: false });
    localAws.addKey({ keyArn: otherKeyArn });
    localAws.addCluster({ clusterIdentifier: "warehouse-prod", kmsKeyId: otherKeyArn });
    const run = await runCli(
      ["audit", "--stack-export", writeExport("live-drift.json", stackExport()), "--live", "--format", "json"],
      dependencies,
    );
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.summary.mandatory).toBe(0);
    expect(report.drift.map((entry) => [entry.resourceName, entry.kind])).toEqual([
      ["warehouse-key", "rotation-disabled"],
      ["warehouse-cluster", "cluster-key-changed"],
    ]);
    expect(report.drift[1]).toMatchObject({ recorded: keyArn, actual: otherKeyArn });
    expect(localAws.iamActionsCalled()).toEqual(documentedLiveActions());
  });

  it("rides out throttling (the SDK's retries) and reports a call AWS refuses as a lookup failure, not a pass", async () => {
    localAws.reset();
    const keyArn = keyArnOf("1234abcd-12ab-34cd-56ef-1234567890ab");
    localAws.addKey({ keyArn, rotationEnabled: true, rotationPeriodInDays: 180 });
    localAws.addCluster({ clusterIdentifier: "warehouse-prod", kmsKeyId: keyArn });
    localAws.injectFault({ action: "DescribeClusters", fault: { kind: "throttle" }, times: 1 });
    localAws.injectFault({
      action: "GetKeyRotationStatus",
      fault: {
        kind: "error",
        code: "AccessDeniedException",
        message: "not authorized to perform kms:GetKeyRotationStatus",
      },
      times: Infinity,
    });
    const run = await runCli(
      ["audit", "--stack-export", writeExport("live-faults.json", stackExport()), "--live", "--format", "json"],
      dependencies,
    );
    expect(run.code).toBe(1);
    const drift = (JSON.parse(run.stdout) as Report).drift;
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ resourceName: "warehouse-key", kind: "lookup-failed" });
    expect(drift[0].message).toMatch(/could not ask KMS GetKeyRotationStatus for .*AccessDeniedException/);
    expect(localAws.calls.filter((call) => call.action === "DescribeClusters").map((call) => call.outcome)).toEqual([
      "error:Throttling",
      "ok",
    ]);
  });

  it("bounds each AWS answer: one that never comes is a lookup failure, not a hung audit; a bad bound is a usage error", async () => {
    localAws.reset();
    const keyArn = keyArnOf("1234abcd-12ab-34cd-56ef-1234567890ab");
    localAws.addKey({ keyArn, rotationEnabled: true, rotationPeriodInDays: 180 });
    localAws.addCluster({ clusterIdentifier: "warehouse-prod", kmsKeyId: keyArn });
    localAws.injectFault({ action: "DescribeClusters", fault: { kind: "hang" }, times: Infinity });
    const exportFile = writeExport("live-hang.json", stackExport());
    const env = { ...process.env, KEYGUARD_AWS_REQUEST_TIMEOUT_MS: "200" };
    const run = await runCli(["audit", "--stack-export", exportFile, "--live", "--format", "json"], dependencies, {
      env,
    });
    expect(run.code).toBe(1);
    const drift = (JSON.parse(run.stdout) as Report).drift;
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ resourceName: "warehouse-cluster", kind: "lookup-failed" });
    expect(drift[0].message).toMatch(/could not ask Redshift DescribeClusters for warehouse-prod/);

    const bad = await runCli(["audit", "--stack-export", exportFile, "--live"], dependencies, {
      env: { ...process.env, KEYGUARD_AWS_REQUEST_TIMEOUT_MS: "soon" },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /KEYGUARD_AWS_REQUEST_TIMEOUT_MS "soon" is not allowed: give a whole, positive number of milliseconds/,
    );
  });

  it("reports a changed rotation period, an unencrypted cluster, and a key that is gone", async () => {
    localAws.reset();
    const keyArn = keyArnOf("1234abcd-12ab-34cd-56ef-1234567890ab");
    localAws.addKey({ keyArn, rotationEnabled: true, rotationPeriodInDays: 400 });
    localAws.addCluster({ clusterIdentifier: "warehouse-prod", encrypted: false });
    const periodRun = await runCli(
      ["audit", "--stack-export", writeExport("live-period.json", stackExport()), "--live", "--format", "junit"],
      dependencies,
    );
    expect(periodRun.code).toBe(1);
    const suite = parseJunit(periodRun.stdout).suites.find((candidate) => candidate.name === "keyguard-live-drift")!;
    expect(suite.testcase.map((testCase) => testCase.failure?.type)).toEqual([
      "rotation-period-changed",
      "cluster-not-encrypted",
    ]);

    localAws.reset();
    localAws.addCluster({ clusterIdentifier: "warehouse-prod", kmsKeyId: keyArn });
    const goneRun = await runCli(
      ["audit", "--stack-export", writeExport("live-gone.json", stackExport()), "--live", "--format", "json"],
      dependencies,
    );
    expect(goneRun.code).toBe(1);
    expect((JSON.parse(goneRun.stdout) as Report).drift.map((entry) => entry.kind)).toEqual(["not-found"]);
  });

  it("reports no drift for a cluster the stack itself records as unencrypted (that is the policy's finding, which an exemption may cover)", async () => {
    localAws.reset();
    const keyArn = keyArnOf("1234abcd-12ab-34cd-56ef-1234567890ab");
    localAws.addKey({ keyArn, rotationEnabled: true, rotationPeriodInDays: 180 });
    localAws.addCluster({ clusterIdentifier: "warehouse-prod", encrypted: false });
    const { resources } = parseStackExport(JSON.stringify(stackExport()), "unencrypted.json");
    const cluster = resources.find((resource) => resource.type === RESOURCE_TYPES.redshiftCluster)!;
    for (const bag of [cluster.inputs, cluster.outputs]) {
      bag.encrypted = "false";
      delete bag.kmsKeyId;
    }
    expect(await checkLive(resources)).toEqual([]);
    // Recorded encrypted but unencrypted in AWS is still drift.
    cluster.outputs.encrypted = "true";
    expect((await checkLive(resources)).map((entry) => entry.kind)).toEqual(["cluster-not-encrypted"]);
  });

  it("without usable credentials: exit 2 once, with the credential chain's reason, and no drift reported", async () => {
    localAws.reset();
    const saved = { ...process.env };
    // No credentials anywhere the default chain looks (environment, shared files, profile, metadata).
    for (const name of [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_PROFILE",
      "AWS_WEB_IDENTITY_TOKEN_FILE",
      "AWS_ROLE_ARN",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ])
      delete process.env[name];
    Object.assign(process.env, {
      AWS_SHARED_CREDENTIALS_FILE: path.join(directory, "no-credentials"),
      AWS_CONFIG_FILE: path.join(directory, "no-config"),
      AWS_EC2_METADATA_DISABLED: "true",
    });
    try {
      const run = await runCli(
        [
          "audit",
          "--stack-export",
          writeExport("live-no-credentials.json", stackExport()),
          "--live",
          "--format",
          "json",
        ],
        dependencies,
      );
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      const errors = run.stderr.split("\n").filter((line) => line.startsWith("keyguard: error:"));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /--live needs AWS credentials, and the default credential chain found none usable: Could not load credentials from any providers \(.*Unable to find environment variable credentials/,
      );
      expect(run.stderr).not.toMatch(/drift|lookup/);
      expect(localAws.calls).toEqual([]);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it("credentials AWS refuses (unknown or expired): exit 2 once, not a lookup failure per resource", async () => {
    localAws.reset();
    const keyArn = keyArnOf("1234abcd-12ab-34cd-56ef-1234567890ab");
    localAws.addKey({ keyArn, rotationEnabled: true, rotationPeriodInDays: 180 });
    localAws.addCluster({ clusterIdentifier: "warehouse-prod", kmsKeyId: keyArn });
    localAws.injectFault({
      action: "GetKeyRotationStatus",
      fault: {
        kind: "error",
        code: "UnrecognizedClientException",
        message: "The security token included in the request is invalid.",
      },
      times: Infinity,
    });
    localAws.injectFault({
      action: "DescribeClusters",
      fault: {
        kind: "error",
        code: "InvalidClientTokenId",
        message: "The security token included in the request is invalid.",
      },
      times: Infinity,
    });
    const run = await runCli(
      ["audit", "--stack-export", writeExport("live-refused.json", stackExport()), "--live", "--format", "json"],
      dependencies,
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const errors = run.stderr.split("\n").filter((line) => line.startsWith("keyguard: error:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /--live: AWS refused the credentials the default credential chain gave \((UnrecognizedClientException|InvalidClientTokenId): The security token included in the request is invalid\.\), so nothing could be compared/,
    );
  });

  it("the AWS SDK's own warnings (its Node.js support notice) never reach the terminal, with or without --quiet", async () => {
    localAws.reset();
    const keyArn = keyArnOf("1234abcd-12ab-34cd-56ef-1234567890ab");
    localAws.addKey({ keyArn, rotationEnabled: true, rotationPeriodInDays: 180 });
    localAws.addCluster({ clusterIdentifier: "warehouse-prod", kmsKeyId: keyArn });
    const file = writeExport("live-warnings.json", stackExport());
    // The real command in its own process: warnings go to the process's stderr, not to the CLI's streams.
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    for (const quiet of [[], ["--quiet"]]) {
      // Asynchronously: the local AWS endpoint answers from this process's event loop.
      const child = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          keyguardProcessArguments(["audit", "--stack-export", file, "--live", ...quiet]),
          { cwd: REPO_ROOT, env, encoding: "utf8", timeout: 60_000 },
          (error, stdout, stderr) =>
            resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
        );
      });
      expect(child.stderr).not.toMatch(/Warning|AWS SDK|node >=/);
      expect(child.status).toBe(0);
      expect(child.stdout).toMatch(/PASSED/);
      if (quiet.length > 0) expect(child.stderr).toBe("");
    }
  }, 90_000);

  it("asks about aws-native keys and clusters too", async () => {
    localAws.reset();
    const keyArn = keyArnOf("1234abcd-12ab-34cd-56ef-1234567890ab");
    localAws.addKey({ keyArn, rotationEnabled: false });
    localAws.addCluster({ clusterIdentifier: "warehouse-prod", encrypted: false });
    const { resources } = parseStackExport(JSON.stringify(stackExport()), "native.json");
    for (const resource of resources) {
      if (resource.type === RESOURCE_TYPES.kmsKey) resource.type = RESOURCE_TYPES.nativeKmsKey;
      if (resource.type === RESOURCE_TYPES.redshiftCluster) {
        resource.type = RESOURCE_TYPES.nativeRedshiftCluster;
        resource.outputs.encrypted = true;
      }
    }
    expect((await checkLive(resources)).map((entry) => [entry.resourceType, entry.kind])).toEqual([
      [RESOURCE_TYPES.nativeKmsKey, "rotation-disabled"],
      [RESOURCE_TYPES.nativeRedshiftCluster, "cluster-not-encrypted"],
    ]);
  });
});
