/**
 * Where `keyguard check` finds the project and which stack it runs, as the Pulumi CLI would: the
 * nearest Pulumi.yaml at or above the current folder, `--stack` as NAME, ORG/NAME or
 * ORG/PROJECT/NAME, and without `--stack` the `dev` stack or the only stack there is.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { findProjectDir, readPulumiProject } from "../../gate/program/pulumiProject";
import { runCli } from "./gateHarness";

const created: string[] = [];
afterAll(() => {
  for (const directory of created) fs.rmSync(directory, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-project-"));
  created.push(directory);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(directory, name)), { recursive: true });
    fs.writeFileSync(path.join(directory, name), text);
  }
  return directory;
}

const PROJECT_FILE = "name: warehouse\nruntime: nodejs\n";

describe("finding the project", () => {
  it("finds the nearest Pulumi.yaml at or above a folder, as the Pulumi CLI does", () => {
    const directory = project({ "Pulumi.yaml": PROJECT_FILE, "index.js": "", "src/stacks/keep": "" });
    expect(findProjectDir(directory)).toBe(directory);
    expect(findProjectDir(path.join(directory, "src", "stacks"))).toBe(directory);
    const nested = project({
      "Pulumi.yaml": PROJECT_FILE,
      "infra/Pulumi.yaml": "name: inner\nruntime: nodejs\n",
      "infra/lib/keep": "",
    });
    expect(findProjectDir(path.join(nested, "infra", "lib"))).toBe(path.join(nested, "infra"));
  });

  it("keyguard check with no --project, from a subfolder, reads the project above it (here: to refuse an ambiguous stack)", async () => {
    const directory = project({
      "Pulumi.yaml": PROJECT_FILE,
      "index.js": "",
      "Pulumi.prod.yaml": "",
      "Pulumi.staging.yaml": "",
      "src/keep": "",
    });
    const run = await runCli(["check"], {}, { cwd: path.join(directory, "src") });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      `keyguard: error: no --stack given and no Pulumi.dev.yaml in ${directory}: it has stack files for prod, staging; choose one with --stack NAME`,
    );
  });

  it("keyguard check with no Pulumi.yaml anywhere above refuses, naming the folder", async () => {
    const directory = project({ "src/index.ts": "" });
    const run = await runCli(["check"], {}, { cwd: path.join(directory, "src") });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      `keyguard: error: no Pulumi.yaml in ${path.join(directory, "src")} or any folder above it: run keyguard check in a Pulumi project, or give --project DIR`,
    );
  });
});

describe("choosing the stack", () => {
  it("takes dev when it has a stack file, else the only stack file, else dev with no stack config", () => {
    const withDev = project({
      "Pulumi.yaml": PROJECT_FILE,
      "index.js": "",
      "Pulumi.dev.yaml": "config:\n  aws:region: eu-west-1\n",
      "Pulumi.prod.yaml": "",
    });
    expect(readPulumiProject(withDev, undefined, undefined)).toMatchObject({ stack: "dev", region: "eu-west-1" });
    const onlyProd = project({
      "Pulumi.yaml": PROJECT_FILE,
      "index.js": "",
      "Pulumi.prod.yaml": "config:\n  aws:region: eu-central-1\n  warehouse:size: 2\n",
    });
    expect(readPulumiProject(onlyProd, undefined, undefined)).toMatchObject({
      stack: "prod",
      region: "eu-central-1",
      config: { "warehouse:size": "2" },
    });
    const none = project({ "Pulumi.yaml": PROJECT_FILE, "index.js": "" });
    expect(readPulumiProject(none, undefined, undefined)).toMatchObject({ stack: "dev", config: {} });
  });

  it("looks for the stack files in stackConfigDir", () => {
    const directory = project({
      "Pulumi.yaml": `${PROJECT_FILE}stackConfigDir: stacks\n`,
      "index.js": "",
      "stacks/Pulumi.prod.yaml": "config:\n  aws:region: us-west-2\n",
      "Pulumi.other.yaml": "",
    });
    expect(readPulumiProject(directory, undefined, undefined)).toMatchObject({ stack: "prod", region: "us-west-2" });
  });

  it("refuses to guess between several stacks, listing them", () => {
    const directory = project({
      "Pulumi.yaml": PROJECT_FILE,
      "index.js": "",
      "Pulumi.prod.yaml": "",
      "Pulumi.staging.yaml": "",
      "Pulumi.yaml.bak": "",
    });
    expect(() => readPulumiProject(directory, undefined, undefined)).toThrow(
      `no --stack given and no Pulumi.dev.yaml in ${directory}: it has stack files for prod, staging; choose one with --stack NAME`,
    );
  });

  it("takes --stack as NAME, ORG/NAME and ORG/PROJECT/NAME, as the Pulumi CLI does", () => {
    const directory = project({
      "Pulumi.yaml": PROJECT_FILE,
      "index.js": "",
      "Pulumi.prod.yaml": "config:\n  aws:region: ap-south-1\n",
      "Pulumi.staging.yaml": "",
    });
    for (const flag of ["prod", "acme/prod", "acme/warehouse/prod"]) {
      expect(readPulumiProject(directory, flag, undefined)).toMatchObject({ stack: "prod", region: "ap-south-1" });
    }
  });

  it("refuses a --stack of another project, or not in the CLI's forms, naming the value and what is allowed", () => {
    const directory = project({ "Pulumi.yaml": PROJECT_FILE, "index.js": "", "Pulumi.prod.yaml": "" });
    expect(() => readPulumiProject(directory, "acme/billing/prod", undefined)).toThrow(
      `--stack acme/billing/prod: project "billing" is not this project's name "warehouse" (${path.join(directory, "Pulumi.yaml")})`,
    );
    for (const flag of ["a/b/c/d", "acme//prod", "../prod", "pr od"]) {
      expect(() => readPulumiProject(directory, flag, undefined)).toThrow(
        `--stack ${JSON.stringify(flag)}: a stack name has only letters, digits, "-", "_" and "." (given as NAME, ORG/NAME or ORG/PROJECT/NAME)`,
      );
    }
  });
});
