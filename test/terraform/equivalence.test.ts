/**
 * One rule set for both tools: each Terraform fixture plan (made by the real terraform) and its
 * Pulumi twin (./equivalents/<case>, the same resources with the same settings, each named by its
 * Terraform address) go through the real `keyguard check` and the same pack, and must get the same
 * verdicts: the same policies, verdict kinds and levels on the same resources, and the same exit code
 * (and the same resources: a twin that left one out would hide a verdict).
 *
 * Cases without a twin: external-key-data-source (an `aws.kms.getKey` invoke, which the offline
 * mocks do not answer as AWS would), key-being-deleted (a plan's deletion has no program form) and
 * the state case (judged by `keyguard audit`, see ./check.test.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzerHost } from "../../engine";
import type { CliDependencies } from "../../gate/cli";
import type { Report } from "../../gate/report/report";
import { REPO_ROOT, runCli, startSharedPack } from "../gate/gateHarness";

const TWINS = path.join(__dirname, "equivalents");
const CASES = fs.readdirSync(TWINS).sort();

let host: AnalyzerHost;
let dependencies: CliDependencies;

beforeAll(async () => {
  ({ host, dependencies } = await startSharedPack());
});

afterAll(async () => {
  await host?.close();
});

async function verdicts(args: string[]): Promise<{ code: number; resources: string[]; verdicts: string[] }> {
  const run = await runCli([...args, "--format", "json", "--quiet"], dependencies);
  if (run.code === 2) throw new Error(`keyguard ${args.join(" ")} failed: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as Report;
  return {
    code: run.code,
    resources: report.resources.map((resource) => `${resource.type} ${resource.name}`).sort(),
    verdicts: report.violations
      .map((violation) =>
        [violation.policyName, violation.resourceName, violation.verdict, violation.enforcementLevel].join(" | "),
      )
      .sort(),
  };
}

describe("a Terraform plan and the equivalent Pulumi program get the same verdicts", () => {
  it("has a twin only for fixture cases", () => {
    for (const name of CASES) expect(fs.existsSync(path.join(__dirname, "fixtures", name, "plan.json"))).toBe(true);
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });

  it.each(CASES)(
    "%s",
    async (name) => {
      const [pulumi, terraform] = await Promise.all([
        verdicts(["check", "--project", path.relative(REPO_ROOT, path.join(TWINS, name))]),
        verdicts(["check", "--plan", path.relative(REPO_ROOT, path.join(__dirname, "fixtures", name, "plan.json"))]),
      ]);
      // The same resources on both sides: the same types under the same names (addresses).
      expect(terraform.resources.length).toBeGreaterThan(0);
      expect(terraform).toEqual(pulumi);
    },
    90_000,
  );
});
