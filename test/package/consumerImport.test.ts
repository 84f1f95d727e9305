/**
 * The package as another Pulumi TypeScript program gets it: `npm install <this package>` then
 * `import { EncryptedRedshiftCluster } from "keyguard"`. The built package (dist/, made by `npm ci`'s
 * prepare script; rebuilt into a temporary folder when it is missing or older than the sources) is
 * installed into a consumer project the way npm installs a folder (a symlink in node_modules), and
 * a separate Node process, outside vitest, requires it and builds the component under Pulumi's mocks.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";

const repositoryRoot = path.resolve(__dirname, "../..");
const BUILT_SOURCES = ["exports.ts", "facts", "components", "providers", "policy", "gate"];
let workDirectory: string;
let packageDirectory: string;
let consumerDirectory: string;

function newestSourceTime(entry: string): number {
  const full = path.join(repositoryRoot, entry);
  if (!fs.existsSync(full)) return 0;
  const stat = fs.statSync(full);
  if (stat.isFile()) return entry.endsWith(".ts") && !entry.endsWith(".test.ts") ? stat.mtimeMs : 0;
  return Math.max(
    0,
    ...fs
      .readdirSync(full)
      .filter((name) => name !== "node_modules" && name !== "dist")
      .map((name) => newestSourceTime(path.join(entry, name))),
  );
}

/** The folder a consumer installs: the repository when dist/ is current, else a fresh build of it. */
function builtPackageDirectory(): string {
  const builtEntry = path.join(repositoryRoot, "dist", "exports.js");
  const newestSource = Math.max(...BUILT_SOURCES.map(newestSourceTime));
  if (fs.existsSync(builtEntry) && fs.statSync(builtEntry).mtimeMs >= newestSource) return repositoryRoot;
  // Stale or missing (a checkout without `npm ci`, or sources edited since): build exactly as the
  // prepare script does, into a package folder of our own, so the repository's dist/ is not touched.
  const staged = path.join(workDirectory, "keyguard");
  fs.mkdirSync(staged);
  fs.copyFileSync(path.join(repositoryRoot, "package.json"), path.join(staged, "package.json"));
  fs.symlinkSync(path.join(repositoryRoot, "node_modules"), path.join(staged, "node_modules"), "dir");
  try {
    execFileSync(
      process.execPath,
      [
        require.resolve("typescript/bin/tsc"),
        "-p",
        path.join(repositoryRoot, "tsconfig.build.json"),
        "--outDir",
        path.join(staged, "dist"),
      ],
      {
        cwd: repositoryRoot,
        stdio: "pipe",
      },
    );
  } catch (error) {
    const output = String((error as { stdout?: Buffer }).stdout ?? "");
    throw new Error(`the package does not build (tsc -p tsconfig.build.json):\n${output.slice(0, 4000)}`, {
      cause: error,
    });
  }
  return staged;
}

beforeAll(() => {
  workDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-consumer-"));
  packageDirectory = builtPackageDirectory();
  // A consumer project with keyguard installed from a folder, as `npm install ../keyguard` does.
  consumerDirectory = path.join(workDirectory, "consumer");
  fs.mkdirSync(path.join(consumerDirectory, "node_modules"), { recursive: true });
  fs.writeFileSync(
    path.join(consumerDirectory, "package.json"),
    JSON.stringify({ name: "platform-stack", private: true, dependencies: { keyguard: `file:${packageDirectory}` } }),
  );
  fs.symlinkSync(packageDirectory, path.join(consumerDirectory, "node_modules", "keyguard"), "dir");
}, 120_000);

afterAll(() => {
  if (workDirectory) fs.rmSync(workDirectory, { recursive: true, force: true });
});

