/**
 * Every report format from one `keyguard check` run with several `--report`s, on a fixture with a
 * finding of every kind and two exemptions (one of a resource policy, one of a stack policy):
 * Markdown (structure and size limit), GitLab Code Quality (fields, fingerprints stable across a
 * line move), SARIF 2.1.0 (schema, partialFingerprints, rule help), JUnit (skipped with reasons),
 * exemption reasons in all six formats, and the example summary docs/example-report.md shows.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzerHost } from "../../engine";
import type { CliDependencies } from "../../gate/cli";
import { renderGitlab, renderMarkdown, renderText } from "../../gate/report/formats";
import { MARKDOWN_LIMIT } from "../../gate/report/formats/markdown";
import type { GitlabIssue } from "../../gate/report/formats/gitlab";
import type { Report, ReportViolation } from "../../gate/report/report";
import { expectGeneratedBlock } from "../support/docs";
import { parseJunit, REPO_ROOT, runCli, sarifSchemaErrors, startSharedPack, type CliRun } from "./gateHarness";

const FIXTURE = "test/gate/fixtures/review-summary";
const POLICY_CONFIG = `${FIXTURE}/keyguard-policy.json`;
const EXAMPLE_DOC = "docs/example-report.md";
const EXAMPLE_MARKERS = {
  start: "<!-- keyguard-markdown-example:start -->",
  end: "<!-- keyguard-markdown-example:end -->",
};
/** Lines the moved copy of the fixture has above the original's first line. */
const MOVED_BY = 3;

let host: AnalyzerHost;
let dependencies: CliDependencies;
let outputDir: string;
let movedDir: string;
let run: CliRun;
let movedRun: CliRun;
const read = (name: string) => fs.readFileSync(path.join(outputDir, name), "utf8");

beforeAll(async () => {
  outputDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-reports-"));
  // The moved copy sits next to the fixture (same depth: its relative imports still resolve) with
  // three lines more at the top: every resource is declared three lines further down.
  movedDir = fs.mkdtempSync(path.join(REPO_ROOT, FIXTURE, "..", "moved-"));
  for (const file of fs.readdirSync(path.join(REPO_ROOT, FIXTURE)))
    fs.copyFileSync(path.join(REPO_ROOT, FIXTURE, file), path.join(movedDir, file));
  const source = fs.readFileSync(path.join(movedDir, "index.ts"), "utf8");
  fs.writeFileSync(path.join(movedDir, "index.ts"), "// moved\n".repeat(MOVED_BY) + source);
  ({ host, dependencies } = await startSharedPack());
  const out = (name: string) => path.join(outputDir, name);
  [run, movedRun] = await Promise.all([
    runCli(
      [
        "check",
        "--project",
        FIXTURE,
        "--policy-config",
        POLICY_CONFIG,
        "--report",
        "text=-",
        "--report",
        `json=${out("report.json")}`,
        "--report",
        `sarif=${out("report.sarif")}`,
        "--report",
        `junit=${out("report.xml")}`,
        "--report",
        `markdown=${out("summary.md")}`,
        "--report",
        `gitlab=${out("gl-code-quality.json")}`,
      ],
      dependencies,
    ),
    runCli(
      [
        "check",
        "--project",
        path.relative(REPO_ROOT, movedDir),
        "--policy-config",
        POLICY_CONFIG,
        "--report",
        `gitlab=${out("moved.json")}`,
        "--quiet",
      ],
      dependencies,
    ),
  ]);
}, 90_000);

afterAll(async () => {
  await host?.close();
  if (outputDir) fs.rmSync(outputDir, { recursive: true, force: true });
  if (movedDir) fs.rmSync(movedDir, { recursive: true, force: true });
});

