/**
 * `keyguard check` gives the verdict `pulumi preview --policy-pack` gives (issue #11), through the
 * real command on small projects under test/gate/fixtures: where preview fails the gate fails, and
 * where the gate cannot know, its report says what it could not see.
 */
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzerHost } from "../../gate/analyzerHost";
import type { CliDependencies } from "../../gate/cli";
import { runCli, startSharedPack } from "./gateHarness";

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
