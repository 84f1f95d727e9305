/**
 * keyguard as a platform team gets it: the repository's files copied as a fresh clone has them,
 * `npm pack` there (which runs `prepare`, the real build), the tarball installed with npm into a
 * scratch Pulumi TypeScript project under the system's temporary folder (outside the repository,
 * so nothing resolves from the repository's node_modules), with its own package.json pinning the
 * Pulumi packages and TypeScript as `pulumi new aws-typescript` makes it. Then, from that project
 * only, the README's commands: `npx keyguard check`, a syntax error, `npx keyguard audit`, the
 * installed pack started as the Pulumi engine starts it, and the Terraform section's commands and the
 * Action's Terraform path on plans and state the real terraform made (test/terraform/fixtures).
 *
 * It installs packages, so it is not part of `npm test`: `npm run test:package` runs it (and
 * `.ci/run` runs both). npm reads its cache first (`--prefer-offline`); CI has the registry.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackExport } from "../gate/stackExportFixture";
import { copyCheckout, mustRun, repositoryRoot, rootManifest, run } from "./consumerProject";

let workDirectory: string;
let consumer: string;
let tarball: string;
/** The packed checkout, where the Action's script is (`uses: <org>/keyguard@v0` runs it from there). */
let checkout: string;

/** The README's commands this test ran, each exactly as the README writes it. */
const readmeCommandsRun = new Set<string>();

/** Runs one of the README's commands, as written there, with bash in `cwd`. */
function runReadmeCommand(commandLine: string, cwd: string) {
  readmeCommandsRun.add(commandLine);
  // npm reads its cache first; the command stays the README's.
  return run("bash", ["-c", commandLine], cwd, {
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
  });
}

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { EncryptedRedshiftCluster } from "keyguard";

const config = new pulumi.Config();

// The platform's way: a dedicated key that rotates, created by the component.
const warehouse = new EncryptedRedshiftCluster("warehouse", {
  clusterIdentifier: config.require("clusterIdentifier"),
  nodeType: "ra3.xlplus",
  rotationPeriodInDays: 180,
});

// A hand-written key with rotation off, encrypting another cluster.
const legacyKey = new aws.kms.Key("legacy-key", { description: "legacy warehouse key" });
new aws.redshift.Cluster("legacy", {
  clusterIdentifier: "legacy-warehouse",
  nodeType: "ra3.xlplus",
  masterUsername: "legacy_admin",
  manageMasterPassword: true,
  encrypted: "true",
  kmsKeyId: legacyKey.arn,
});

