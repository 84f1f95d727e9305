/**
 * Strings from a program are data in every report: one `keyguard check` of a fixture whose resource
 * names carry a workflow command on a line of its own, `</details>`, a second (passing) verdict
 * heading, HTML and Markdown images, terminal escapes, a carriage return, C1 and bidirectional
 * controls and the runner's legacy `##[command]` form. The text report starts no line with `::`,
 * executes no control character and shows each one; the Markdown summary holds no HTML but its own
 * and no heading or table row but its own; the structured formats keep the names exactly.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzerHost } from "../../engine";
import type { CliDependencies } from "../../gate/cli";
import { TERMINAL, WORKFLOW_AND_HTML } from "./fixtures/hostile-names/names";
import { parseJunit, runCli, sarifSchemaErrors, startSharedPack, type CliRun } from "./gateHarness";

const FIXTURE = "test/gate/fixtures/hostile-names";
/** Every control character a terminal or a log could act on; the text report keeps only its own newlines. */
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** The HTML the Markdown summary writes itself. */
const OUR_TAGS = new Set(["<details>", "</details>", "<summary>", "</summary>", "<br>", "<sub>", "</sub>"]);

let host: AnalyzerHost;
let dependencies: CliDependencies;
let directory: string;
let run: CliRun;
const read = (name: string) => fs.readFileSync(path.join(directory, name), "utf8");

beforeAll(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-injection-"));
  ({ host, dependencies } = await startSharedPack());
  const reports = [
    "markdown=summary.md",
    "json=report.json",
    "sarif=report.sarif",
    "junit=report.xml",
    "gitlab=gl.json",
  ];
  run = await runCli(
    [
      "check",
      "--project",
      FIXTURE,
      "--report",
      "text=-",
      ...reports.flatMap((report) => ["--report", report.replace("=", `=${directory}/`)]),
    ],
    dependencies,
  );
});
afterAll(async () => {
  await host?.close();
  if (directory) fs.rmSync(directory, { recursive: true, force: true });
});

describe("the text report (the step log, the terminal)", () => {
  it("fails on the two keys, and no line of it starts a workflow command or holds the legacy ##[ form", () => {
    expect(run.code, run.stderr).toBe(1);
    const lines = run.stdout.split("\n");
    expect(lines.filter((line) => line.trimStart().startsWith("::"))).toEqual([]);
    expect(run.stdout).not.toContain("##[");
    // The name is there, on the line of its resource, with its line breaks shown.
    expect(lines.some((line) => line.startsWith("k1\\n::error file=index.ts,line=1::keyguard found nothing\\n"))).toBe(
      true,
    );
  });

  it("shows every control character as an escape instead of sending it to the terminal", () => {
    expect(run.stdout).not.toMatch(CONTROL_BUT_NEWLINE);
    for (const shown of ["\\x1b[2J", "\\x1b[32mPASSED", "\\r", "\\u009b31m", "\\x07", "\\u202e", "#\\x23[error]legacy"])
      expect(run.stdout).toContain(shown);
    expect(run.stdout.trimEnd().split("\n").at(-1)).toMatch(/^FAILED {2}2 resources/);
  });

  it("on a terminal with colour, the only escape sequences are its own colours", async () => {
    const coloured = await runCli(["check", "--project", FIXTURE, "--quiet"], dependencies, {
      isTTY: true,
      env: { ...process.env, NO_COLOR: "" },
    });
    expect(coloured.code).toBe(1);
    // eslint-disable-next-line no-control-regex
    const sequences = new Set(coloured.stdout.match(/\u001b\[[0-9;]*[A-Za-z]/g));
    // eslint-disable-next-line no-control-regex
    expect([...sequences].every((sequence) => /^\u001b\[(0|1|2|31|32|33)m$/.test(sequence))).toBe(true);
    // eslint-disable-next-line no-control-regex
    expect(coloured.stdout.replace(/\u001b\[(0|1|2|31|32|33)m/g, "")).not.toMatch(CONTROL_BUT_NEWLINE);
  });
});

describe("the Markdown summary (the pull request)", () => {
  /** The summary without its code spans, whose content Markdown shows literally. */
  const outsideCode = () => read("summary.md").replace(/`[^`\n]*`/g, "`…`");

  it("holds no HTML but its own, and its <details> blocks balance", () => {
    const tags = outsideCode().match(/<\/?[A-Za-z][^>]*>/g) ?? [];
    expect(tags.filter((tag) => !OUR_TAGS.has(tag))).toEqual([]);
    const count = (tag: string) => tags.filter((found) => found === tag).length;
    expect(count("</details>")).toBe(count("<details>"));
    expect(outsideCode()).not.toMatch(/!\[|\]\(javascript:/);
  });

  it("has one verdict heading, the failing one, and every table row keeps its cells", () => {
    const lines = read("summary.md").split("\n");
    expect(lines.filter((line) => /^#{1,6}\s/.test(line))).toEqual([
      "## ❌ keyguard check failed: `hostile-names/dev`, 2 mandatory findings",
      "### Mandatory findings (2)",
    ]);
    // Every line is ours: a heading, a table row, our HTML, the footer, or empty.
    for (const line of lines) expect(line).toMatch(/^(#{2,3} .*|\|.*\||<\/?details>.*|<sub>.*<\/sub>|)$/);
    // A row has as many cells as its header: no `|` of a name splits a cell.
    const cells = (line: string) => line.replace(/`[^`]*`/g, "`…`").split(/(?<!\\)\|/).length;
    const findingRows = lines.filter((line) => line.startsWith("| `kms-key-rotation-enabled`"));
    expect(findingRows).toHaveLength(2);
    for (const row of findingRows)
      expect(cells(row)).toBe(cells("| Policy | Resource | Location | Found | Required | Fix |"));
    expect(read("summary.md")).not.toMatch(CONTROL_BUT_NEWLINE);
  });
});

describe("the structured reports keep the names exactly, as data", () => {
  it("JSON, SARIF and GitLab carry the names byte for byte; JUnit parses and carries them too", () => {
    const json = JSON.parse(read("report.json")) as { violations: { resourceName: string }[] };
    expect(json.violations.map((violation) => violation.resourceName).sort()).toEqual(
      [WORKFLOW_AND_HTML, TERMINAL].sort(),
    );
    const sarif = JSON.parse(read("report.sarif")) as {
      runs: { results: { locations: { logicalLocations?: { name: string }[] }[] }[] }[];
    };
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(sarif.runs[0].results.map((result) => result.locations[0].logicalLocations![0].name).sort()).toEqual(
      [WORKFLOW_AND_HTML, TERMINAL].sort(),
    );
    const gitlab = JSON.parse(read("gl.json")) as { description: string }[];
    expect(gitlab.some((issue) => issue.description.includes(WORKFLOW_AND_HTML))).toBe(true);
    const xml = read("report.xml");
    // What XML 1.0 cannot carry (here ESC and BEL) is shown as an escape; the rest is escaped XML.
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const junit = parseJunit(xml);
    expect(junit.failures).toBe(2);
    const names = junit.suites.flatMap((suite) => suite.testcase.map((testCase) => testCase.name));
    expect(names.some((name) => name.includes("\\x1b[2J") && name.includes("\\x07"))).toBe(true);
  });
});
