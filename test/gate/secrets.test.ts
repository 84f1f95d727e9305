/**
 * Secrets never print: decrypted `secure:` config (given with --config), stack outputs and an
 * export's plaintext are masked in all six report formats, on stdout and on stderr (progress, the
 * program's forwarded output, error messages), as the Pulumi CLI masks config secrets; short
 * values are masked as whole values only (see gate/secretMasker.ts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKeyguard } from "./keyguardProcess";
import { runCli } from "./gateHarness";
import { SecretMasker } from "../../gate/secretMasker";
import { stackExport } from "./stackExportFixture";
import { SECRET_SIGNATURE, SPECIAL_SIGNATURE_KEY } from "../../facts";

const fixture = path.join(__dirname, "fixtures", "secret-config-leak");
const configFile = path.join(fixture, "leaky-config.yaml");
const PASSWORD = "Tr0ub4dor&3-horse-battery";
const CLUSTER_NAME = "zebra-hidden-warehouse";
/** What must appear nowhere: the secrets, and a piece of the password printed in two chunks. */
const PLAINTEXTS = [PASSWORD, CLUSTER_NAME, "Tr0ub4dor", "Secret_Identifier_Of_The_Warehouse"];

let directory: string;
beforeAll(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-secrets-"));
});
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

function expectNoPlaintext(where: string, text: string): void {
  for (const plaintext of PLAINTEXTS) expect(text.includes(plaintext), `${plaintext} in ${where}`).toBe(false);
}