export const endpoint = warehouse.endpoint;
`;

/** The same program with a comma missing after the description (line 15). */
const BROKEN_PROGRAM = PROGRAM.replace(
  `{ description: "legacy warehouse key" }`,
  `{ description: "legacy warehouse key" nodeType: 1 }`,
);

/** tsconfig.json as `pulumi new aws-typescript` writes it today. */
const TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "nodenext",
    moduleResolution: "nodenext",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ["index.ts"],
};

function writeProject(directory: string, name: string, program: string): void {
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(
    path.join(directory, "Pulumi.yaml"),
    `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    packagemanager: npm\ndescription: A platform team's warehouse\n`,
  );
  // One stack, and it is not "dev": keyguard check must pick it without --stack.
  fs.writeFileSync(
    path.join(directory, "Pulumi.prod.yaml"),
    `config:\n  aws:region: eu-west-1\n  ${name}:clusterIdentifier: sales-warehouse\n`,
  );
  fs.writeFileSync(path.join(directory, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
  fs.writeFileSync(path.join(directory, "index.ts"), program);
  // Its own manifest, as every Pulumi project has: without one, Pulumi's Node.js host takes the
  // nearest package.json above (here the platform project's, whose main is its own index.ts) and
  // would run that program instead. The packages still resolve from the folder above.
  fs.writeFileSync(path.join(directory, "package.json"), JSON.stringify({ name, private: true, main: "index.ts" }));
}

/**
 * Starts the installed pack as the Pulumi engine does (the `@pulumi/pulumi/cmd/run-policy-pack`
 * that `require.resolve` finds from the pack's folder, that folder as the working directory), asks
 * it GetAnalyzerInfo over gRPC, and says where run-policy-pack and @pulumi/policy were found.
 */
function startInstalledPack(): Record<string, unknown> {
  // Everything below resolves from the pack's folder, as the engine's `require.resolve` does.
  const probe = `
      const path = require("path");
      const { spawn } = require("child_process");
      const packDir = path.resolve("node_modules/keyguard/policy");
      const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
      const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [packDir] }));
      const fromPulumi = (name) => require(require.resolve(name, { paths: [pulumiDir] }));
      const grpc = fromPulumi("@grpc/grpc-js");
      const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb");
      const { AnalyzerClient } = require(path.join(pulumiDir, "proto", "analyzer_grpc_pb"));
      const pack = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", "."], { cwd: packDir, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "", stderr = "", asked = false;
      pack.stderr.on("data", (chunk) => (stderr += chunk));
      pack.on("exit", (code) => { if (!asked) { console.error("the pack exited " + code + ": " + stderr); process.exit(1); } });
      pack.stdout.on("data", (chunk) => {
        stdout += chunk;
        if (asked || !stdout.includes("\\n")) return;
        asked = true;
        const client = new AnalyzerClient("127.0.0.1:" + Number(stdout.split("\\n")[0]), grpc.credentials.createInsecure());
        client.getAnalyzerInfo(new Empty(), (error, info) => {
          pack.kill();
          if (error) { console.error(String(error) + " " + stderr); process.exit(1); }
          console.log(JSON.stringify({
            runPolicyPack: path.relative(process.cwd(), runPolicyPack),
            policyResolvesTo: path.relative(process.cwd(), require.resolve("@pulumi/policy", { paths: [path.join(packDir, "dist")] })),
            name: info.getName(),
            version: info.getVersion(),
            policies: info.getPoliciesList().map((policy) => policy.getName()).sort(),
          }));
          process.exit(0);
        });
      });
    `;
  return JSON.parse(mustRun(process.execPath, ["-e", probe], consumer).trim()) as Record<string, unknown>;
}

const SIX_POLICIES_PACK = {
  runPolicyPack: path.join("node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack", "index.js"),
  name: "keyguard",
  version: rootManifest.version,
  policies: [
    "kms-key-rotation-enabled",
    "kms-key-rotation-period",
    "redshift-cluster-encrypted",
    "redshift-cluster-external-key",
    "redshift-cluster-key-rotated",
    "redshift-cluster-rotation-on-key-change",
  ],
};

beforeAll(() => {
  workDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-installed-"));
  checkout = path.join(workDirectory, "keyguard");
  copyCheckout(checkout);
  // The clone's dependencies, as `npm ci` would install them (linked: the same lockfile).
  fs.symlinkSync(path.join(repositoryRoot, "node_modules"), path.join(checkout, "node_modules"), "dir");
  const packed = runReadmeCommand("npm pack", checkout);
  if (packed.code !== 0)
    throw new Error(`npm pack failed:\n${packed.stdout.slice(-4000)}\n${packed.stderr.slice(-4000)}`);
  const tarballName = `${rootManifest.name}-${rootManifest.version}.tgz`;

  consumer = path.join(workDirectory, "platform");
  writeProject(consumer, "platform", PROGRAM);
  // The tarball beside the project, as the README's install command expects it.
  tarball = path.join(consumer, tarballName);
  fs.copyFileSync(path.join(checkout, tarballName), tarball);
  // package.json as `pulumi new aws-typescript` writes it: ranges, which the install command pins.
  fs.writeFileSync(
    path.join(consumer, "package.json"),
    JSON.stringify(
      {
        name: "platform",
        main: "index.ts",
        devDependencies: { "@types/node": "^20.0.0", typescript: "^5.0.0" },
        dependencies: { "@pulumi/aws": "^7.0.0", "@pulumi/pulumi": "^3.113.0" },
      },
      null,
      2,
    ),
  );
  const installed = runReadmeCommand(
    `npm install --save-exact @pulumi/pulumi@3.248.0 @pulumi/aws@7.48.0 ./${tarballName}`,
    consumer,
  );
  if (installed.code !== 0)
    throw new Error(`the install failed:\n${installed.stdout.slice(-2000)}\n${installed.stderr.slice(-4000)}`);
}, 900_000);

afterAll(() => {
  if (workDirectory) fs.rmSync(workDirectory, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("ships the compiled gate, the pack bundle and its manifest, and no sources or tests", () => {
    const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
      .split("\n")
      .filter((entry) => entry.length > 0)
      .map((entry) => entry.replace(/^package\//, ""));
    expect(listing).toEqual(
      expect.arrayContaining([
        "bin/keyguard.js",
        "dist/gate/cli.js",
        "dist/exports.js",
        "dist/exports.d.ts",
        "policy/dist/index.js",
        "policy/PulumiPolicy.yaml",
        "policy/package.json",
      ]),
    );
    // TypeScript sources stay in the repository, except in the component plugin's folder, which
    // package.json ships whole (components/plugin/, the multi-language component package).
    expect(
      listing.filter(
        (entry) => /\.ts$/.test(entry) && !entry.endsWith(".d.ts") && !entry.startsWith("components/plugin/"),
      ),
    ).toEqual([]);
    expect(listing.some((entry) => entry.startsWith("test/") || entry.startsWith("node_modules/"))).toBe(false);
  });

  it("installs into the scratch project with the Pulumi packages pinned exactly, deduplicated", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(consumer, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies).toEqual({
      "@pulumi/aws": "7.48.0",
      "@pulumi/pulumi": "3.248.0",
      keyguard: `file:${path.basename(tarball)}`,
    });
    const installed = (name: string) =>
      JSON.parse(fs.readFileSync(path.join(consumer, "node_modules", name, "package.json"), "utf8")).version;
    expect(installed("keyguard")).toBe(rootManifest.version);
    expect(installed("@pulumi/pulumi")).toBe("3.248.0");
    expect(installed("@pulumi/aws")).toBe("7.48.0");
    // One @pulumi/pulumi: the program's resources and the component's reach the same runtime.
    expect(fs.existsSync(path.join(consumer, "node_modules", "keyguard", "node_modules", "@pulumi", "pulumi"))).toBe(
      false,
    );
  });
});

describe("from the scratch project only", () => {
  it("npx keyguard check: picks the project's only stack, passes the component, fails the hand-written unrotated key (exit 1)", () => {
    const result = runReadmeCommand("npx keyguard check", consumer);
    expect(result.stderr).toContain("(stack prod)");
    expect(result.code, result.stderr).toBe(1);
    const mandatory = result.stdout.split("\n").filter((line) => /^\s+mandatory\s/.test(line));
    expect(mandatory.map((line) => line.trim().split(/\s+/)[1])).toEqual([
      "kms-key-rotation-enabled:",
      "redshift-cluster-key-rotated:",
    ]);
    expect(result.stdout).toContain("legacy-key (aws:kms/key:Key)  index.ts:15");
    expect(result.stdout).toMatch(/^FAILED .*2 mandatory/m);
  });

  it("npx keyguard check --stack ORG/PROJECT/NAME writes SARIF locating each finding at the program line", () => {
    const result = runReadmeCommand(
      "npx keyguard check --stack acme/platform/prod --format sarif --output keyguard.sarif",
      consumer,
    );
    expect(result.code, result.stderr).toBe(1);
    const sarif = JSON.parse(fs.readFileSync(path.join(consumer, "keyguard.sarif"), "utf8")) as {
      runs: Array<{
        results: Array<{
          ruleId: string;
          level: string;
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
        }>;
      }>;
    };
    const errors = sarif.runs[0].results.filter((result) => result.level === "error");
    expect(
      errors
        .map(
          (error) =>
            `${error.ruleId} ${error.locations[0].physicalLocation.artifactLocation.uri}:${error.locations[0].physicalLocation.region.startLine}`,
        )
        .sort(),
    ).toEqual(["kms-key-rotation-enabled index.ts:15", "redshift-cluster-key-rotated index.ts:16"]);
  });

  it("npx keyguard check: a program with a syntax error exits 2 naming index.ts:<line>:<column> and TypeScript's message", () => {
    const broken = path.join(consumer, "broken");
    writeProject(broken, "broken", BROKEN_PROGRAM);
    const result = runReadmeCommand("npx keyguard check", broken);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /keyguard: error: program index\.ts failed: index\.ts:15:\d+ - error TS1005: ',' expected\./,
    );
    expect(result.stdout).toBe("");
  });

  it("npx keyguard check --typecheck: a type error fails as pulumi preview fails it", () => {
    const typed = path.join(consumer, "typed");
    // A type error that changes nothing when the program runs.
    writeProject(typed, "typed", `${PROGRAM}export const replicas: number = "2";\n`);
    const typeErrorLine = PROGRAM.split("\n").length;
    const plain = runReadmeCommand("npx keyguard check", typed);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain("types not checked (--typecheck checks them)");
    const checked = runReadmeCommand("npx keyguard check --typecheck", typed);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toContain(
      `program index.ts failed: index.ts:${typeErrorLine}:14 - error TS2322: Type 'string' is not assignable to type 'number'.`,
    );
  });

  it("npx keyguard audit judges a stack export with the installed pack", () => {
    fs.writeFileSync(
      path.join(consumer, "prod-export.json"),
      JSON.stringify(stackExport({ enableKeyRotation: false }), null, 2),
    );
    const result = runReadmeCommand("npx keyguard audit --stack-export prod-export.json", consumer);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^\s+mandatory\s+kms-key-rotation-enabled:/m);
  });

  it("the installed pack, started as the engine starts it (run-policy-pack, cwd node_modules/keyguard/policy), answers GetAnalyzerInfo with the six policies", () => {
    expect(startInstalledPack()).toEqual({
      ...SIX_POLICIES_PACK,
      policyResolvesTo: "node_modules/@pulumi/policy/index.js",
    });
  });

  it("the installed pack folder is what `pulumi policy publish` packs: npm pack there ships the bundle and PulumiPolicy.yaml, and its package.json names the bundle's runtime dependencies", () => {
    const packDir = path.join(consumer, "node_modules", "keyguard", "policy");
    const listing = JSON.parse(mustRun("npm", ["pack", "--dry-run", "--json"], packDir)) as Array<{
      name: string;
      version: string;
      files: Array<{ path: string }>;
    }>;
    expect(listing[0].files.map((file) => file.path)).toEqual(
      expect.arrayContaining(["PulumiPolicy.yaml", "package.json", "dist/index.js"]),
    );
    expect(listing[0].version).toBe(rootManifest.version);
    const bundle = fs.readFileSync(path.join(packDir, "dist", "index.js"), "utf8");
    const required = [
      ...new Set([...bundle.matchAll(/require\("((?:@[^/"]+\/)?[^/".][^/"]*)/g)].map((match) => match[1])),
    ].filter((name) => !name.startsWith("node:") && !isBuiltin(name));
    const packManifest = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    for (const name of required)
      expect(packManifest.dependencies[name], `${name}, required by the bundle`).toBe(
        rootManifest.dependencies[name] ?? rootManifest.devDependencies[name],
      );
  });
});

