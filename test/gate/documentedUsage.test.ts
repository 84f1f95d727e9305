/**
 * The usage docs/cli.md shows is what `keyguard --help` prints, word for word: a flag added to the CLI
 * (USAGE in gate/cliArguments.ts) without the doc, or a doc edited by hand, fails here with the command
 * that rewrites the doc's block. The help comes from the CLI's own entry point (`main`, which
 * bin/keyguard.js runs from dist/) compiled from source, so a dist/ not rebuilt yet cannot hide a change.
 */
import { describe, expect, it } from "vitest";
import { expectGeneratedBlock } from "../support/docs";
import { runCli } from "./gateHarness";

const USAGE_DOC = "docs/cli.md";
const MARKERS = { start: "<!-- keyguard-usage:start -->", end: "<!-- keyguard-usage:end -->" };

describe("the documented usage", () => {
  it("is what keyguard --help prints (KEYGUARD_UPDATE_DOCS=1 rewrites docs/cli.md's block)", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage:\n {2}keyguard check /);
    expectGeneratedBlock(
      USAGE_DOC,
      MARKERS,
      `${MARKERS.start}\n\`\`\`text\n${help.stdout}\`\`\`\n${MARKERS.end}`,
      "what `keyguard --help` prints (USAGE in gate/cliArguments.ts)",
    );
  });
});
