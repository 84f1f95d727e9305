/**
 * `keyguard check` runs a Pulumi program the way `pulumi preview` does in the projects teams really
 * set up (issue 19): ES modules, `main:` folders and Pulumi.yaml's nodejs options, resources passed
 * as inputs, data-source lookups whose outputs a program reads, and the provider defaults of the
 * @pulumi/aws major the program uses. Each through the real command on a fixture project.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzerHost } from "../../engine";
import type { CliDependencies } from "../../gate/cli";
import { readPulumiProject } from "../../gate/program/pulumiProject";
import { runProgram } from "../../gate/program/runProgram";
import type { Report } from "../../gate/report/report";
import { UNKNOWN_STRING_SENTINEL, withPulumiAwsDefaults, RESOURCE_TYPES } from "../../facts";
import { withoutResourceReferences } from "../../gate/program/engineInputs";
import { declaredProperties } from "../../gate/program/declaredInvokeResult";
import { runCli, startSharedPack } from "./gateHarness";

let host: AnalyzerHost;
let dependencies: CliDependencies;
const fixture = (name: string) => path.join(__dirname, "fixtures", name);

beforeAll(async () => {
  ({ host, dependencies } = await startSharedPack());
});
const scratchProjects: string[] = [];
afterAll(async () => {
  await host?.close();
  for (const directory of scratchProjects) fs.rmSync(directory, { recursive: true, force: true });
});

/** A project written to a temporary folder (its programs import nothing, so they need no node_modules). */
function scratchProject(files: Record<string, string>): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-project-kind-"));
  scratchProjects.push(directory);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(directory, name), text);
  return directory;
}

async function checkJson(
  name: string,
  extra: string[] = [],
): Promise<{ code: number; report: Report; stderr: string }> {
  const run = await runCli(["check", "--project", fixture(name), "--format", "json", ...extra], dependencies);
  return {
    code: run.code,
    report: run.stdout ? (JSON.parse(run.stdout) as Report) : (undefined as never),
    stderr: run.stderr,
  };
}

const programOf = (name: string) => runProgram(readPulumiProject(fixture(name), undefined, undefined));

describe("ES module programs load with import(), as Pulumi's Node.js language host loads them", () => {
  it("TypeScript ESM (type module, module nodenext, ts-node/esm) with top-level await: the finding at its line", async () => {
    const { code, report } = await checkJson("esm-typescript");
    expect(code).toBe(1);
    expect(
      report.violations.map((violation) => [violation.policyName, violation.resourceName, violation.location]),
    ).toEqual([
      [
        "kms-key-rotation-enabled",
        "warehouse",
        { file: "test/gate/fixtures/esm-typescript/index.ts", line: 8, column: 15 },
      ],
    ]);
  }, 60_000);

  it("the default-exported async function's result becomes the stack's outputs", async () => {
    const run = await programOf("esm-typescript");
    expect(run.stackOutputs).toEqual({ keyArn: UNKNOWN_STRING_SENTINEL, name: "sales-9012" });
  }, 60_000);

  it("JavaScript ESM with a top-level await: the finding at its line", async () => {
    const { code, report } = await checkJson("esm-javascript");
    expect(code).toBe(1);
    expect(
      report.violations.map((violation) => [violation.policyName, violation.location?.file, violation.location?.line]),
    ).toEqual([["kms-key-rotation-enabled", "test/gate/fixtures/esm-javascript/index.js", 5]]);
  }, 60_000);
});