describe("decrypted config secrets, read with config.require, through the real keyguard command", () => {
  it("never appear in the six report formats, on stdout or on stderr (the program's output included); short secrets leave versions and fingerprints alone", async () => {
    const reports = ["json", "sarif", "junit", "markdown", "gitlab"].map((format) => ({
      format,
      file: path.join(directory, `report.${format}`),
    }));
    const run = await runKeyguard([
      "check",
      "--project",
      fixture,
      "--config",
      configFile,
      ...reports.flatMap(({ format, file }) => ["--report", `${format}=${file}`]),
      "--format",
      "text",
    ]);
    expect(run.stderr).toMatch(/keyguard: analyzed/);
    expect(run.code).toBe(1);
    // The program's output reaches stderr, masked, the password printed in two pieces too.
    expect(run.stderr).toContain("  | connecting with password [secret]");
    expect(run.stderr).toContain("  | cluster [secret] password=[secret]");
    expect(run.stderr).toContain("  | half of it: [secret] (the rest)");
    expectNoPlaintext("stdout", run.stdout);
    expectNoPlaintext("stderr", run.stderr);
    expect(run.stdout).toContain("key-for-[secret]");
    for (const { format, file } of reports) expectNoPlaintext(format, fs.readFileSync(file, "utf8"));
    const json = JSON.parse(fs.readFileSync(reports[0].file, "utf8")) as {
      tool: { version: string };
      violations: { fingerprint: string; resourceName: string }[];
    };
    expect(json.violations.map((violation) => violation.resourceName)).toContain("key-for-[secret]");
    // The secret "1" (the pin) is masked where it is a whole value, never inside a version or a hash.
    expect(json.tool.version).not.toContain("[secret]");
    for (const violation of json.violations) expect(violation.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  }, 120_000);

  it("a program that throws a decrypted secret: the error on stderr is masked, with --quiet too", async () => {
    for (const quiet of [[], ["--quiet"]]) {
      const run = await runKeyguard([
        "check",
        "--project",
        fixture,
        "--stack",
        "throw",
        "--config",
        configFile,
        ...quiet,
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("keyguard: error: program");
      expect(run.stderr).toContain("could not log in to [secret] with [secret]");
      expectNoPlaintext("stderr", run.stderr);
      expectNoPlaintext("stdout", run.stdout);
    }
  }, 120_000);

  it("EncryptedRedshiftCluster's error on a secret clusterIdentifier does not quote it", async () => {
    const run = await runKeyguard([
      "check",
      "--project",
      fixture,
      "--stack",
      "component",
      "--config",
      configFile,
      "--quiet",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("clusterIdentifier: got a secret value: it must start with a lowercase letter");
    expectNoPlaintext("stderr", run.stderr);
  }, 120_000);
});

describe("inputs that hold secrets are not echoed when they are wrong", () => {
  it("a --stack-outputs file that is not JSON is described by line and column, not quoted", async () => {
    const file = path.join(directory, "outputs.json");
    fs.writeFileSync(file, `{\n  "acme/security/prod": { "password": s3cr3t-stack-output-value }\n}\n`);
    const run = await runCli(["check", "--project", fixture, "--stack-outputs", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `keyguard: error: --stack-outputs ${file} is not JSON (Unexpected token); expected { "<org>/<project>/<stack>": <what pulumi stack output --json --show-secrets prints>, ... }\n`,
    );
  });

  it("a --stack-outputs stack whose outputs are a string is described by kind, not quoted", async () => {
    const file = path.join(directory, "outputs-string.json");
    fs.writeFileSync(file, JSON.stringify({ "acme/security/prod": "s3cr3t-stack-output-value" }));
    const run = await runCli(["check", "--project", fixture, "--stack-outputs", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"acme/security/prod" must be the object');
    expect(run.stderr).toContain("got a string");
    expect(run.stderr).not.toContain("s3cr3t");
  });

  it("an export whose secret plaintext is not JSON names where it is and its length, not its text", async () => {
    const document = stackExport({ passwordInState: { plaintext: "x" } }) as {
      deployment: { resources: { inputs?: Record<string, unknown> }[] };
    };
    const cluster = document.deployment.resources.find((resource) => resource.inputs?.masterPassword)!;
    cluster.inputs!.masterPassword = {
      [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE,
      plaintext: "s3cr3t-plaintext-not-json",
    };
    const file = path.join(directory, "export.json");
    fs.writeFileSync(file, JSON.stringify(document, null, 4));
    const run = await runCli(["audit", "--stack-export", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /inputs\.masterPassword: a secret's "plaintext" must be JSON text .*got 25 characters that are not JSON \(Unexpected token\)/,
    );
    expect(run.stderr).not.toContain("s3cr3t");
  });

  it("an export that is not JSON is described by line and column, not quoted", async () => {
    const file = path.join(directory, "broken-export.json");
    fs.writeFileSync(file, `{\n  "version": 3,\n  "deployment": { "password": "s3cr3t-in-a-broken-file\u0001" }\n}\n`);
    const run = await runCli(["audit", "--stack-export", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not JSON: Bad control character in string literal at line 3, column 55");
    expect(run.stderr).not.toContain("s3cr3t");
  });
});

describe("the masking rule (gate/secretMasker.ts)", () => {
  const masker = new SecretMasker(["1", "true", "Tr0ub4dor&3", 'quote"d-secret']);

  it("masks a distinctive value anywhere, in its JSON-escaped form too", () => {
    expect(masker.mask("pw=Tr0ub4dor&3;")).toBe("pw=[secret];");
    expect(masker.mask("xTr0ub4dor&3x")).toBe("x[secret]x");
    expect(masker.mask(JSON.stringify({ v: 'quote"d-secret' }))).toBe('{"v":"[secret]"}');
  });

  it("masks a short or common value only where it stands alone", () => {
    expect(masker.mask("1")).toBe("[secret]");
    expect(masker.mask('pin 1, pin=1, "1"')).toBe('pin [secret], pin=[secret], "[secret]"');
    expect(masker.mask("keyguard@0.1.0")).toBe("keyguard@0.1.0");
    expect(masker.mask("a1b2c3d4e5f60718")).toBe("a1b2c3d4e5f60718");
    expect(masker.mask("enabled: true")).toBe("enabled: [secret]");
    expect(masker.mask("untrue trueness")).toBe("untrue trueness");
  });

  it("masks many secrets in one pass as it masks a few", () => {
    const many = Array.from({ length: 500 }, (_, index) => `secret-value-${index}-x`);
    const big = new SecretMasker(many);
    expect(big.mask("a secret-value-7-x and secret-value-499-x, not secret-value-")).toBe(
      "a [secret] and [secret], not secret-value-",
    );
  });
});