test("require('keyguard') from another project gives the component, and it builds its resources", () => {
  // A plain Node process in the consumer's folder: no vitest, no TypeScript, only the built JavaScript.
  const consumerProgram = `
    // The @pulumi/pulumi keyguard itself loads, so the mocks reach its resources.
    const pulumi = require(require.resolve("@pulumi/pulumi", { paths: [require("path").dirname(require.resolve("keyguard"))] }));
    const types = [];
    pulumi.runtime.setMocks({
      newResource: (args) => { types.push(args.type); return { id: args.name + "-id", state: { ...args.inputs, arn: "arn:aws:kms:eu-west-1:111122223333:key/" + args.name } }; },
      call: (args) => ({ accountId: "111122223333", partition: "aws", dnsSuffix: "amazonaws.com", region: "eu-west-1" }),
    }, "platform", "dev", false);
    const keyguard = require("keyguard");
    const warehouse = new keyguard.EncryptedRedshiftCluster("wh", { clusterIdentifier: "wh", nodeType: "ra3.large" });
    let refused = "";
    try { new keyguard.EncryptedRedshiftCluster("bad", { clusterIdentifier: "wh", nodeType: "ra3.large", rotationPeriodInDays: 30 }); }
    catch (error) { refused = (error instanceof keyguard.EncryptedRedshiftClusterArgumentError) + " " + error.message; }
    warehouse.keyArn.apply((keyArn) => setTimeout(() => console.log(JSON.stringify({
      resolvedFrom: require.resolve("keyguard"),
      exports: Object.keys(keyguard).sort(),
      componentIsClass: typeof keyguard.EncryptedRedshiftCluster === "function",
      defaultRotation: keyguard.facts.DEFAULT_ROTATION_PERIOD_IN_DAYS,
      keyArn, types, refused,
    })), 200));
  `;
  let output: string;
  try {
    output = execFileSync(process.execPath, ["-e", consumerProgram], {
      cwd: consumerDirectory,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    throw new Error(
      `the consumer program failed:\n${String((error as { stderr?: string }).stderr ?? error).slice(0, 4000)}`,
      { cause: error },
    );
  }
  const result = JSON.parse(output.trim().split("\n").pop()!);
  expect(fs.realpathSync(result.resolvedFrom)).toBe(fs.realpathSync(path.join(packageDirectory, "dist", "exports.js")));
  expect(result.exports).toEqual(
    expect.arrayContaining(["EncryptedRedshiftCluster", "EncryptedRedshiftClusterArgumentError", "facts"]),
  );
  expect(result.componentIsClass).toBe(true);
  expect(result.defaultRotation).toBe(365);
  expect(result.keyArn).toBe("arn:aws:kms:eu-west-1:111122223333:key/wh-key");
  expect(result.types).toEqual(
    expect.arrayContaining([
      "keyguard:redshift:EncryptedCluster",
      "aws:kms/key:Key",
      "aws:kms/alias:Alias",
      "aws:redshift/cluster:Cluster",
    ]),
  );
  expect(result.refused).toMatch(
    /^true EncryptedRedshiftCluster "bad": invalid arguments:\n {2}- rotationPeriodInDays: got 30/,
  );
});

test("the type declarations a TypeScript consumer compiles against are in the package", () => {
  const installed = path.join(consumerDirectory, "node_modules", "keyguard");
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
  const entryDeclarations = fs.readFileSync(path.join(installed, manifest.types), "utf8");
  expect(entryDeclarations).toMatch(/EncryptedRedshiftCluster\b/);
  expect(entryDeclarations).toMatch(/EncryptedRedshiftClusterArgs\b/);
  expect(entryDeclarations).toMatch(/export \* as facts from "\.\/facts"/);
  const componentDeclarations = fs.readFileSync(
    path.join(installed, "dist/components/encryptedRedshiftCluster/index.d.ts"),
    "utf8",
  );
  expect(componentDeclarations).toContain(
    "export declare class EncryptedRedshiftCluster extends pulumi.ComponentResource",
  );
  const argsDeclarations = fs.readFileSync(
    path.join(installed, "dist/components/encryptedRedshiftCluster/args.d.ts"),
    "utf8",
  );
  expect(argsDeclarations).toContain("export interface EncryptedRedshiftClusterArgs extends PassThroughClusterArgs");
  expect(argsDeclarations).toContain("rotationPeriodInDays?: pulumi.Input<number>;");
});

test("npm pack ships the built entry point and the declarations (package.json files)", () => {
  const listing = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: packageDirectory,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const packed = (JSON.parse(listing) as Array<{ files: Array<{ path: string }> }>)[0].files.map((file) => file.path);
  expect(packed).toEqual(
    expect.arrayContaining([
      "package.json",
      "dist/exports.js",
      "dist/exports.d.ts",
      "dist/components/encryptedRedshiftCluster/index.js",
      "dist/components/encryptedRedshiftCluster/index.d.ts",
      "dist/components/encryptedRedshiftCluster/args.d.ts",
      "dist/facts/index.d.ts",
    ]),
  );
  expect(
    packed.some((file) => file.startsWith("node_modules/") || file.endsWith(".test.ts") || file.startsWith("test/")),
  ).toBe(false);
});
