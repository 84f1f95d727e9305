/**
 * The smaller report points of issue 20, through the `keyguard` command: a policy config that
 * disables every policy does not read as a pass of six policies; a project whose folder names hold
 * " (" or "#" is located at its real lines, with SARIF URIs that keep "#" in the path; a program whose
 * `main:` lies outside the project folder is located at its own file, not at the child's "[eval]".
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzerHost } from "../../engine";
import type { CliDependencies } from "../../gate/cli";
import { REPO_ROOT, runCli, sarifSchemaErrors, startSharedPack } from "./gateHarness";

let host: AnalyzerHost;
let dependencies: CliDependencies;
let directory: string;

beforeAll(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-edges-"));
  // The copied projects find @pulumi/* as a project does: a node_modules above them.
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(directory, "node_modules"));
  ({ host, dependencies } = await startSharedPack());
});
afterAll(async () => {
  await host?.close();
  if (directory) fs.rmSync(directory, { recursive: true, force: true });
});

/** examples/unrotated-key (a key declared at index.ts:7, its cluster at :13) copied to `folder` under the test's directory. */
function copyOfUnrotatedKey(folder: string): string {
  const project = path.join(directory, folder);
  fs.mkdirSync(path.dirname(project), { recursive: true });
  fs.cpSync(path.join(REPO_ROOT, "examples", "unrotated-key"), project, { recursive: true });
  return project;
}

describe('{"all": "disabled"}', () => {
  it("the text and Markdown reports say that no policy ran, not that six passed", async () => {
    const config = path.join(directory, "all-disabled.json");
    fs.writeFileSync(config, JSON.stringify({ all: "disabled" }));
    const summary = path.join(directory, "all-disabled.md");
    const run = await runCli(
      [
        "check",
        "--project",
        "examples/unrotated-key",
        "--policy-config",
        config,
        "--report",
        "text=-",
        "--report",
        `markdown=${summary}`,
      ],
      dependencies,
    );
    // pulumi preview passes such a stack too; the reports must not make it look judged.
    expect(run.code, run.stderr).toBe(0);
    const last = run.stdout.trimEnd().split("\n").at(-1)!;
    expect(last).toBe(
      "NOTHING CHECKED  2 resources, no policy ran (all 6 disabled by the policy config), 0 findings: 0 mandatory, 0 advisory",
    );
    expect(run.stdout).not.toMatch(/PASSED/);
    const markdown = fs.readFileSync(summary, "utf8");
    expect(markdown.split("\n")[0]).toBe(
      "## ⚠️ keyguard check checked nothing: `unrotated-key/dev`, all 6 policies are disabled by the policy config",
    );
    expect(markdown).not.toMatch(/passed/);
    expect(markdown).toContain("| 2 | 0 of 6 (all disabled) | 0 |");
  });

  it("with one policy disabled, the count says so", async () => {
    const config = path.join(directory, "one-disabled.json");
    fs.writeFileSync(config, JSON.stringify({ "kms-key-rotation-enabled": "disabled" }));
    const run = await runCli(
      ["check", "--project", "examples/compliant", "--policy-config", config, "--quiet"],
      dependencies,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trimEnd().split("\n").at(-1)).toMatch(/^PASSED {2}\d+ resources, 6 policies \(1 disabled\), /);
  });
});

describe("locations", () => {
  it('in a project folder named with " (" and "#": the real file and line, and SARIF URIs that keep "#" in the path', async () => {
    const project = copyOfUnrotatedKey(path.join("team #1", "infra (copy)"));
    const sarifFile = path.join(directory, "parentheses.sarif");
    const run = await runCli(
      ["check", "--project", project, "--report", "text=-", "--report", `sarif=${sarifFile}`],
      dependencies,
      { cwd: directory },
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain("warehouse-key (aws:kms/key:Key)  team #1/infra (copy)/index.ts:7");
    const sarif = JSON.parse(fs.readFileSync(sarifFile, "utf8")) as {
      runs: {
        originalUriBaseIds: Record<string, { uri: string }>;
        results: {
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        }[];
      }[];
    };
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    const locations = sarif.runs[0].results.map((result) => result.locations[0].physicalLocation);
    expect(locations.map((location) => location.artifactLocation.uri)).toContain(
      "team%20%231/infra%20%28copy%29/index.ts",
    );
    // Resolved as a URI reference against the base, the path is the file's path: "#" did not start a fragment.
    for (const location of locations) {
      const resolved = new URL(location.artifactLocation.uri, sarif.runs[0].originalUriBaseIds["%SRCROOT%"].uri);
      expect(resolved.hash).toBe("");
      expect(fs.existsSync(decodeURIComponent(resolved.pathname))).toBe(true);
    }
  });

  // Pulumi refuses a `main` outside the project ("project 'main' must be a subfolder", its
  // getPwdMain and the Error_ParentFolder integration test), so keyguard does too, naming the value;
  // it no longer runs such a program and locates its resources at the child's "[eval]".
  it("with main: outside the project folder: refused as pulumi refuses it, naming the value (exit 2)", async () => {
    const project = path.join(directory, "outside", "project");
    fs.mkdirSync(project, { recursive: true });
    const source = path.join(directory, "outside", "src");
    fs.mkdirSync(source);
    fs.copyFileSync(path.join(REPO_ROOT, "examples", "unrotated-key", "index.ts"), path.join(source, "index.ts"));
    fs.copyFileSync(
      path.join(REPO_ROOT, "examples", "unrotated-key", "Pulumi.dev.yaml"),
      path.join(project, "Pulumi.dev.yaml"),
    );
    fs.writeFileSync(
      path.join(project, "Pulumi.yaml"),
      "name: unrotated-key\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: ../src/index.ts\n",
    );
    const run = await runCli(["check", "--project", project, "--format", "json"], dependencies, { cwd: directory });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`main "../src/index.ts" must be a folder or file inside the project`);
    expect(run.stdout).toBe("");
  });
});