function isBuiltin(name: string): boolean {
  return (require("node:module") as { builtinModules: string[] }).builtinModules.includes(name);
}

describe("a layout npm does not hoist", () => {
  it("with another @pulumi/policy in the project, keyguard's own is nested under it, and the pack and keyguard check still start from the installed folder", () => {
    // The project's own policy work pins an older @pulumi/policy: npm keeps keyguard's 1.21.0 in
    // node_modules/keyguard/node_modules, where the bundle's require must find it.
    mustRun(
      "npm",
      ["install", "--save-exact", "--prefer-offline", "--no-audit", "--no-fund", "@pulumi/policy@1.20.0"],
      consumer,
    );
    // (@pulumi/policy's own package.json spells its version with a "v".)
    const policyVersion = (...folders: string[]) =>
      JSON.parse(
        fs.readFileSync(path.join(consumer, "node_modules", ...folders, "@pulumi", "policy", "package.json"), "utf8"),
      ).version;
    expect(policyVersion()).toMatch(/^v?1\.20\.0$/);
    expect(policyVersion("keyguard", "node_modules")).toMatch(
      new RegExp(`^v?${rootManifest.dependencies["@pulumi/policy"].replace(/\./g, "\\.")}$`),
    );
    expect(startInstalledPack()).toEqual({
      ...SIX_POLICIES_PACK,
      policyResolvesTo: "node_modules/keyguard/node_modules/@pulumi/policy/index.js",
    });
    const check = run("npx", ["keyguard", "check", "--quiet"], consumer);
    expect(check.code, check.stderr).toBe(1);
    expect(check.stdout).toMatch(/^FAILED .*2 mandatory/m);
  });
});

