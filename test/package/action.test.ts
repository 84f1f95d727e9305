/**
 * action.yml, the composite GitHub Action other repositories use: parsed with a YAML parser, its
 * inputs and outputs checked, and its run step executed as the runner would execute it (inputs and
 * `github.action_path` substituted into the step's expressions, the step's env and working
 * directory, bash, GITHUB_STEP_SUMMARY and GITHUB_OUTPUT pointed at temporary files) against an
 * example project where this repository is installed as keyguard.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sarifSchemaErrors } from "../gate/gateHarness";

const repositoryRoot = path.resolve(__dirname, "../..");
// The YAML parser the gate reads Pulumi.yaml with (js-yaml, found from @pulumi/pulumi).
const yaml = require(
  require.resolve("js-yaml", { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] }),
) as { load(text: string): unknown };

interface ActionStep {
  name?: string;
  id?: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  "working-directory"?: string;
}
interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

const action = yaml.load(fs.readFileSync(path.join(repositoryRoot, "action.yml"), "utf8")) as Action;
const temporary: string[] = [];
afterAll(() => {
  for (const directory of temporary) fs.rmSync(directory, { recursive: true, force: true });
});

/**
 * keyguard installed in `directory` as `npm install <this repository>` installs a folder: a link
 * node_modules/keyguard and the command node_modules/.bin/keyguard; its dependencies (and the
 * program's @pulumi packages) linked from this repository's node_modules.
 */
function installKeyguardLinked(directory: string): void {
  const modules = path.join(directory, "node_modules");
  fs.mkdirSync(path.join(modules, ".bin"), { recursive: true });
  for (const name of fs.readdirSync(path.join(repositoryRoot, "node_modules"))) {
    if (name !== ".bin" && !name.startsWith("."))
      fs.symlinkSync(path.join(repositoryRoot, "node_modules", name), path.join(modules, name));
  }
  fs.symlinkSync(repositoryRoot, path.join(modules, "keyguard"), "dir");
  fs.symlinkSync(path.join("..", "keyguard", "bin", "keyguard.js"), path.join(modules, ".bin", "keyguard"));
}

/** Evaluates the `${{ ... }}` expressions the runner would, for the ones action.yml may use; any other is an error. */
function substitute(
  text: string,
  inputs: Record<string, string>,
  stepOutputs: Record<string, Record<string, string>> = {},
): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_whole, expression: string) => {
    const input = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expression);
    if (input) {
      if (!(input[1] in action.inputs)) throw new Error(`action.yml uses undeclared input ${input[1]}`);
      return inputs[input[1]] ?? action.inputs[input[1]].default ?? "";
    }
    if (expression === "github.action_path") return repositoryRoot;
    const output = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(expression);
    if (output) return stepOutputs[output[1]]?.[output[2]] ?? "";
    throw new Error(`action.yml uses an expression this test cannot evaluate: ${expression}`);
  });
}

function parseOutputs(file: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const match = /^([A-Za-z0-9_-]+)=(.*)$/.exec(line);
    if (match) outputs[match[1]] = match[2];
  }
  return outputs;
}

/** Runs the action's steps as a runner would, in `workspace`; returns the exit code, the summary and the action's outputs. */
function runAction(workspace: string, inputs: Record<string, string>) {
  const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-action-"));
  temporary.push(runnerTemp);
  const summaryFile = path.join(runnerTemp, "step_summary.md");
  const outputFile = path.join(runnerTemp, "github_output");
  fs.writeFileSync(summaryFile, "");
  const stepOutputs: Record<string, Record<string, string>> = {};
  let code: number | null = 0;
  let log = "";
  for (const step of action.runs.steps) {
    fs.writeFileSync(outputFile, "");
    const environment: NodeJS.ProcessEnv = {
      ...process.env,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_OUTPUT: outputFile,
      GITHUB_ACTION_PATH: repositoryRoot,
      NO_COLOR: "1",
    };
    for (const [name, value] of Object.entries(step.env ?? {})) environment[name] = substitute(value, inputs);
    const cwd = path.resolve(workspace, substitute(step["working-directory"] ?? ".", inputs));
    // One log of both streams, in the order they were written, as the runner keeps it.
    const result = spawnSync(
      "bash",
      ["--noprofile", "--norc", "-eo", "pipefail", "-c", `exec 2>&1\n${substitute(step.run!, inputs)}`],
      { cwd, env: environment, encoding: "utf8", timeout: 240_000 },
    );
    log += result.stdout + result.stderr;
    if (step.id) stepOutputs[step.id] = parseOutputs(outputFile);
    code = result.status;
    if (code !== 0) break;
  }
  const outputs = Object.fromEntries(
    Object.entries(action.outputs).map(([name, output]) => [name, substitute(output.value, inputs, stepOutputs)]),
  );
  return { code, log, summary: fs.readFileSync(summaryFile, "utf8"), outputs };
}