describe("a program that cannot load fails as under the language host (exit 2)", () => {
  it("an ES module with a default export beside named exports: the language host's message", async () => {
    const directory = scratchProject({
      "Pulumi.yaml": "name: both-exports\nruntime: nodejs\n",
      "package.json": JSON.stringify({ name: "both-exports", type: "module" }),
      "index.js": "export default async () => ({ bucket: 'b' });\nexport const region = 'eu-west-1';\n",
    });
    const run = await runCli(["check", "--project", directory], dependencies);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n").at(-1)).toMatch(
      /failed: expected entrypoint module to have either a default export or named exports but not both$/,
    );
  }, 60_000);

  it("runtime.options typescript: false loads no compiler, so TypeScript syntax is a JavaScript syntax error", async () => {
    const directory = scratchProject({
      "Pulumi.yaml":
        "name: no-typescript\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.ts\n",
      "package.json": JSON.stringify({ name: "no-typescript" }),
      "index.ts": "const region: string = 'eu-west-1';\nexport { region };\n",
    });
    const run = await runCli(["check", "--project", directory], dependencies);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SyntaxError|Unexpected token/);
  }, 60_000);

  it("bad runtime.options and a main outside the project are usage errors naming the value", async () => {
    const options = scratchProject({
      "Pulumi.yaml":
        "name: bad-options\nruntime:\n  name: nodejs\n  options:\n    nodeargs: [--inspect]\n    packagemanager: pip\n",
      "index.js": "",
    });
    const nodeargs = await runCli(["check", "--project", options], dependencies);
    expect(nodeargs.code).toBe(2);
    expect(nodeargs.stderr).toMatch(/runtime\.options\.nodeargs must be a string of Node\.js arguments, got /);
    const outside = scratchProject({ "Pulumi.yaml": "name: outside\nruntime: nodejs\nmain: ../elsewhere/\n" });
    const main = await runCli(["check", "--project", outside], dependencies);
    expect(main.code).toBe(2);
    expect(main.stderr).toMatch(/main "\.\.\/elsewhere\/" must be a folder or file inside the project/);
  }, 60_000);
});

describe("Pulumi.yaml main: a folder is the program's working directory, with its own tsconfig.json; nodeargs apply", () => {
  it("reads warehouse.json next to src/index.ts, ignores the project folder's broken tsconfig.json, and fails on the key", async () => {
    const { code, report } = await checkJson("main-folder");
    expect(code).toBe(1);
    expect(
      report.violations.map((violation) => [violation.policyName, violation.location?.file, violation.location?.line]),
    ).toEqual([["kms-key-rotation-enabled", "test/gate/fixtures/main-folder/src/index.ts", 7]]);
  }, 60_000);

  it("the program ran in src/ with the module nodeargs preloaded", async () => {
    const run = await programOf("main-folder");
    expect(run.stackOutputs.clusterIdentifier).toBe("sales-warehouse");
    expect(run.resources.find((resource) => resource.type === RESOURCE_TYPES.kmsKey)?.inputs.description).toBe(
      "preloaded",
    );
  }, 60_000);

  it("PULUMI_NODEJS_TSCONFIG_PATH naming a missing file fails the run, as the language host does", async () => {
    process.env.PULUMI_NODEJS_TSCONFIG_PATH = "tsconfig.pulumi.json";
    try {
      const run = await runCli(["check", "--project", fixture("main-folder")], dependencies);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/tsconfig path was set to tsconfig\.pulumi\.json but the file was not found/);
    } finally {
      delete process.env.PULUMI_NODEJS_TSCONFIG_PATH;
    }
  }, 60_000);
});