const jsonReport = () => JSON.parse(read("report.json")) as Report;
const urnOf = (type: string, name: string) => `urn:pulumi:dev::review-summary::pulumi:pulumi:Stack$${type}::${name}`;
const WAREHOUSE_KEY = urnOf("aws:kms/key:Key", "warehouse-key");
const ARCHIVE_KEY = urnOf("aws:kms/key:Key", "archive-key");
const LEGACY_CLUSTER = urnOf("aws:redshift/cluster:Cluster", "legacy-reporting");
const EXEMPTION_REASONS = [
  "read-only archive, deleted with the 2027 data purge (ticket SEC-42)",
  "legacy clusters are retired in Q3 (ticket SEC-43)",
];

describe("several reports from one run (--report FORMAT=PATH, repeated)", () => {
  it("writes every report of the run, the text one to stdout, and fails on the mandatory findings", () => {
    expect(run.stderr).not.toMatch(/keyguard: error/);
    expect(run.code).toBe(1);
    for (const name of ["report.json", "report.sarif", "report.xml", "summary.md", "gl-code-quality.json"]) {
      expect(run.stderr).toContain(`report to ${path.join(outputDir, name)}`);
    }
    expect(run.stdout).toMatch(/^keyguard check: review-summary\/dev/);
    // One run: the reports agree on what they count.
    const report = jsonReport();
    expect(report.summary).toMatchObject({ mandatory: 3, exempted: 2, exitCode: 1 });
    expect(
      JSON.parse(read("gl-code-quality.json")).filter(
        (issue: GitlabIssue) => issue.severity !== "info" || !/ is exempt /.test(issue.description),
      ),
    ).toHaveLength(report.summary.violations);
  });

  it("refuses a malformed --report, two reports on stdout, and two reports on one path, before running anything", async () => {
    const cases: [string[], RegExp][] = [
      [["--report", "sarif"], /--report "sarif" is not FORMAT=PATH/],
      [["--report", "xml=out.xml"], /--report format "xml" is not one of text, json, sarif, junit, markdown, gitlab/],
      [["--report", "markdown=-", "--format", "json"], /only one report can go to stdout, got markdown and json/],
      [
        ["--report", `json=${path.join(outputDir, "same")}`, "--report", `sarif=${path.join(outputDir, "same")}`],
        /already writes to/,
      ],
      [
        ["--report", `json=${path.join(outputDir, "missing", "r.json")}`],
        /--report json .*missing.*: directory .*missing does not exist/,
      ],
    ];
    for (const [flags, reason] of cases) {
      const refused = await runCli(["check", "--project", FIXTURE, ...flags], dependencies);
      expect(refused.code, flags.join(" ")).toBe(2);
      expect(refused.stderr).toMatch(reason);
      expect(refused.stderr).not.toContain("running ");
    }
  });
});

