/**
 * The gate's edges: bad flags and files (exit 2, one line naming the input), a program that fails,
 * atomic report writing, progress on a terminal and elsewhere, colour, and secrets in every field
 * a report shows. No pack process here except none at all: the cases fail before one is needed.
 */
import * as fs from "fs";
import { createRequire, syncBuiltinESMExports } from "module";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzerHost } from "../../engine";
import { resolveReportTargets } from "../../gate/report/reportTargets";
import { writeReports } from "../../gate/report/writeReports";
import { decodeFinding, findingKind, type Evaluation } from "../../gate/evaluate";
import { encodeViolation } from "../../policy/verdictCodec";
import {
  renderGitlab,
  renderJson,
  renderJunit,
  renderMarkdown,
  renderSarif,
  renderText,
} from "../../gate/report/formats";
import { invokeResult, OFFLINE_INVOKE_TOKENS } from "../../gate/program/offlineInvokes";
import { Progress } from "../../gate/progress";
import { readPulumiProject } from "../../gate/program/pulumiProject";
import { redshiftClusterEncrypted } from "../../policy/policies/redshift-cluster-encrypted";
import { redshiftClusterExternalKey } from "../../policy/policies/redshift-cluster-external-key";
import { buildReport } from "../../gate/report/report";
import { RESOURCE_TYPES, SECRET_SIGNATURE, SPECIAL_SIGNATURE_KEY } from "../../facts";
import { parseJunit, REPO_ROOT, runCli, sarifSchemaErrors } from "./gateHarness";

let directory: string;
beforeAll(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-usage-"));
});
afterAll(() => {
  if (directory) fs.rmSync(directory, { recursive: true, force: true });
});

/** A pack that is never asked anything: these runs must fail before they need one. */
const noPack = {
  startPack: async () => ({ close: async () => undefined }) as unknown as AnalyzerHost,
  closePack: true,
};