const TERRAFORM_FIXTURES = path.join(repositoryRoot, "test", "terraform", "fixtures");

/** A fixture's root module (its .tf files, modules and the plan or state terraform made) as a folder of the scratch project. */
function terraformRootModule(fixture: string, name: string): string {
  const directory = path.join(consumer, name);
  fs.cpSync(path.join(TERRAFORM_FIXTURES, fixture), directory, { recursive: true });
  return directory;
}

/** The text report's findings: `<level> <policy> <resource> <file:line>`, in the report's order. */
function textFindings(stdout: string): string[] {
  const findings: string[] = [];
  let resource = "";
  for (const line of stdout.split("\n")) {
    const heading = /^(\S.*) \(\S+\) {2}(\S+)$/.exec(line);
    if (heading) resource = `${heading[1]} ${heading[2]}`;
    const finding = /^\s+(mandatory|advisory)\s+([a-z-]+):/.exec(line);
    if (finding) findings.push(`${finding[1]} ${finding[2]} ${resource}`);
  }
  return findings.sort();
}

describe("the README's Terraform section, from the scratch project only", () => {
  it("npx keyguard check --plan plan.json: a key in a child module with rotation turned off fails, with the root cluster on it, at their resource blocks (exit 1)", () => {
    const infra = terraformRootModule("key-in-child-module", "infra");
    const result = runReadmeCommand("npx keyguard check --plan plan.json", infra);
    expect(result.code, result.stderr).toBe(1);
    expect(textFindings(result.stdout)).toEqual([
      "advisory redshift-cluster-rotation-on-key-change aws_redshift_cluster.warehouse main.tf:33",
      "mandatory kms-key-rotation-enabled module.warehouse_key.aws_kms_key.this modules/kms-key/main.tf:18",
      "mandatory redshift-cluster-key-rotated aws_redshift_cluster.warehouse main.tf:33",
    ]);
    expect(result.stdout).toMatch(/^FAILED {2}3 resources, 6 policies, 3 findings: 2 mandatory, 1 advisory$/m);
  });

  it("npx keyguard audit state.json: the state (terraform show -json) of a compliant and an unrotated warehouse fails the unrotated one (exit 1)", () => {
    const deployed = terraformRootModule("state-compliant-and-unrotated", "deployed");
    const result = runReadmeCommand("npx keyguard audit state.json", deployed);
    expect(result.code, result.stderr).toBe(1);
    expect(textFindings(result.stdout)).toEqual([
      "advisory redshift-cluster-rotation-on-key-change aws_redshift_cluster.legacy main.tf:51",
      "advisory redshift-cluster-rotation-on-key-change aws_redshift_cluster.warehouse main.tf:40",
      "mandatory kms-key-rotation-enabled aws_kms_key.legacy main.tf:36",
      "mandatory redshift-cluster-key-rotated aws_redshift_cluster.legacy main.tf:51",
    ]);
  });

  it("the Action's Terraform path: action/check.sh with terraform-plan runs the installed keyguard check --plan, writes SARIF and the summary, and fails the step (exit 1)", () => {
    const infra = terraformRootModule("rotation-off", "action-infra");
    const runner = fs.mkdtempSync(path.join(workDirectory, "runner-"));
    const summary = path.join(runner, "summary.md");
    const outputs = path.join(runner, "outputs");
    fs.writeFileSync(summary, "");
    fs.writeFileSync(outputs, "");
    // As action.yml runs it: the inputs as KEYGUARD_* variables, in working-directory.
    const result = run("bash", [path.join(checkout, "action", "check.sh")], infra, {
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: outputs,
      KEYGUARD_TERRAFORM_PLAN: "plan.json",
      KEYGUARD_STACK: "",
      KEYGUARD_POLICY_CONFIG: "",
      KEYGUARD_STRICT_UNKNOWNS: "false",
      KEYGUARD_SARIF_FILE: "keyguard.sarif",
      KEYGUARD_REPORTS: "",
    });
    expect(result.code, result.stderr).toBe(1);
    const sarifFile = path.join(fs.realpathSync(infra), "keyguard.sarif");
    expect(fs.readFileSync(outputs, "utf8")).toBe(`exit-code=1\nsarif-file=${sarifFile}\n`);
    const sarif = JSON.parse(fs.readFileSync(sarifFile, "utf8")) as {
      runs: Array<{ results: Array<{ ruleId: string; level: string }> }>;
    };
    expect(
      sarif.runs[0].results
        .filter((entry) => entry.level === "error")
        .map((entry) => entry.ruleId)
        .sort(),
    ).toEqual(["kms-key-rotation-enabled", "redshift-cluster-key-rotated"]);
    expect(fs.readFileSync(summary, "utf8")).toMatch(
      /^## ❌ keyguard check failed: `action-infra\/plan`, 2 mandatory findings\n/,
    );
    expect(result.stdout).toContain("aws_kms_key.events (aws:kms/key:Key)  main.tf:26");
  });
});

/** The commands of a README section (its ```sh blocks), one per line. */
function readmeSectionCommands(name: string): string[] {
  const readme = fs.readFileSync(path.join(repositoryRoot, "README.md"), "utf8");
  const section = new RegExp(`<!-- section: ${name} -->([\\s\\S]*?)<!-- end: ${name} -->`).exec(readme)![1];
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((block) => block[1].split("\n"))
    .filter((line) => line.trim().length > 0);
}

describe("the README section", () => {
  it("has no command this test did not run, except those that say they need the Pulumi CLI or AWS", () => {
    const commands = readmeSectionCommands("own-project");
    expect(commands.length).toBeGreaterThan(5);
    const notRun = commands.filter(
      (line) => !/# needs (the Pulumi CLI|AWS)/.test(line) && !readmeCommandsRun.has(line.trim()),
    );
    expect(notRun).toEqual([]);
  });

  it("Terraform and OpenTofu has no command this test did not run, except those that say they need Terraform", () => {
    const commands = readmeSectionCommands("terraform");
    expect(commands.length).toBe(4);
    const notRun = commands.filter((line) => !/# needs Terraform$/.test(line) && !readmeCommandsRun.has(line.trim()));
    expect(notRun).toEqual([]);
  });
});