describe("action.yml", () => {
  it("is a composite action whose inputs are the project folder, stack or Terraform plan, policy config, strict unknowns and the reports", () => {
    expect(action.runs.using).toBe("composite");
    expect(Object.keys(action.inputs).sort()).toEqual([
      "policy-config",
      "reports",
      "sarif-file",
      "stack",
      "strict-unknowns",
      "terraform-plan",
      "working-directory",
    ]);
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description.length, name).toBeGreaterThan(20);
      expect(input.required ?? false, name).toBe(false);
    }
    expect(action.inputs["working-directory"].default).toBe(".");
    expect(action.inputs["sarif-file"].default).toBe("keyguard.sarif");
    expect(Object.keys(action.outputs).sort()).toEqual(["exit-code", "sarif-file"]);
    // Inputs reach the script as environment variables, never spliced into its text.
    for (const step of action.runs.steps) expect(step.run ?? "").not.toMatch(/\$\{\{\s*inputs\./);
  });

  it("runs the installed keyguard check on a failing project: SARIF written, a summary of the findings, the outputs, and the step fails (exit 1)", () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-action-workspace-"));
    temporary.push(workspace);
    installKeyguardLinked(workspace);
    fs.mkdirSync(path.join(workspace, "infra"));
    for (const file of ["Pulumi.yaml", "Pulumi.dev.yaml", "index.ts"])
      fs.copyFileSync(
        path.join(repositoryRoot, "examples", "unrotated-key", file),
        path.join(workspace, "infra", file),
      );
    fs.writeFileSync(
      path.join(workspace, "infra", "policy.json"),
      JSON.stringify({ "redshift-cluster-rotation-on-key-change": "disabled" }),
    );
    const project = path.join(workspace, "infra");
    const result = runAction(workspace, {
      "working-directory": "infra",
      "policy-config": "policy.json",
      "sarif-file": "reports/keyguard.sarif",
    });
    expect(result.code, result.log).toBe(1);
    const sarifFile = path.join(project, "reports", "keyguard.sarif");
    expect(result.outputs).toEqual({ "exit-code": "1", "sarif-file": sarifFile });
    const sarif = JSON.parse(fs.readFileSync(sarifFile, "utf8")) as {
      runs: Array<{ results: Array<{ ruleId: string; level: string }> }>;
    };
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(
      sarif.runs[0].results
        .filter((entry) => entry.level === "error")
        .map((entry) => entry.ruleId)
        .sort(),
    ).toEqual(["kms-key-rotation-enabled", "redshift-cluster-key-rotated"]);
    // The summary is keyguard's markdown report; the text report is in the step's log.
    expect(result.summary).toMatch(/^## ❌ keyguard check failed: `unrotated-key\/dev`, 2 mandatory findings\n/);
    expect(result.summary).toContain(
      "| `kms-key-rotation-enabled` | `warehouse-key` (`aws:kms/key:Key`) | [index.ts:7](index.ts#L7) |",
    );
    expect(result.log).toContain("warehouse-key (aws:kms/key:Key)  index.ts:7");
    // The policy config input reached the check: the advisory policy it disables is in no report.
    expect(result.summary).not.toContain("redshift-cluster-rotation-on-key-change:");
    expect(sarif.runs[0].results.some((entry) => entry.ruleId === "redshift-cluster-rotation-on-key-change")).toBe(
      false,
    );
  });

  it("with terraform-plan, runs keyguard check --plan on the plan's JSON with the same inputs: SARIF at the resource blocks, the summary, the reports, and the step fails (exit 1)", () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-action-workspace-"));
    temporary.push(workspace);
    installKeyguardLinked(workspace);
    // A root module as a team keeps it, with the plan its CI wrote (terraform show -json plan.out > plan.json).
    const fixture = path.join(repositoryRoot, "test", "terraform", "fixtures", "rotation-off");
    const project = path.join(workspace, "infra");
    fs.mkdirSync(project);
    for (const file of ["main.tf", "plan.json"]) fs.copyFileSync(path.join(fixture, file), path.join(project, file));
    fs.writeFileSync(
      path.join(project, "policy.json"),
      JSON.stringify({ "redshift-cluster-rotation-on-key-change": "disabled" }),
    );
    const lineOf = (block: string) =>
      fs
        .readFileSync(path.join(project, "main.tf"), "utf8")
        .split("\n")
        .findIndex((line) => line.startsWith(block)) + 1;
    const result = runAction(workspace, {
      "working-directory": "infra",
      "terraform-plan": "plan.json",
      "policy-config": "policy.json",
      "sarif-file": "reports/keyguard.sarif",
      reports: "junit=reports/keyguard.xml",
    });
    expect(result.code, result.log).toBe(1);
    const sarifFile = path.join(project, "reports", "keyguard.sarif");
    expect(result.outputs).toEqual({ "exit-code": "1", "sarif-file": sarifFile });
    const sarif = JSON.parse(fs.readFileSync(sarifFile, "utf8")) as {
      runs: Array<{
        results: Array<{
          ruleId: string;
          level: string;
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
        }>;
      }>;
    };
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(
      sarif.runs[0].results
        .map(
          (entry) =>
            `${entry.level} ${entry.ruleId} ${entry.locations[0].physicalLocation.artifactLocation.uri}:${entry.locations[0].physicalLocation.region.startLine}`,
        )
        .sort(),
    ).toEqual([
      `error kms-key-rotation-enabled main.tf:${lineOf('resource "aws_kms_key" "events"')}`,
      `error redshift-cluster-key-rotated main.tf:${lineOf('resource "aws_redshift_cluster" "events"')}`,
    ]);
    // The summary and the other reports name resources by their Terraform address.
    expect(result.summary).toMatch(/^## ❌ keyguard check failed: `infra\/plan`, 2 mandatory findings\n/);
    expect(result.summary).toContain("`aws_kms_key.events`");
    expect(fs.readFileSync(path.join(project, "reports", "keyguard.xml"), "utf8")).toContain("aws_kms_key.events");
    expect(result.log).toContain("aws_kms_key.events (aws:kms/key:Key)");
    // The policy config reached the check: the advisory policy it disables is in no report.
    expect(sarif.runs[0].results.some((entry) => entry.ruleId === "redshift-cluster-rotation-on-key-change")).toBe(
      false,
    );
  });

  it("refuses a Terraform plan with a stack, and a plan that is not there, naming the input", () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-action-workspace-"));
    temporary.push(workspace);
    installKeyguardLinked(workspace);
    const both = runAction(workspace, { "terraform-plan": "plan.json", stack: "prod" });
    expect(both.code).toBe(2);
    expect(both.outputs["exit-code"]).toBe("2");
    expect(both.summary).toBe(
      "## keyguard check did not run\n\ninputs stack and terraform-plan cannot go together: stack picks a Pulumi stack, terraform-plan names a Terraform plan (give one of them)\n",
    );
    const missing = runAction(workspace, { "terraform-plan": "plan.json" });
    expect(missing.code).toBe(2);
    expect(missing.log).toContain("keyguard: error: --plan plan.json cannot be read: ENOENT");
    expect(missing.outputs).toEqual({ "exit-code": "2", "sarif-file": "" });
  });

  it("refuses, before running anything, a project where keyguard is not installed and an input that is not allowed", () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-action-project-"));
    temporary.push(outside);
    fs.writeFileSync(path.join(outside, "Pulumi.yaml"), "name: p\nruntime: nodejs\n");
    const missing = runAction(outside, {});
    expect(missing.summary).toBe(
      `## keyguard check did not run\n\nkeyguard is not installed in ${fs.realpathSync(outside)}: add it to the project (npm install <keyguard package>) and run npm ci before this step\n`,
    );
    expect(missing.code).toBe(2);
    expect(missing.log).toContain(`::error title=keyguard::keyguard is not installed in ${fs.realpathSync(outside)}`);
    expect(missing.outputs["exit-code"]).toBe("2");
    installKeyguardLinked(outside);
    const badInput = runAction(outside, { "strict-unknowns": "yes" });
    expect(badInput.code).toBe(2);
    expect(badInput.log).toContain('input strict-unknowns is "yes"; allowed: true or false');
    const badReport = runAction(outside, { reports: "junit=x.xml\njunit" });
    expect(badReport.code).toBe(2);
    expect(badReport.log).toContain(
      'input reports: "junit" is not FORMAT=PATH (one per line, e.g. junit=keyguard.xml)',
    );
  });

  /** A workspace with keyguard installed and `fixture`'s files in its folder infra/. */
  function workspaceWith(fixture: string): { workspace: string; project: string } {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-action-workspace-"));
    temporary.push(workspace);
    installKeyguardLinked(workspace);
    const project = path.join(workspace, "infra");
    fs.cpSync(path.join(repositoryRoot, fixture), project, { recursive: true });
    return { workspace, project };
  }

  it("after an exit 2 its outputs describe this run only: no sarif-file, though an earlier run left its SARIF there", () => {
    const { workspace, project } = workspaceWith("examples/unrotated-key");
    const judged = runAction(workspace, { "working-directory": "infra" });
    expect(judged.code, judged.log).toBe(1);
    const sarifFile = path.join(project, "keyguard.sarif");
    expect(judged.outputs).toEqual({ "exit-code": "1", "sarif-file": sarifFile });
    // The next push breaks the program: the check stops (exit 2) before any verdict.
    fs.appendFileSync(path.join(project, "index.ts"), '\nthrow new Error("broken by the next push");\n');
    const failed = runAction(workspace, { "working-directory": "infra" });
    expect(failed.code).toBe(2);
    expect(failed.outputs).toEqual({ "exit-code": "2", "sarif-file": "" });
    expect(fs.existsSync(sarifFile)).toBe(false);
    expect(failed.summary).toContain("## keyguard check did not run to the end (exit 2)");
  });

  it("stops the runner's command processing around keyguard's output with a fresh random token, so a program's names cannot become workflow commands", () => {
    const { workspace } = workspaceWith("test/gate/fixtures/hostile-names");
    const tokens: string[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = runAction(workspace, { "working-directory": "infra" });
      expect(result.code, result.log).toBe(1);
      const lines = result.log.split("\n");
      const stop = lines.findIndex((line) => line.startsWith("::stop-commands::"));
      const token = lines[stop]?.slice("::stop-commands::".length) ?? "";
      expect(token).toMatch(/^keyguard-[0-9a-f]{32}$/);
      const resume = lines.indexOf(`::${token}::`);
      expect(resume).toBeGreaterThan(stop);
      // keyguard's whole output (its progress on stderr, the text report with the hostile names on stdout) is inside the stopped region.
      const inside = lines.slice(stop + 1, resume);
      expect(inside.some((line) => line.startsWith("keyguard: running index.ts"))).toBe(true);
      expect(inside.some((line) => line.startsWith("k1\\n::error file=index.ts"))).toBe(true);
      expect(inside.filter((line) => line.trimStart().startsWith("::"))).toEqual([]);
      // Outside it, the only workflow commands are the Action's own stop and resume.
      const outside = [...lines.slice(0, stop), ...lines.slice(resume + 1)];
      expect(outside.filter((line) => line.trimStart().startsWith("::"))).toEqual([]);
      expect(result.summary).toMatch(/^## ❌ keyguard check failed: `hostile-names\/dev`, 2 mandatory findings\n/);
      tokens.push(token);
    }
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it("the consumer workflow example (examples/github-actions/keyguard.yml): in each job (Pulumi, Terraform), installs the project, then uses the action with its inputs, then uploads the SARIF the action wrote", () => {
    interface WorkflowStep {
      id?: string;
      run?: string;
      uses?: string;
      if?: string;
      with?: Record<string, string>;
    }
    const workflow = yaml.load(
      fs.readFileSync(path.join(repositoryRoot, "examples", "github-actions", "keyguard.yml"), "utf8"),
    ) as {
      on: Record<string, unknown>;
      jobs: Record<string, { permissions?: Record<string, string>; steps: WorkflowStep[] }>;
    };
    expect(workflow.on).toHaveProperty("pull_request");
    const checks: Record<string, string> = {};
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const install = job.steps.findIndex((step) => step.run === "npm ci");
      const check = job.steps.findIndex((step) => /^<org>\/keyguard@v\d+$/.test(step.uses ?? ""));
      expect(install, name).toBeGreaterThan(0);
      expect(check, name).toBeGreaterThan(install);
      const checkStep = job.steps[check];
      for (const input of Object.keys(checkStep.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
      checks[name] = checkStep.with?.["terraform-plan"] ? "terraform" : "pulumi";
      const upload = job.steps.findIndex((step) => step.uses?.startsWith("github/codeql-action/upload-sarif@"));
      expect(upload, name).toBeGreaterThan(check);
      expect(job.steps[upload].with?.sarif_file).toBe(`\${{ steps.${checkStep.id}.outputs.sarif-file }}`);
      // Even when the check failed (that is when findings matter), but only a SARIF this run wrote.
      expect(job.steps[upload].if, name).toBe(`always() && steps.${checkStep.id}.outputs.sarif-file != ''`);
      expect(job.permissions?.["security-events"], name).toBe("write");
    }
    // A Terraform job next to the Pulumi one; its plan's JSON is written before the check reads it.
    expect(Object.values(checks).sort()).toEqual(["pulumi", "terraform"]);
    const [terraformJob] = Object.entries(checks).filter(([, kind]) => kind === "terraform");
    const steps = workflow.jobs[terraformJob[0]].steps;
    const planned = steps.findIndex((step) => / > plan\.json$/.test(step.run ?? ""));
    expect(planned).toBeGreaterThan(0);
    expect(planned).toBeLessThan(steps.findIndex((step) => step.with?.["terraform-plan"] === "plan.json"));
  });
});
