/**
 * `keyguard check` gives the verdict `pulumi preview --policy-pack` gives (issue #11), through the
 * real command on small projects under test/gate/fixtures: where preview fails the gate fails, and
 * where the gate cannot know, its report says what it could not see.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAnalyzer, type AnalyzerHost } from "../../engine";
import { defaultPolicyPackDir, type CliDependencies } from "../../gate/cli";
import { renderJunit, renderSarif } from "../../gate/report/formats";
import type { Report } from "../../gate/report/report";
import { startLocalAws, type LocalAws } from "../support/localAws";
import { parseJunit, runCli, sarifSchemaErrors, startSharedPack } from "./gateHarness";

let host: AnalyzerHost;
let dependencies: CliDependencies;

const fixture = (name: string) => path.join(__dirname, "fixtures", name);

beforeAll(async () => {
  ({ host, dependencies } = await startSharedPack());
});

afterAll(async () => {
  await host?.close();
});

describe("a program that fails outside any await fails the check, as it fails pulumi preview", () => {
  it("an async function called without await that rejects after the module returned: exit 2 with the program's message", async () => {
    const run = await runCli(["check", "--project", fixture("unawaited-rejection")], dependencies);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n").at(-1)).toMatch(
      /^keyguard: error: program .*unawaited-rejection\/index\.ts failed: unhandled rejection \(a promise the program did not await\): cost-centre lookup refused: no such team 'data-platfrom'$/,
    );
  });

  it("a throw in a timer callback: exit 2 with the program's message", async () => {
    const run = await runCli(["check", "--project", fixture("uncaught-in-timer"), "--format", "json"], dependencies);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n").at(-1)).toMatch(
      /^keyguard: error: program .*uncaught-in-timer\/index\.ts failed: uncaught exception: Cannot read properties of undefined \(reading 'subnetIds'\)$/,
    );
  });
});

describe("a multi-language (remote) component: reported as not analyzed, never a silent pass", () => {
  const project = fixture("remote-component");
  const urn = "urn:pulumi:dev::remote-component::pulumi:pulumi:Stack$aws-quickstart-redshift:index:Cluster::warehouse";
  const said = /not analyzed: its children are created by its plugin/;

  it("says so by type and URN in every format; exit 0 without --strict-unknowns (nothing it saw is a violation)", async () => {
    // One program run per format would say nothing more: SARIF and JUnit are rendered from the JSON report.
    const [text, json] = await Promise.all(
      ["text", "json"].map((format) => runCli(["check", "--project", project, "--format", format], dependencies)),
    );
    for (const run of [text, json]) expect(run.code).toBe(0);

    expect(text.stdout).toContain(
      `warehouse (aws-quickstart-redshift:index:Cluster)  test/gate/fixtures/remote-component/index.ts:17`,
    );
    expect(text.stdout).toContain(urn);
    expect(text.stdout).toMatch(/remote-component: not analyzed: its children are created by its plugin/);
    expect(text.stdout).toMatch(/PASSED .*, 1 not seen offline/);

    const report = JSON.parse(json.stdout) as Report;
    expect(report.notAnalyzed).toEqual([
      expect.objectContaining({
        kind: "remote-component",
        subject: urn,
        urn,
        resourceType: "aws-quickstart-redshift:index:Cluster",
        resourceName: "warehouse",
        message: expect.stringMatching(said),
      }),
    ]);
    expect(report.summary).toMatchObject({ notAnalyzed: 1, passed: true, exitCode: 0 });

    const document = JSON.parse(renderSarif(report));
    expect(sarifSchemaErrors(document)).toEqual([]);
    const result = document.runs[0].results.find(
      (candidate: { ruleId: string }) => candidate.ruleId === "keyguard-not-analyzed",
    );
    expect(result.level).toBe("note");
    expect(result.message.text).toMatch(said);
    expect(result.message.text).toContain("aws-quickstart-redshift:index:Cluster");
    expect(result.locations[0].logicalLocations[0].fullyQualifiedName).toBe(urn);
    expect(document.runs[0].tool.driver.rules[result.ruleIndex].id).toBe("keyguard-not-analyzed");

    const suite = parseJunit(renderJunit(report)).suites.find(
      (candidate) => candidate.name === "keyguard-not-analyzed",
    )!;
    expect(suite.testcase).toHaveLength(1);
    expect(suite.testcase[0].name).toBe(urn);
    expect(suite.testcase[0].skipped?.message).toMatch(said);
    expect(suite.testcase[0].failure).toBeUndefined();
  });

  it("--strict-unknowns fails it (exit 1), in every format", async () => {
    const [text, json] = await Promise.all(
      ["text", "json"].map((format) =>
        runCli(["check", "--project", project, "--format", format, "--strict-unknowns"], dependencies),
      ),
    );
    for (const run of [text, json]) expect(run.code).toBe(1);
    expect(text.stdout).toMatch(/FAILED .*, 1 not seen offline/);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.summary).toMatchObject({ notAnalyzed: 1, passed: false, exitCode: 1, mandatory: 0 });
    const result = JSON.parse(renderSarif(report)).runs[0].results.find(
      (candidate: { ruleId: string }) => candidate.ruleId === "keyguard-not-analyzed",
    );
    expect(result.level).toBe("error");
    const parsed = parseJunit(renderJunit(report));
    expect(parsed.failures).toBe(1);
    expect(
      parsed.suites.find((candidate) => candidate.name === "keyguard-not-analyzed")!.testcase[0].failure,
    ).toMatchObject({ type: "remote-component" });
  });
});

describe("late and unbounded failures: report targets are checked first, a program has a deadline", () => {
  const pidFile = () =>
    path.join(os.tmpdir(), `keyguard-never-ends-${process.pid}-${Math.random().toString(36).slice(2)}.pid`);

  it("--output in a directory that does not exist fails before the program runs (exit 2)", async () => {
    const file = pidFile();
    process.env.NEVER_ENDS_PID_FILE = file;
    try {
      // never-ends would never return if it ran: the usage error comes first.
      const run = await runCli(
        ["check", "--project", fixture("never-ends"), "--output", "/no/such/dir/x.json"],
        dependencies,
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toBe("keyguard: error: --output /no/such/dir/x.json: directory /no/such/dir does not exist\n");
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      delete process.env.NEVER_ENDS_PID_FILE;
    }
  });

  it("a program that never finishes fails the check at --timeout with a clear message, and its process is gone", async () => {
    const file = pidFile();
    process.env.NEVER_ENDS_PID_FILE = file;
    try {
      const run = await runCli(
        ["check", "--project", fixture("never-ends"), "--timeout", "6s", "--format", "json"],
        dependencies,
      );
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr.trim().split("\n").at(-1)).toMatch(
        /^keyguard: error: program .*never-ends\/index\.ts did not finish within 6s \(--timeout\) and was stopped: something keeps it running \(a loop, /,
      );
      const pid = Number(fs.readFileSync(file, "utf8"));
      expect(pid).toBeGreaterThan(0);
      expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
    } finally {
      delete process.env.NEVER_ENDS_PID_FILE;
      fs.rmSync(file, { force: true });
    }
  });
});

describe("secure: config values, which cannot be decrypted offline", () => {
  const project = fixture("secure-password");
  const key = "secure-password:warehousePassword";

  it("config.requireSecret gets an unknown secret: the component defers its checks, the report says which key it could not see (exit 0; --strict-unknowns exit 1)", async () => {
    const [text, json, strict] = await Promise.all([
      runCli(["check", "--project", project], dependencies),
      runCli(["check", "--project", project, "--format", "json"], dependencies),
      runCli(["check", "--project", project, "--format", "json", "--strict-unknowns"], dependencies),
    ]);
    expect(json.stderr).not.toMatch(/keyguard: error/);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.summary).toMatchObject({ mandatory: 0, notAnalyzed: 1, passed: true });
    expect(report.notAnalyzed).toEqual([
      {
        kind: "secure-config",
        subject: key,
        message: expect.stringMatching(
          /^config secure-password:warehousePassword is a secure value that cannot be decrypted offline: the program got it as an unknown secret/,
        ),
        location: { file: "test/gate/fixtures/secure-password/Pulumi.dev.yaml", line: 4 },
      },
    ]);
    // The cluster was registered, its password a secret whose value is unknown: never a stand-in judged as the password.
    expect(report.resources.map((resource) => resource.type)).toContain("aws:redshift/cluster:Cluster");
    for (const output of [text.stdout, json.stdout, renderSarif(report), renderJunit(report)]) {
      expect(output).not.toMatch(/placeholder|uppercase letter/);
      expect(output).toContain(key);
    }
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /secure-password:warehousePassword {2}test\/gate\/fixtures\/secure-password\/Pulumi\.dev\.yaml:4\n {2}not seen {3}secure-config: /,
    );
    expect(strict.code).toBe(1);
    expect((JSON.parse(strict.stdout) as Report).summary).toMatchObject({ notAnalyzed: 1, passed: false });
  });

  it("with its plaintext given by --config, the value is checked as pulumi preview checks it, and stays a secret", async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-secure-"));
    try {
      const strong = path.join(directory, "strong.yaml");
      const weak = path.join(directory, "weak.yaml");
      fs.writeFileSync(strong, `config:\n  ${key}: Str0ng-Warehouse-Pw\n`);
      fs.writeFileSync(weak, `config:\n  ${key}: weakwarehousepw\n`);
      const [strongRun, weakRun] = await Promise.all([
        runCli(
          ["check", "--project", project, "--config", strong, "--format", "json", "--strict-unknowns"],
          dependencies,
        ),
        runCli(["check", "--project", project, "--config", weak], dependencies),
      ]);
      expect(strongRun.code).toBe(0);
      expect((JSON.parse(strongRun.stdout) as Report).notAnalyzed).toEqual([]);
      expect(strongRun.stdout).not.toContain("Str0ng-Warehouse-Pw");
      expect(weakRun.code).toBe(2);
      expect(weakRun.stderr).toMatch(/masterPassword: got a password, without an uppercase letter/);
      expect(weakRun.stderr + weakRun.stdout).not.toContain("weakwarehousepw");
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it("read as plain text (config.require), for which no stand-in is honest: exit 2 naming the key and the ways out", async () => {
    const run = await runCli(["check", "--project", fixture("secure-plain-read")], dependencies);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n").at(-1)).toMatch(
      /failed: config\.require\("warehousePassword"\): secure-plain-read:warehousePassword is a secure value, which keyguard check cannot decrypt offline, and the program reads it as plain text.*read it with config\.requireSecret .*or give its plaintext with --config FILE$/,
    );
  });
});

describe("a key from another stack (StackReference): judged as a key outside the stack, not as unknown", () => {
  const project = fixture("stack-reference-key");
  const clusterUrn = "urn:pulumi:dev::stack-reference-key::pulumi:pulumi:Stack$aws:redshift/cluster:Cluster::warehouse";
  const trustedKeyArn = "arn:aws:kms:eu-west-1:444455556666:key/0f0f0f0f-1111-2222-3333-444444444444";
  const offKeyArn = "arn:aws:kms:eu-west-1:444455556666:key/0e0e0e0e-1111-2222-3333-444444444444";
  let directory: string;
  beforeAll(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-stack-outputs-"));
  });
  afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));
  const write = (name: string, content: unknown) => {
    const file = path.join(directory, name);
    fs.writeFileSync(file, JSON.stringify(content));
    return file;
  };
  const outputsWith = (keyArn: string) =>
    write(`outputs-${keyArn.slice(-4)}-${Math.random().toString(36).slice(2)}.json`, {
      "acme/security/prod": { warehouseKeyArn: keyArn, vpcId: "vpc-0123456789abcdef0" },
    });
  const externalKeyFindings = (report: Report) =>
    report.violations.filter((violation) => violation.policyName === "redshift-cluster-external-key");

  it("without the referenced outputs: no mandatory failure; the external-key policy says the key's ARN could not be seen, the report names the stack, --strict-unknowns fails", async () => {
    const run = await runCli(["check", "--project", project, "--format", "json"], dependencies);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.summary.mandatory).toBe(0);
    expect(report.notApplicable).toContainEqual(
      expect.objectContaining({ policyName: "redshift-cluster-key-rotated", urn: clusterUrn }),
    );
    expect(externalKeyFindings(report)).toEqual([
      expect.objectContaining({
        urn: clusterUrn,
        enforcementLevel: "advisory",
        undecidedUnknown: true,
        message: expect.stringMatching(
          /encrypted with a key from an output of stack acme\/security\/prod \(a StackReference\), outside this stack, whose ARN is not known here/,
        ),
      }),
    ]);
    expect(report.notAnalyzed).toEqual([
      expect.objectContaining({
        kind: "stack-reference",
        subject: "acme/security/prod",
        resourceType: "pulumi:pulumi:StackReference",
        location: expect.objectContaining({ file: "test/gate/fixtures/stack-reference-key/index.ts", line: 8 }),
      }),
    ]);
    const strict = await runCli(["check", "--project", project, "--format", "json", "--strict-unknowns"], dependencies);
    expect(strict.code).toBe(1);
  });

  it("with the outputs (--stack-outputs) and the key in trustedKeyArns: passes, even under --strict-unknowns; the supplied values stay secret", async () => {
    const policyConfig = write("trusted.json", {
      "redshift-cluster-external-key": { trustedKeyArns: [trustedKeyArn] },
    });
    const run = await runCli(
      [
        "check",
        "--project",
        project,
        "--stack-outputs",
        outputsWith(trustedKeyArn),
        "--policy-config",
        policyConfig,
        "--format",
        "json",
        "--strict-unknowns",
      ],
      dependencies,
    );
    expect(run.stderr).not.toMatch(/keyguard: error/);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(externalKeyFindings(report)).toEqual([]);
    expect(report.notAnalyzed).toEqual([]);
    expect(report.notApplicable).toContainEqual(
      expect.objectContaining({ policyName: "redshift-cluster-key-rotated", urn: clusterUrn }),
    );

    // Not trusted: the advisory finding names the key from outside the stack, masked as the secret it was given as.
    const untrusted = await runCli(
      ["check", "--project", project, "--stack-outputs", outputsWith(trustedKeyArn), "--format", "json"],
      dependencies,
    );
    expect(untrusted.code).toBe(0);
    const finding = externalKeyFindings(JSON.parse(untrusted.stdout) as Report)[0];
    expect(finding).toMatchObject({ enforcementLevel: "advisory", undecidedUnknown: false });
    expect(finding.message).toMatch(
      /is encrypted with key "\[secret\]", which is not defined in this stack and not in trustedKeyArns/,
    );
    expect(untrusted.stdout).not.toContain(trustedKeyArn);
  });

  it("an output the referenced stack does not have fails the program, as pulumi preview does (exit 2)", async () => {
    const file = write("no-key.json", { "acme/security/prod": { vpcId: "vpc-0123456789abcdef0" } });
    const run = await runCli(["check", "--project", project, "--stack-outputs", file], dependencies);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Required output 'warehouseKeyArn' does not exist on stack 'acme\/security\/prod'/);
  });

  describe("with verifyExternalKeysLive, against the local AWS endpoint", () => {
    let localAws: LocalAws;
    let liveHost: AnalyzerHost;
    let liveDependencies: CliDependencies;
    beforeAll(async () => {
      localAws = await startLocalAws();
      liveHost = await startAnalyzer({
        packDir: defaultPolicyPackDir(),
        env: { ...process.env, ...localAws.clientEnvironment("eu-west-1") },
      });
      liveDependencies = { startPack: async () => liveHost, closePack: false };
    });
    afterAll(async () => {
      await liveHost?.close();
      await localAws?.stop();
    });

    it("a rotating key passes; a key whose rotation KMS reports off is reported (here at level mandatory: exit 1)", async () => {
      localAws.reset();
      localAws.addKey({ keyArn: trustedKeyArn, rotationEnabled: true, rotationPeriodInDays: 180 });
      localAws.addKey({ keyArn: offKeyArn, rotationEnabled: false });
      const policyConfig = write("live.json", {
        "redshift-cluster-external-key": { enforcementLevel: "mandatory", verifyExternalKeysLive: true },
      });
      const rotating = await runCli(
        [
          "check",
          "--project",
          project,
          "--stack-outputs",
          outputsWith(trustedKeyArn),
          "--policy-config",
          policyConfig,
          "--format",
          "json",
        ],
        liveDependencies,
      );
      expect(rotating.stderr).not.toMatch(/keyguard: error/);
      expect(rotating.code).toBe(0);
      expect(externalKeyFindings(JSON.parse(rotating.stdout) as Report)).toEqual([]);

      const off = await runCli(
        [
          "check",
          "--project",
          project,
          "--stack-outputs",
          outputsWith(offKeyArn),
          "--policy-config",
          policyConfig,
          "--format",
          "json",
        ],
        liveDependencies,
      );
      expect(off.code).toBe(1);
      const findings = externalKeyFindings(JSON.parse(off.stdout) as Report);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ urn: clusterUrn, enforcementLevel: "mandatory" });
      expect(findings[0].message).toMatch(/whose rotation KMS reports as off \(KeyRotationEnabled false\)/);
      expect(
        localAws.calls.filter((call) => call.action === "GetKeyRotationStatus").map((call) => call.outcome),
      ).toEqual(["ok", "ok"]);
    });
  });
});

describe("an existing key read with aws.kms.Key.get, whose state only AWS knows", () => {
  it("is judged as a key from outside the stack (advisory), not as an unknown key reference (a mandatory failure preview never gives)", async () => {
    const run = await runCli(["check", "--project", fixture("existing-key-get"), "--format", "json"], dependencies);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.summary.mandatory).toBe(0);
    const external = report.violations.filter((violation) => violation.policyName === "redshift-cluster-external-key");
    expect(external).toHaveLength(1);
    expect(external[0].message).toMatch(
      /encrypted with key "arn:aws:kms:eu-west-1:123456789012:key\/1234abcd-12ab-34cd-56ef-1234567890ab", which is not defined in this stack/,
    );
  });
});