describe("a resource passed as an input reaches the pack as the engine sends it", () => {
  it("role: lambdaRole, targetKeyId: key: the check passes (no 'Unrecognized signature')", async () => {
    const { code, report } = await checkJson("resource-input");
    expect(code).toBe(0);
    expect(report.violations).toEqual([]);
    expect(report.summary.resources).toBe(6);
  }, 60_000);

  it("as the referenced resource's id (unknown during preview), or a component's URN", async () => {
    const run = await programOf("resource-input");
    const byName = (type: string) => run.resources.find((resource) => resource.type === type)!;
    expect(byName("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.role).toBe(UNKNOWN_STRING_SENTINEL);
    expect(byName("aws:lambda/function:Function").inputs.role).toBe(UNKNOWN_STRING_SENTINEL);
    expect(byName(RESOURCE_TYPES.kmsAlias).inputs.targetKeyId).toBe(UNKNOWN_STRING_SENTINEL);
    // A component (no id) is sent as its URN; a known id as itself.
    const signature = { "4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e" };
    expect(
      withoutResourceReferences({
        components: [{ ...signature, urn: "urn:pulumi:dev::p::acme:data:Warehouse::sales" }],
        known: { ...signature, urn: "urn:pulumi:dev::p::aws:iam/role:Role::r", id: "exporter-1234" },
        pending: { ...signature, urn: "urn:pulumi:dev::p::aws:iam/role:Role::r", id: "" },
      }),
    ).toEqual({
      components: ["urn:pulumi:dev::p::acme:data:Warehouse::sales"],
      known: "exporter-1234",
      pending: UNKNOWN_STRING_SENTINEL,
    });
  }, 60_000);
});

describe("a data-source lookup answered offline returns every output its result type declares", () => {
  it("getZone's zoneId is unknown, the records are registered, the report lists the lookup; --strict-unknowns fails on it", async () => {
    const [plain, strict] = await Promise.all([
      checkJson("lookup-outputs"),
      checkJson("lookup-outputs", ["--strict-unknowns"]),
    ]);
    expect(plain.code).toBe(1);
    // Both records (getZone's promise, getZoneOutput's Output) were registered, the key too.
    expect(plain.report.resources.map((resource) => resource.name).sort()).toEqual([
      "reporting",
      "warehouse",
      "warehouse",
    ]);
    expect(plain.report.violations.map((violation) => violation.policyName)).toEqual(["kms-key-rotation-enabled"]);
    expect(plain.report.notAnalyzed).toEqual([
      expect.objectContaining({ kind: "offline-lookup", subject: "aws:route53/getZone:getZone" }),
    ]);
    expect(strict.code).toBe(1);
    expect(strict.report.summary).toMatchObject({ notAnalyzed: 1, passed: false });
  }, 60_000);

  it("reads the result interface from the installed @pulumi/aws declaration", () => {
    const properties = declaredProperties(
      "export interface GetZoneResult {\n    /** doc */\n    readonly zoneId: string;\n    readonly tags: {\n        [key: string]: string;\n    };\n    readonly privateZone?: boolean;\n}\n",
      "GetZoneResult",
    );
    expect(properties).toEqual({ zoneId: "string", tags: "{ [key: string]: string; }", privateZone: "boolean" });
  });
});

describe("the provider's defaults are the @pulumi/aws major's the resource was registered with", () => {
  it('a redshift cluster without encrypted: false on @pulumi/aws 6, "true" on 7, left alone when set or on another package', () => {
    const cluster = RESOURCE_TYPES.redshiftCluster;
    expect(withPulumiAwsDefaults(cluster, { kmsKeyId: "k" }, "6.83.4")).toEqual({ kmsKeyId: "k", encrypted: false });
    expect(withPulumiAwsDefaults(cluster, { kmsKeyId: "k" }, "7.48.0")).toEqual({ kmsKeyId: "k", encrypted: "true" });
    expect(withPulumiAwsDefaults(cluster, { encrypted: true }, "6.83.4")).toEqual({ encrypted: true });
    expect(withPulumiAwsDefaults(cluster, {}, "")).toEqual({});
    expect(withPulumiAwsDefaults("aws-native:redshift:Cluster", {}, "1.0.0")).toEqual({});
  });

  it("a program on @pulumi/aws 7 (this repository's) leaving encrypted out: no redshift-cluster-encrypted finding", async () => {
    const { code, report } = await checkJson("aws7-default-encrypted");
    expect(report.violations.map((violation) => violation.policyName)).not.toContain("redshift-cluster-encrypted");
    expect(code).toBe(0);
  }, 60_000);
});