describe("markdown", () => {
  /** Headings, collapsed sections, table headers and each row's policy and resource: the summary's structure. */
  function structure(markdown: string): string[] {
    return markdown.split("\n").flatMap((line) => {
      if (/^#{2,3} /.test(line) || line.startsWith("<details>")) return [line];
      if (!line.startsWith("| ") || line.startsWith("|---")) return [];
      const cells = line.slice(2, -2).split(" | ");
      return cells[0] === "Policy" || cells[0] === "Resources"
        ? [`table: ${cells.join(", ")}`]
        : [`row: ${cells.slice(0, 2).join(" ")}`];
    });
  }

  it("gives the verdict in one line, counts that add up, mandatory findings first, the rest collapsed", () => {
    const markdown = read("summary.md");
    expect(structure(markdown)).toEqual([
      "## ❌ keyguard check failed: `review-summary/dev`, 3 mandatory findings",
      "table: Resources, Policies, Findings, Mandatory, Advisory, Unknown in preview, Exempted, Not analyzed",
      "row: 12 6",
      "### Mandatory findings (3)",
      "table: Policy, Resource, Location, Found, Required, Fix",
      "row: `kms-key-rotation-enabled` `warehouse-key` (`aws:kms/key:Key`)",
      "row: `kms-key-rotation-period` `warehouse-key` (`aws:kms/key:Key`)",
      "row: `redshift-cluster-key-rotated` `warehouse` (`aws:redshift/cluster:Cluster`)",
      "<details><summary>Unknown in preview (1)</summary>",
      "table: Policy, Resource, Location, Found, Required, Fix",
      "row: `redshift-cluster-rotation-on-key-change` `scratch` (`aws:redshift/cluster:Cluster`)",
      "<details><summary>Advisory findings (1)</summary>",
      "table: Policy, Resource, Location, Found, Required, Fix",
      "row: `redshift-cluster-rotation-on-key-change` `warehouse` (`aws:redshift/cluster:Cluster`)",
      "<details><summary>Exemptions (2)</summary>",
      "table: Policy, Resource, Location, Reason, Policy config entry",
      "row: `kms-key-rotation-enabled` `archive-key` (`aws:kms/key:Key`)",
      "row: `redshift-cluster-rotation-on-key-change` `legacy-reporting` (`aws:redshift/cluster:Cluster`)",
    ]);
    const counts = markdown
      .split("\n")
      .find((line) => line.startsWith("| 12 |"))!
      .slice(2, -2)
      .split(" | ")
      .map(Number);
    const [, , findings, mandatory, advisory, unknown] = counts;
    expect(mandatory + advisory + unknown).toBe(findings);
    expect(findings).toBe(jsonReport().summary.violations);
    // Each finding row: file:line as a relative link, and what was found, what is required, the fix.
    const keyRow = markdown
      .split("\n")
      .find((line) => line.startsWith("| `kms-key-rotation-enabled` | `warehouse-key`"))!;
    expect(keyRow).toContain(`[${FIXTURE}/index.ts:9](${FIXTURE}/index.ts#L9)`);
    const cells = keyRow.slice(2, -2).split(" | ");
    expect(cells[3]).toMatch(/enableKeyRotation/);
    expect(cells[4]).toBe("true");
    expect(cells[5]).toMatch(/enableKeyRotation: true/);
    // Collapsed sections are closed.
    expect(markdown.match(/<details>/g)).toHaveLength(markdown.match(/<\/details>/g)!.length);
    expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
  });

  it("stays within a pull-request comment's 65,536 characters with thousands of findings, mandatory ones first, and says what it left out", () => {
    const report = jsonReport();
    const template = report.violations.find((violation) => violation.enforcementLevel === "mandatory")!;
    const many = (level: string, count: number): ReportViolation[] =>
      Array.from({ length: count }, (_, index) => ({
        ...template,
        enforcementLevel: level,
        urn: `${template.urn}-${level}-${index}`,
        resourceName: `key-${level}-${index}`,
        found: `${template.found} (${index})`,
      }));
    const big: Report = {
      ...report,
      violations: [...many("mandatory", 1500), ...many("advisory", 1500)],
      exemptions: [],
    };
    const markdown = renderMarkdown(big);
    expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(markdown.length).toBeGreaterThan(MARKDOWN_LIMIT - 4_000);
    const shown = markdown.split("\n").filter((line) => line.startsWith("| `kms-key-rotation-enabled` |")).length;
    const left = Number(
      /> (\d+) more rows did not fit in this summary's 65,536 characters; the JSON, SARIF, JUnit and GitLab reports list every one\./.exec(
        markdown,
      )?.[1],
    );
    expect(shown + left).toBe(3000);
    // Mandatory findings come first: no advisory row is shown while a mandatory one is left out.
    expect(markdown).not.toContain("key-advisory-0`");
    expect(markdown).toContain("### Mandatory findings (1500)");
    expect(markdown.match(/<details>/g)?.length ?? 0).toBe(markdown.match(/<\/details>/g)?.length ?? 0);
    // A smaller limit is honoured the same way.
    expect(renderMarkdown(big, 10_000).length).toBeLessThanOrEqual(10_000);
  });

  it("lists what was not analyzed offline in its own section, open and failing under --strict-unknowns", () => {
    const report = jsonReport();
    const notAnalyzed = [
      {
        kind: "secure-config" as const,
        subject: "review-summary:dbPassword",
        message: "a secure config value cannot be decrypted offline",
        location: { file: `${FIXTURE}/Pulumi.dev.yaml`, line: 2 },
      },
    ];
    const lenient = renderMarkdown({ ...report, notAnalyzed, summary: { ...report.summary, notAnalyzed: 1 } });
    expect(lenient).toContain("<details><summary>Not analyzed offline (1)</summary>");
    expect(lenient).toContain(
      `| \`review-summary:dbPassword\` | [${FIXTURE}/Pulumi.dev.yaml:2](${FIXTURE}/Pulumi.dev.yaml#L2) | \`secure-config\` | a secure config value cannot be decrypted offline |`,
    );
    const strict = renderMarkdown({
      ...report,
      notAnalyzed,
      summary: { ...report.summary, notAnalyzed: 1, strictUnknowns: true },
    });
    expect(strict).toContain("### Not analyzed offline (1), failing with --strict-unknowns");
    expect(strict.split("\n")[0]).toContain("1 not analyzed offline (--strict-unknowns)");
    const gitlab = JSON.parse(renderGitlab({ ...report, notAnalyzed })) as GitlabIssue[];
    expect(gitlab.find((issue) => issue.check_name === "keyguard-not-analyzed")).toMatchObject({
      severity: "info",
      location: { path: `${FIXTURE}/Pulumi.dev.yaml`, lines: { begin: 2 } },
    });
  });

  it("is the summary docs/example-report.md shows (generated from this fixture; KEYGUARD_UPDATE_DOCS=1 rewrites the doc's block)", () => {
    expectGeneratedBlock(
      EXAMPLE_DOC,
      EXAMPLE_MARKERS,
      `${EXAMPLE_MARKERS.start}\n\`\`\`\`markdown\n${read("summary.md")}\`\`\`\`\n${EXAMPLE_MARKERS.end}`,
      "the Markdown report of test/gate/fixtures/review-summary (gate/report's markdown format)",
    );
  });
});