describe("usage errors: exit 2 and one line on stderr naming the input, the value and what is allowed", () => {
  const cases: [string, () => string[], RegExp][] = [
    ["no command", () => [], /a command is required: keyguard check or keyguard audit/],
    ["an unknown command", () => ["chek"], /unknown command "chek"; the commands are check and audit/],
    [
      "an unknown flag",
      () => ["check", "--formt", "json"],
      /keyguard check: Unknown option '--formt'.*allowed options: .*--format/,
    ],
    ["a flag of the other command", () => ["check", "--live"], /Unknown option '--live'/],
    ["an unknown format", () => ["check", "--format", "xml"], /--format "xml" is not one of text, json, sarif, junit/],
    ["audit without its export", () => ["audit"], /keyguard audit needs --stack-export FILE/],
    [
      "a region that is not one",
      () => ["audit", "--stack-export", "x.json", "--region", "Mars"],
      /--region "Mars" is not an AWS region name like us-east-1/,
    ],
    [
      "a missing project directory",
      () => ["check", "--project", path.join(directory, "none")],
      /--project .*none: no such directory/,
    ],
    [
      "a directory without Pulumi.yaml",
      () => ["check", "--project", directory],
      /no Pulumi\.yaml in .*; a Pulumi project directory is required/,
    ],
    [
      "a stack with no stack file",
      () => ["check", "--project", "examples/compliant", "--stack", "prod"],
      /--stack prod: no stack file .*Pulumi\.prod\.yaml/,
    ],
    [
      "a bad stack name",
      () => ["check", "--project", "examples/compliant", "--stack", "../etc"],
      /--stack "\.\.\/etc": a stack name has only letters/,
    ],
    [
      "a policy pack directory without PulumiPolicy.yaml",
      () => ["check", "--policy-pack", directory],
      /--policy-pack .*: no PulumiPolicy\.yaml in /,
    ],
    [
      "a policy config that is not JSON",
      () => ["check", "--policy-config", writeFile("config.yaml", "all: advisory\n")],
      /--policy-config .*config\.yaml is not JSON \(the format of `pulumi preview --policy-pack-config`\)/,
    ],
    [
      "a policy config that is a list",
      () => ["check", "--policy-config", writeFile("list.json", "[]")],
      /--policy-config .*list\.json must be a JSON object keyed by policy name/,
    ],
    [
      "a config file that is not YAML",
      () => ["check", "--project", "examples/compliant", "--config", writeFile("bad.yaml", "config: [unclosed\n")],
      /--config .*bad\.yaml is not valid YAML/,
    ],
    [
      "a project of another runtime",
      () => ["check", "--project", writeProject("python-project", "name: p\nruntime: python\n")],
      /runtime "python" is not supported; keyguard check runs "nodejs" programs/,
    ],
    [
      "a timeout that is not a duration",
      () => ["check", "--timeout", "5h"],
      /--timeout "5h" is not a duration: give whole seconds \(90, 90s\) or minutes \(5m\), more than 0/,
    ],
    [
      "stack outputs that are not JSON",
      () => ["check", "--stack-outputs", writeFile("outputs.txt", "warehouseKeyArn: arn")],
      /--stack-outputs .*outputs\.txt is not JSON \(Unexpected token\); expected \{ "<org>\/<project>\/<stack>": <what pulumi stack output --json --show-secrets prints>/,
    ],
    [
      "stack outputs that are a list",
      () => ["check", "--stack-outputs", writeFile("outputs-list.json", "[]")],
      /--stack-outputs .*outputs-list\.json must be a JSON object keyed by stack name \(as given to StackReference\), got an array/,
    ],
    [
      "a stack's outputs that are not an object",
      () => ["check", "--stack-outputs", writeFile("outputs-string.json", '{"acme/security/prod": "arn:aws:kms:x"}')],
      /"acme\/security\/prod" must be the object `pulumi stack output --json --show-secrets --stack acme\/security\/prod` prints, got a string$/,
    ],
    [
      "a stack output hidden as [secret]",
      () => [
        "check",
        "--stack-outputs",
        writeFile("outputs-hidden.json", '{"acme/security/prod": {"warehouseKeyArn": "[secret]"}}'),
      ],
      /"acme\/security\/prod"\.warehouseKeyArn is "\[secret\]", a secret pulumi stack output hid; write the file with --show-secrets/,
    ],
    ["a timeout of zero", () => ["check", "--timeout", "0s"], /--timeout "0s" is not a duration/],
    [
      "an --output in a directory that does not exist (audit)",
      () => ["audit", "--stack-export", "x.json", "--output", path.join(directory, "none", "r.json")],
      /--output .*none\/r\.json: directory .*none does not exist/,
    ],
    [
      "an --output that is a directory",
      () => ["check", "--output", directory],
      /--output .* is a directory; give a file path/,
    ],
    [
      "a JSON file that is not a stack export",
      () => ["audit", "--stack-export", writeFile("e.json", "{}"), "--output", path.join(directory, "never.json")],
      /--stack-export .*e\.json is not a `pulumi stack export` file: it has no "deployment"/,
    ],
  ];

  function writeFile(name: string, content: string): string {
    const file = path.join(directory, name);
    fs.writeFileSync(file, content);
    return file;
  }
  function writeProject(name: string, pulumiYaml: string): string {
    const project = path.join(directory, name);
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), pulumiYaml);
    return project;
  }

  it.each(cases)("%s", async (_name, args, expected) => {
    const run = await runCli(args(), noPack);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n");
    expect(lines.at(-1)).toMatch(/^keyguard: error: /);
    expect(lines.at(-1)).toMatch(expected);
  });

  it("a program that fails, here the component refusing a period given by --config: exit 2 with every reason on one line", async () => {
    const config = path.join(directory, "too-long.yaml");
    fs.writeFileSync(config, "config:\n  keyguard:rotationPeriodInDays: 3000\n");
    const run = await runCli(["check", "--config", config], noPack);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n");
    expect(lines.at(-1)).toMatch(
      /^keyguard: error: program index\.ts failed: EncryptedRedshiftCluster "warehouse": .*rotationPeriodInDays: got 3000; .*2560/,
    );
  });

  it("a policy pack that crashes at start: exit 2 naming the pack and its error", async () => {
    const packDir = path.join(directory, "broken-pack");
    fs.mkdirSync(packDir, { recursive: true });
    fs.writeFileSync(path.join(packDir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    fs.writeFileSync(
      path.join(packDir, "package.json"),
      JSON.stringify({ name: "broken-pack", version: "1.0.0", main: "index.js" }),
    );
    fs.writeFileSync(path.join(packDir, "index.js"), 'throw new Error("policy pack exploded on load");\n');
    const exportFile = path.join(directory, "for-broken-pack.json");
    // A stack with its stack resource only: the smallest export that is not a usage error.
    const stackResource = {
      urn: "urn:pulumi:dev::broken::pulumi:pulumi:Stack::broken-dev",
      type: RESOURCE_TYPES.pulumiStack,
      custom: false,
    };
    fs.writeFileSync(exportFile, JSON.stringify({ version: 3, deployment: { resources: [stackResource] } }));
    // The real launcher this time: the engine's run-policy-pack, which the pack kills at load.
    const run = await runCli(["audit", "--stack-export", exportFile, "--policy-pack", packDir]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const lastLine = run.stderr.trim().split("\n").at(-1)!;
    expect(lastLine).toMatch(
      /^keyguard: error: the policy pack in .*broken-pack did not start: .*exited .*: Error: policy pack exploded on load$/,
    );
  });

  it("--help and --version answer on stdout with exit 0", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/keyguard check \[--project DIR\]/);
    const version = await runCli(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(
      JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version,
    );
  });

  it("a command's own --help (keyguard audit --help, keyguard check -h) prints the usage with exit 0 and runs nothing", async () => {
    for (const args of [
      ["audit", "--help"],
      ["check", "-h"],
      ["check", "--project", "does-not-exist", "--help"],
    ]) {
      const help = await runCli(args);
      expect({ args, code: help.code, stderr: help.stderr }).toEqual({ args, code: 0, stderr: "" });
      expect(help.stdout).toMatch(/keyguard audit --stack-export FILE/);
    }
  });
});

describe("reports are written atomically", () => {
  /** Writes `content` as the json report to `file`, through the CLI's own target checks and writer. */
  const writeReport = async (file: string, content: string) =>
    writeReports(resolveReportTargets({ output: file, format: "json" }, directory), () => content, {
      write: () => undefined,
    });

  it("replaces an existing report whole and leaves no temporary file", async () => {
    const target = path.join(directory, "atomic", "report.json");
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, "old report that is longer than the new one ".repeat(1000));
    await writeReport(target, '{"new":true}\n');
    expect(fs.readFileSync(target, "utf8")).toBe('{"new":true}\n');
    expect(fs.readdirSync(path.dirname(target))).toEqual(["report.json"]);
  });

  it("refuses a directory or a missing directory as the target, writing nothing", async () => {
    await expect(writeReport(directory, "x")).rejects.toThrow(/is a directory; give a file path/);
    await expect(writeReport(path.join(directory, "missing", "r.json"), "x")).rejects.toThrow(
      /directory .*missing does not exist/,
    );
    expect(fs.existsSync(path.join(directory, "missing"))).toBe(false);
  });

  // Changed with issue 20: a failed write used to keep the previous report, which then claimed a
  // verdict this run did not reach (the Action uploaded a stale passing SARIF after an exit 2).
  it("removes its temporary file when the rename fails, and leaves no report at the path, not even the previous one", async () => {
    const target = path.join(directory, "kept.json");
    fs.writeFileSync(target, "previous report\n");
    const before = fs.readdirSync(directory).sort();
    // The data is written and flushed, then rename(2) fails (as across filesystems, EXDEV).
    const nodeFs = createRequire(__filename)("fs") as typeof fs;
    const rename = nodeFs.renameSync;
    nodeFs.renameSync = () => {
      throw Object.assign(new Error("EXDEV: cross-device link not permitted, rename"), { code: "EXDEV" });
    };
    syncBuiltinESMExports();
    try {
      await expect(writeReport(target, "new report\n")).rejects.toThrow(
        /--output .*kept\.json could not be written: EXDEV/,
      );
    } finally {
      nodeFs.renameSync = rename;
      syncBuiltinESMExports();
    }
    expect(fs.readdirSync(directory).sort()).toEqual(before.filter((name) => name !== "kept.json"));
  });
});

describe("progress and colour", () => {
  it("redraws one line on a terminal and prints plain lines elsewhere", () => {
    let terminal = "";
    let log = "";
    const onTerminal = new Progress({ write: (text) => (terminal += text), isTTY: true });
    const inLog = new Progress({ write: (text) => (log += text), isTTY: false });
    for (const progress of [onTerminal, inLog]) {
      progress.step("starting");
      for (let done = 1; done <= 3; done++) progress.count("analyzed", done, 3);
    }
    expect(terminal).toContain("\r\u001b[2Kkeyguard: analyzed 1/3");
    expect(log).toBe("keyguard: starting\nkeyguard: analyzed 3/3\n");
  });
});

describe("no report prints a secret, wherever the secret appears", () => {
  const secretValues = ["S3cretName", "s3cret-type-part", "ZZ-secret-message-value", "hunter2-password", "9871"];
  const secret = (value: unknown) => ({ [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE, value });
  // A secret in the resource name (so in the URN), the type, a policy name, a description and
  // messages: everything the formats print.
  const urn = `urn:pulumi:dev::p::aws:kms/key:Key::key-${secretValues[0]}`;
  const evaluation: Evaluation = {
    mode: "check",
    stack: { project: "p", stack: "dev" },
    pack: { name: "pack", version: "1.0.0", dir: "policy" },
    policies: [
      {
        name: `policy-${secretValues[2]}`,
        displayName: "d",
        description: `checks ${secretValues[3]}`,
        enforcementLevel: "mandatory",
        policyType: "resource",
        severity: "high",
        remediationSteps: `set ${secretValues[4]}`,
        url: "",
        tags: [],
      },
    ],
    enforcementLevels: {},
    resources: [
      {
        urn,
        type: `aws:kms/key:Key-${secretValues[1]}`,
        name: `key-${secretValues[0]}`,
        custom: true,
        dependencies: [],
        propertyDependencies: {},
        inputs: {
          name: secret(secretValues[0]),
          nested: { deep: [secret({ type: secretValues[1], list: [secretValues[2], 9871] })] },
        },
        outputs: { password: secret(secretValues[3]) },
        sourceLocation: { file: path.join(REPO_ROOT, `src-${secretValues[0]}.ts`), line: 3, column: 1 },
      },
    ],
    findings: [
      {
        policyName: `policy-${secretValues[2]}`,
        policyPackName: "pack",
        policyPackVersion: "1.0.0",
        enforcementLevel: "mandatory",
        severity: "high",
        urn,
        resourceType: `aws:kms/key:Key-${secretValues[1]}`,
        resourceName: `key-${secretValues[0]}`,
        ...decodeFinding(`password ${secretValues[3]} and period ${secretValues[4]} and ${secretValues.join(",")}`, {
          remediationApplies: true,
        }),
        description: `checks ${secretValues[3]}`,
        phase: "resource",
        undecidedUnknown: false,
      },
    ],
    notApplicable: [
      {
        policyName: `policy-${secretValues[2]}`,
        urn,
        phase: "resource",
        reason: `exempt for ${secretValues[3]}`,
        exemption: { resource: `key-${secretValues[0]}`, reason: `exempt for ${secretValues[3]}` },
      },
    ],
  };

  it("masks every secret in JSON, SARIF, JUnit, text, Markdown and GitLab, exemption reasons included", () => {
    const report = buildReport(evaluation, { toolVersion: "1", strictUnknowns: false, baseDir: REPO_ROOT });
    const outputs = {
      json: renderJson(report),
      sarif: renderSarif(report),
      junit: renderJunit(report),
      text: renderText(report, { color: false }),
      markdown: renderMarkdown(report),
      gitlab: renderGitlab(report),
    };
    for (const [format, output] of Object.entries(outputs)) {
      for (const value of secretValues) expect(output, `${format} shows ${value}`).not.toContain(value);
      expect(output).toContain("[secret]");
    }
    // Counts and line numbers are not values: they stay.
    expect(report.summary.mandatory).toBe(1);
    expect(report.violations[0].location?.line).toBe(3);
    expect(sarifSchemaErrors(JSON.parse(outputs.sarif))).toEqual([]);
  });

  it("colours text only when asked", () => {
    const report = buildReport(evaluation, { toolVersion: "1", strictUnknowns: false, baseDir: REPO_ROOT });
    expect(renderText(report, { color: true })).toContain("\u001b[31mmandatory");
    expect(renderText(report, { color: false })).not.toContain("\u001b[");
  });
});

describe("the pull-request workflow", () => {
  interface Step {
    run?: string;
    uses?: string;
    if?: string;
    with?: Record<string, unknown>;
  }
  const yaml = require("js-yaml") as { load(text: string): unknown };
  const workflow = yaml.load(fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", "keyguard.yml"), "utf8")) as {
    on: Record<string, unknown>;
    jobs: Record<string, { steps: Step[]; permissions?: Record<string, string> }>;
  };

  it("gates pull requests: install, test, keyguard check as SARIF, then upload that SARIF even when the check failed", () => {
    expect(workflow.on).toHaveProperty("pull_request");
    const steps = workflow.jobs.gate.steps;
    const runs = steps.map((step) => step.run ?? "");
    const install = runs.indexOf("npm ci");
    const test = runs.indexOf("npm test");
    const check = runs.findIndex((run) => /^npx keyguard check --format sarif --output (\S+)$/.test(run));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(test).toBeGreaterThan(install);
    expect(check).toBeGreaterThan(test);
    const sarifFile = /--output (\S+)$/.exec(runs[check])![1];
    const upload = steps.find((step) => step.uses?.startsWith("github/codeql-action/upload-sarif@"))!;
    expect(steps.indexOf(upload)).toBeGreaterThan(check);
    expect(upload.with?.sarif_file).toBe(sarifFile);
    expect(upload.if).toMatch(/^always\(\)/);
    expect(workflow.jobs.gate.permissions?.["security-events"]).toBe("write");
  });

  it("runs pulumi preview with the pack through the official Pulumi action in a second job", () => {
    const pulumi = workflow.jobs.preview.steps.find((step) => step.uses?.startsWith("pulumi/actions@"))!;
    expect(pulumi.with).toMatchObject({ command: "preview", policyPacks: "./policy" });
    expect(
      workflow.jobs.preview.steps.some((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@")),
    ).toBe(true);
  });
});

describe("levels of findings whose value could not be known", () => {
  function evaluationWith(
    findings: { policyName: string; enforcementLevel: "mandatory" | "advisory"; message: string }[],
  ): Evaluation {
    const urn = "urn:pulumi:dev::p::aws:redshift/cluster:Cluster::c";
    return {
      mode: "check",
      stack: { project: "p", stack: "dev" },
      pack: { name: "pack", version: "1", dir: "policy" },
      policies: findings.map((finding) => ({
        name: finding.policyName,
        displayName: "",
        description: "",
        enforcementLevel: finding.enforcementLevel,
        policyType: "stack" as const,
        severity: "unspecified" as const,
        remediationSteps: "",
        url: "",
        tags: [],
      })),
      enforcementLevels: {},
      resources: [
        {
          urn,
          type: "aws:redshift/cluster:Cluster",
          name: "c",
          custom: true,
          dependencies: [],
          propertyDependencies: {},
          inputs: {},
          outputs: {},
        },
      ],
      findings: findings.map((finding) => ({
        ...finding,
        ...decodeFinding(finding.message, { remediationApplies: true }),
        policyPackName: "pack",
        policyPackVersion: "1",
        severity: "unspecified" as const,
        urn,
        resourceType: "aws:redshift/cluster:Cluster",
        resourceName: "c",
        description: "",
        phase: "stack" as const,
        undecidedUnknown: findingKind(finding.message) === "unknown-in-preview",
      })),
      notApplicable: [],
    };
  }
  const findings = [
    {
      policyName: "mandatory-one",
      enforcementLevel: "mandatory" as const,
      message: encodeViolation("unknown-in-preview", {
        found: "its kmsKeyId is unknown during preview, so it could not be checked",
      }),
    },
    {
      policyName: "advisory-one",
      enforcementLevel: "advisory" as const,
      message: "can't run policy 'x' during preview: string value at .kmsKeyId can't be known during preview",
    },
  ];
  const sarifLevels = (strictUnknowns: boolean) => {
    const report = buildReport(evaluationWith(findings), { toolVersion: "1", strictUnknowns, baseDir: REPO_ROOT });
    const sarif = JSON.parse(renderSarif(report));
    return {
      exitCode: report.summary.exitCode,
      levels: Object.fromEntries(
        sarif.runs[0].results.map((result: { ruleId: string; level: string }) => [result.ruleId, result.level]),
      ),
    };
  };

  it("recognises the pack's encoded verdict kind and @pulumi/policy's own wording, and nothing else", () => {
    expect(findings.map((finding) => findingKind(finding.message))).toEqual([
      "unknown-in-preview",
      "unknown-in-preview",
    ]);
    expect(findingKind("enableKeyRotation is false; required: true")).toBe("non-compliant");
    // Words alone no longer count: only the verdict kind the pack encoded.
    expect(findingKind("its kmsKeyId is unknown during preview, so it could not be checked")).toBe("non-compliant");
  });

  it("does not count a key from outside the stack as undecidable: that is redshift-cluster-external-key's own finding, not a value unknown in preview", async () => {
    const cluster = {
      urn: "urn:pulumi:dev::p::aws:redshift/cluster:Cluster::c",
      type: "aws:redshift/cluster:Cluster",
      name: "c",
      props: { encrypted: "true", kmsKeyId: "arn:aws:kms:eu-west-1:111122223333:key/outside" },
    };
    const [external] = await redshiftClusterExternalKey.verdicts([cluster], {});
    expect(external.verdict.kind).toBe("non-compliant");
    expect(findingKind((external.verdict as { message: string }).message)).toBe("non-compliant");
  });

  it("keeps a mandatory finding an error, makes an undecidable advisory a note, and an error under --strict-unknowns", () => {
    expect(sarifLevels(false)).toEqual({ exitCode: 1, levels: { "mandatory-one": "error", "advisory-one": "note" } });
    expect(sarifLevels(true)).toEqual({ exitCode: 1, levels: { "mandatory-one": "error", "advisory-one": "error" } });
    const advisoryOnly = buildReport(evaluationWith([findings[1]]), {
      toolVersion: "1",
      strictUnknowns: false,
      baseDir: REPO_ROOT,
    });
    expect(advisoryOnly.summary.exitCode).toBe(0);
    expect(
      buildReport(evaluationWith([findings[1]]), { toolVersion: "1", strictUnknowns: true, baseDir: REPO_ROOT }).summary
        .exitCode,
    ).toBe(1);
  });

  it("names a stack-wide JUnit failure by its cause: an undecidable advisory under --strict-unknowns is an unknown-value failure, not a mandatory one", () => {
    const evaluation = evaluationWith([findings[1]]);
    evaluation.findings = evaluation.findings.map((finding) => ({
      ...finding,
      urn: "",
      resourceType: "",
      resourceName: "",
    }));
    const junit = parseJunit(
      renderJunit(buildReport(evaluation, { toolVersion: "1", strictUnknowns: true, baseDir: REPO_ROOT })),
    );
    const stackCase = junit.suites
      .flatMap((suite) => suite.testcase)
      .find((testCase) => testCase.name === "stack p/dev")!;
    expect(stackCase.failure?.type).toBe("unknown-value");
  });
});

describe("offline answers to provider functions", () => {
  it("answers exactly the functions @pulumi/aws calls by those tokens, with the stack's region", () => {
    const awsDir = path.dirname(require.resolve("@pulumi/aws/package.json"));
    for (const token of OFFLINE_INVOKE_TOKENS) {
      const [, module, name] = /^aws:([a-z]+)\/([A-Za-z]+):/.exec(token)!;
      const source = fs.readFileSync(path.join(awsDir, module === "index" ? "" : module, `${name}.js`), "utf8");
      expect(source, token).toContain(`invoke("${token}"`);
    }
    expect(invokeResult("aws:index/getCallerIdentity:getCallerIdentity", {}, "eu-west-1")).toMatchObject({
      accountId: "123456789012",
    });
    expect(invokeResult("aws:index/getRegion:getRegion", {}, "eu-west-1")).toMatchObject({
      name: "eu-west-1",
      region: "eu-west-1",
    });
    expect(invokeResult("aws:index/getRegion:getRegion", { region: "us-west-2" }, "eu-west-1")).toMatchObject({
      region: "us-west-2",
    });
    expect(invokeResult("aws:index/getPartition:getPartition", {}, "eu-west-1")).toMatchObject({
      partition: "aws",
      dnsSuffix: "amazonaws.com",
    });
    expect(
      JSON.parse(
        invokeResult(
          "aws:iam/getPolicyDocument:getPolicyDocument",
          { statements: [{ actions: ["kms:*"] }] },
          "eu-west-1",
        ).json as string,
      ),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [{ actions: ["kms:*"] }],
    });
  });

  it("answers aws.kms.getKey and getAlias with an ARN, so a cluster keyed by an existing key is judged as keyed from outside the stack, not as naming no key", async () => {
    const keyArn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(invokeResult("aws:kms/getKey:getKey", { keyId: keyArn }, "eu-west-1")).toMatchObject({
      arn: keyArn,
      id: "1234abcd-12ab-34cd-56ef-1234567890ab",
    });
    expect(invokeResult("aws:kms/getKey:getKey", { keyId: "1234abcd" }, "eu-west-1")).toMatchObject({
      arn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd",
    });
    expect(invokeResult("aws:kms/getKey:getKey", { keyId: "alias/shared" }, "eu-west-1")).toMatchObject({
      arn: "arn:aws:kms:eu-west-1:123456789012:alias/shared",
    });
    const alias = invokeResult("aws:kms/getAlias:getAlias", { name: "alias/shared" }, "us-east-2");
    expect(alias).toMatchObject({
      arn: "arn:aws:kms:us-east-2:123456789012:alias/shared",
      targetKeyArn: "arn:aws:kms:us-east-2:123456789012:alias/shared",
    });
    for (const kmsKeyId of [
      invokeResult("aws:kms/getKey:getKey", { keyId: "alias/shared" }, "eu-west-1").arn,
      alias.targetKeyArn,
    ]) {
      const cluster = {
        urn: "urn:pulumi:dev::p::aws:redshift/cluster:Cluster::c",
        type: "aws:redshift/cluster:Cluster",
        name: "c",
        props: { encrypted: "true", kmsKeyId },
      };
      expect(redshiftClusterEncrypted.verdict(cluster, {})).toEqual({ kind: "compliant" });
      const [external] = await redshiftClusterExternalKey.verdicts([cluster], {});
      expect(external.verdict).toMatchObject({
        kind: "non-compliant",
        message: expect.stringContaining("not defined in this stack and not in trustedKeyArns"),
      });
    }
  });
});

describe("reading the Pulumi project as the CLI does", () => {
  const project = (files: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-project-"));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
  };

  it("finds stack files in the project's stackConfigDir, as pulumi does", () => {
    const dir = project({
      "Pulumi.yaml": "name: configdir\nruntime: nodejs\nstackConfigDir: stacks\n",
      "index.js": "",
      "stacks/Pulumi.dev.yaml": "config:\n  aws:region: eu-west-1\n  configdir:period: 180\n",
      "stacks/Pulumi.prod.yaml": "config:\n  aws:region: eu-central-1\n",
    });
    try {
      expect(readPulumiProject(dir, undefined, undefined)).toMatchObject({
        stack: "dev",
        region: "eu-west-1",
        config: { "configdir:period": "180" },
      });
      expect(readPulumiProject(dir, "prod", undefined)).toMatchObject({ stack: "prod", region: "eu-central-1" });
      expect(() => readPulumiProject(dir, "staging", undefined)).toThrow(
        `--stack staging: no stack file ${path.join(dir, "stacks", "Pulumi.staging.yaml")} (give the stack`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes a stack without a stack file when --config gives its config (pulumi needs no stack file either)", () => {
    const dir = project({
      "Pulumi.yaml": "name: nofile\nruntime: nodejs\n",
      "index.js": "",
      "ci.yaml": "config:\n  aws:region: ap-south-1\n",
    });
    try {
      expect(readPulumiProject(dir, "ci", path.join(dir, "ci.yaml"))).toMatchObject({
        stack: "ci",
        region: "ap-south-1",
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