describe("gitlab code quality", () => {
  const issues = () => JSON.parse(read("gl-code-quality.json")) as GitlabIssue[];

  it("is an array of the fields GitLab reads, with GitLab's severities", () => {
    const list = issues();
    expect(list.length).toBeGreaterThan(0);
    for (const issue of list) {
      expect(typeof issue.description).toBe("string");
      expect(issue.check_name).toMatch(/^[a-z-]+$/);
      expect(issue.fingerprint).toMatch(/^[0-9a-f]{32}$/);
      expect(["info", "minor", "major", "critical", "blocker"]).toContain(issue.severity);
      expect(issue.location.path).toBe(`${FIXTURE}/index.ts`);
      expect(Number.isInteger(issue.location.lines.begin) && issue.location.lines.begin >= 1).toBe(true);
    }
    expect(new Set(list.map((issue) => issue.fingerprint)).size).toBe(list.length);
    // Severity from the policy's severity (high) and level: mandatory high is critical, advisory low is info.
    expect(
      list.find((issue) => issue.check_name === "kms-key-rotation-enabled" && !/ is exempt /.test(issue.description))!
        .severity,
    ).toBe("critical");
    expect(
      list.find(
        (issue) =>
          issue.check_name === "redshift-cluster-rotation-on-key-change" && !/ is exempt /.test(issue.description),
      )!.severity,
    ).toBe("info");
  });

  it("keeps each finding's fingerprint when the program's lines move", () => {
    expect(movedRun.code).toBe(1);
    const moved = JSON.parse(read("moved.json")) as GitlabIssue[];
    const before = new Map(issues().map((issue) => [issue.fingerprint, issue]));
    expect(moved.map((issue) => issue.fingerprint).sort()).toEqual([...before.keys()].sort());
    for (const issue of moved) {
      expect(issue.location.lines.begin).toBe(before.get(issue.fingerprint)!.location.lines.begin + MOVED_BY);
      expect(issue.check_name).toBe(before.get(issue.fingerprint)!.check_name);
    }
  });
});

describe("sarif", () => {
  it("is valid SARIF 2.1.0 with partialFingerprints on every result and each rule's help and remediation", () => {
    const sarif = JSON.parse(read("report.sarif"));
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    const [sarifRun] = sarif.runs;
    for (const result of sarifRun.results)
      expect(result.partialFingerprints["keyguardFinding/v1"]).toMatch(/^[0-9a-f]{32}$/);
    const fingerprints = sarifRun.results.map(
      (result: { partialFingerprints: Record<string, string> }) => result.partialFingerprints["keyguardFinding/v1"],
    );
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
    // The same finding has the same fingerprint in every format.
    const gitlab = new Set(JSON.parse(read("gl-code-quality.json")).map((issue: GitlabIssue) => issue.fingerprint));
    for (const fingerprint of fingerprints) expect(gitlab.has(fingerprint)).toBe(true);
    const report = jsonReport();
    for (const rule of sarifRun.tool.driver.rules.filter(
      (candidate: { id: string }) => candidate.id !== "keyguard-live-drift",
    )) {
      const policy = report.policies.find((candidate) => candidate.name === rule.id)!;
      expect(rule.help.text).toContain(policy.description);
      expect(rule.help.text).toContain(`Remediation: ${policy.remediationSteps}`);
      expect(rule.help.markdown).toContain(policy.remediationSteps);
    }
  });

  it("reports exempted resources as suppressed results whose justification is the exemption's reason", () => {
    const [sarifRun] = JSON.parse(read("report.sarif")).runs;
    const suppressed = sarifRun.results.filter((result: { suppressions?: unknown[] }) => result.suppressions);
    expect(
      suppressed.map(
        (result: {
          ruleId: string;
          suppressions: { justification: string }[];
          locations: { logicalLocations: { fullyQualifiedName: string }[] }[];
        }) => [
          result.ruleId,
          result.locations[0].logicalLocations[0].fullyQualifiedName,
          result.suppressions[0].justification,
        ],
      ),
    ).toEqual([
      ["kms-key-rotation-enabled", ARCHIVE_KEY, EXEMPTION_REASONS[0]],
      ["redshift-cluster-rotation-on-key-change", LEGACY_CLUSTER, EXEMPTION_REASONS[1]],
    ]);
  });
});

describe("junit", () => {
  it("skips exempt and not-applicable cases with their reasons, stack policies included", () => {
    const junit = parseJunit(read("report.xml"));
    const caseOf = (suite: string, urn: string) =>
      junit.suites.find((candidate) => candidate.name === suite)!.testcase.find((testCase) => testCase.name === urn)!;
    expect(caseOf("kms-key-rotation-enabled", ARCHIVE_KEY).skipped?.message).toBe(
      `exempt (policy config entry "archive-key"): ${EXEMPTION_REASONS[0]}`,
    );
    expect(caseOf("redshift-cluster-rotation-on-key-change", LEGACY_CLUSTER).skipped?.message).toBe(
      `exempt (policy config entry "legacy-*"): ${EXEMPTION_REASONS[1]}`,
    );
    // A stack policy's resources of other types are skipped, with the types it judges.
    expect(caseOf("redshift-cluster-key-rotated", WAREHOUSE_KEY).skipped?.message).toMatch(
      /^not applicable: only Redshift clusters .*are checked, this is a aws:kms\/key:Key$/,
    );
    // A resource policy's own reason.
    expect(caseOf("kms-key-rotation-enabled", LEGACY_CLUSTER).skipped?.message).toMatch(
      /^not applicable: only KMS keys are checked/,
    );
    expect(caseOf("kms-key-rotation-enabled", WAREHOUSE_KEY).failure?.type).toBe("mandatory");
    for (const suite of junit.suites)
      expect(suite.skipped).toBe(suite.testcase.filter((testCase) => testCase.skipped).length);
  });
});

describe("exemptions", () => {
  it("are in all six formats with the policy, the resource and the reason", () => {
    const report = jsonReport();
    expect(
      report.exemptions.map((entry) => [
        entry.policyName,
        entry.urn,
        entry.exemption?.reason,
        entry.exemption?.resource,
      ]),
    ).toEqual([
      ["kms-key-rotation-enabled", ARCHIVE_KEY, EXEMPTION_REASONS[0], "archive-key"],
      ["redshift-cluster-rotation-on-key-change", LEGACY_CLUSTER, EXEMPTION_REASONS[1], "legacy-*"],
    ]);
    // No stack-policy exemption is reported against an empty URN any more.
    expect(
      [...report.exemptions, ...report.notApplicable].filter((entry) => entry.urn === "" && entry.exemption),
    ).toEqual([]);
    const outputs = {
      text: run.stdout,
      json: read("report.json"),
      sarif: read("report.sarif"),
      junit: read("report.xml"),
      markdown: read("summary.md"),
      gitlab: read("gl-code-quality.json"),
    };
    for (const [format, output] of Object.entries(outputs)) {
      for (const [policy, resource, reason] of [
        ["kms-key-rotation-enabled", "archive-key", EXEMPTION_REASONS[0]],
        ["redshift-cluster-rotation-on-key-change", "legacy-reporting", EXEMPTION_REASONS[1]],
      ]) {
        // The policy and the resource are named with the reason, in the same entry: a line (Markdown
        // row, GitLab description), the resource's paragraph (text), the document (JSON, SARIF, JUnit).
        const entry =
          {
            text: output.split("\n\n").find((paragraph) => paragraph.includes(reason)),
            markdown: output.split("\n").find((line) => line.includes(reason)),
            gitlab: output.split("\n").find((line) => line.includes(reason)),
          }[format as "text"] ?? (output.includes(reason) ? output : undefined);
        expect(entry, `${format}: ${reason}`).toBeDefined();
        expect(entry, `${format}: ${policy}`).toContain(policy);
        expect(entry, `${format}: ${resource}`).toContain(resource);
      }
    }
  });
});

describe("text", () => {
  it("lists resources in file and line order, each URN once, and one set of counts that add up", () => {
    const text = renderText(jsonReport(), { color: false });
    const headings = [...text.matchAll(/^\S.*\((\S+)\) {2}(\S+):(\d+)$/gm)].map((match) => Number(match[3]));
    expect(headings.length).toBeGreaterThanOrEqual(4);
    expect(headings).toEqual([...headings].sort((a, b) => a - b));
    // (The warehouse key's URN also appears in the cluster's finding, which names the key it is encrypted with.)
    for (const urn of [urnOf("aws:redshift/cluster:Cluster", "warehouse"), ARCHIVE_KEY, LEGACY_CLUSTER])
      expect(text.split(urn).length - 1, urn).toBe(1);
    const summary =
      /(\d+) resources, (\d+) policies, (\d+) findings: (\d+) mandatory, (\d+) advisory \((\d+) of them unknown in preview\), (\d+) exempted/.exec(
        text,
      )!;
    const [, resources, , findings, mandatory, advisory, , exempted] = summary.map(Number);
    expect(mandatory + advisory).toBe(findings);
    expect(resources).toBe(jsonReport().resources.length);
    expect(exempted).toBe(2);
    expect(run.stderr).toContain(`registered ${resources} resources`);
    expect(run.stderr).toContain(`analyzed ${resources}/${resources}`);
  });
});
