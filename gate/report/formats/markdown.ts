/**
 * `--report markdown=FILE`: a GitHub-flavoured summary for a pull request, written for
 * `$GITHUB_STEP_SUMMARY` (1 MiB per step) or a PR comment (65,536 characters). The verdict in one
 * line, the counts, the mandatory findings (policy, resource, `file:line` as a relative link, what
 * was found, what is required, the fix), then advisories, values unknown in preview, exemptions
 * with their reasons and what was not analyzed offline in collapsed sections (open when they fail). It never exceeds
 * MARKDOWN_LIMIT characters: rows that do not fit are left out with a visible note (the other
 * reports keep the full list).
 */
import type { Report, ReportLocation, ReportNotApplicable, ReportViolation } from "../report";
import { markdownCode, markdownText, relativeUri } from "./escape";

/** GitHub's limit on a pull-request comment, the smaller of the two places this is shown. */
export const MARKDOWN_LIMIT = 65_536;
/** The longest a single table cell may be, so one huge message cannot crowd out every other row. */
const CELL_LIMIT = 1_500;

/** Text for a table cell: data only (escape.ts: no HTML, link or line break out of the cell), bounded length. */
export function cell(text: string): string {
  return markdownText(text.length > CELL_LIMIT ? `${text.slice(0, CELL_LIMIT - 1)}…` : text);
}

const code = markdownCode;

function link(location: ReportLocation | undefined): string {
  if (!location) return "";
  const target = relativeUri(location.file);
  return `[${cell(location.file)}:${location.line}](${target}#L${location.line})`;
}

function resourceCell(entry: { urn: string; resourceName: string; resourceType: string }, stack: string): string {
  if (!entry.urn) return `stack ${code(stack)}`;
  return `${code(entry.resourceName || entry.urn)} (${code(entry.resourceType)})`;
}

interface Section {
  title: string;
  /** Collapsed in a <details> block. */
  collapsed: boolean;
  header: string[];
  rows: string[];
}

function table(header: string[], rows: string[]): string[] {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows];
}

function withoutUrn(text: string, urn: string): string {
  return urn ? text.split(` (${urn})`).join("") : text;
}

/** What was found, without the resource's label the Resource column already shows. */
function foundText(violation: ReportViolation): string {
  const label = `${violation.resourceType} "${violation.resourceName}"`;
  const found = withoutUrn(violation.found, violation.urn);
  if (!violation.urn || !found.startsWith(label)) return found;
  return found.slice(label.length).replace(/^(: |, | )/, "");
}

function findingRow(violation: ReportViolation, stack: string): string {
  const found = `${violation.undecidedUnknown ? "**unknown in preview:** " : ""}${cell(foundText(violation))}`;
  return `| ${code(violation.policyName)} | ${resourceCell(violation, stack)} | ${link(violation.location)} | ${found} | ${cell(violation.required ?? "")} | ${cell([violation.fix, violation.fixBeforeUpdate && `Or, before an update: ${violation.fixBeforeUpdate}`].filter(Boolean).join(" "))} |`;
}

function exemptionRow(entry: ReportNotApplicable, stack: string): string {
  return `| ${code(entry.policyName)} | ${resourceCell(entry, stack)} | ${link(entry.location)} | ${cell(entry.exemption!.reason)} | ${code(entry.exemption!.resource)} |`;
}

export function renderMarkdown(report: Report, limit = MARKDOWN_LIMIT): string {
  const summary = report.summary;
  const stack = `${report.project}/${report.stack}`;
  const strict = summary.strictUnknowns;
  const mandatory = report.violations.filter((violation) => violation.enforcementLevel === "mandatory");
  const unknowns = report.violations.filter(
    (violation) => violation.enforcementLevel !== "mandatory" && violation.undecidedUnknown,
  );
  const advisories = report.violations.filter(
    (violation) => violation.enforcementLevel !== "mandatory" && !violation.undecidedUnknown,
  );
  const findingHeader = ["Policy", "Resource", "Location", "Found", "Required", "Fix"];

  const failing: string[] = [];
  if (summary.mandatory) failing.push(`${summary.mandatory} mandatory finding${summary.mandatory === 1 ? "" : "s"}`);
  if (strict && unknowns.length)
    failing.push(`${unknowns.length} value${unknowns.length === 1 ? "" : "s"} unknown in preview (--strict-unknowns)`);
  if (summary.drift) failing.push(`${summary.drift} live drift`);
  if (strict && summary.notAnalyzed) failing.push(`${summary.notAnalyzed} not analyzed offline (--strict-unknowns)`);
  // A run whose policies are all disabled judged nothing: it must not read as a pass.
  const noneRan = summary.policies > 0 && summary.disabledPolicies === summary.policies;
  const verdict = !summary.passed
    ? `## ❌ keyguard ${report.mode} failed: ${code(stack)}, ${failing.join(", ")}`
    : noneRan
      ? `## ⚠️ keyguard ${report.mode} checked nothing: ${code(stack)}, all ${summary.policies} policies are disabled by the policy config`
      : `## ✅ keyguard ${report.mode} passed: ${code(stack)}, no mandatory finding`;
  const policies = noneRan
    ? `0 of ${summary.policies} (all disabled)`
    : `${summary.policies}${summary.disabledPolicies ? ` (${summary.disabledPolicies} disabled)` : ""}`;

  // Disjoint counts that add up to the findings: mandatory (unknowns among them marked in their
  // rows), advisory, and non-mandatory values unknown in preview.
  const head = [
    verdict,
    "",
    ...table(
      [
        "Resources",
        "Policies",
        "Findings",
        "Mandatory",
        "Advisory",
        "Unknown in preview",
        "Exempted",
        "Not analyzed",
        ...(report.mode === "audit" ? ["Drift"] : []),
      ],
      [
        `| ${summary.resources} | ${policies} | ${summary.violations} | ${mandatory.length} | ${advisories.length} | ${unknowns.length} | ${summary.exempted} | ${summary.notAnalyzed} |${report.mode === "audit" ? ` ${summary.drift} |` : ""}`,
      ],
    ),
  ];

  const sections: Section[] = [
    {
      title: `Mandatory findings (${mandatory.length})`,
      collapsed: false,
      header: findingHeader,
      rows: mandatory.map((violation) => findingRow(violation, stack)),
    },
    {
      title: "Live drift",
      collapsed: false,
      header: ["Resource", "Location", "Drift", "Recorded", "Actual"],
      rows: report.drift.map((entry) => {
        const location = report.resources.find((resource) => resource.urn === entry.urn)?.location;
        return `| ${resourceCell(entry, stack)} | ${link(location)} | ${cell(withoutUrn(entry.message, entry.urn))} | ${cell(entry.recorded ?? "")} | ${cell(entry.actual ?? "")} |`;
      }),
    },
    {
      title: `Unknown in preview (${unknowns.length})${strict ? ", failing with --strict-unknowns" : ""}`,
      collapsed: !strict,
      header: findingHeader,
      rows: unknowns.map((violation) => findingRow(violation, stack)),
    },
    {
      title: `Advisory findings (${advisories.length})`,
      collapsed: true,
      header: findingHeader,
      rows: advisories.map((violation) => findingRow(violation, stack)),
    },
    {
      title: `Exemptions (${report.exemptions.length})`,
      collapsed: true,
      header: ["Policy", "Resource", "Location", "Reason", "Policy config entry"],
      rows: report.exemptions.map((entry) => exemptionRow(entry, stack)),
    },
    {
      title: `Not analyzed offline (${report.notAnalyzed.length})${strict ? ", failing with --strict-unknowns" : ""}`,
      collapsed: !strict,
      header: ["What", "Location", "Kind", "Why"],
      rows: report.notAnalyzed.map(
        (entry) =>
          `| ${entry.urn ? resourceCell({ urn: entry.urn, resourceName: entry.resourceName ?? "", resourceType: entry.resourceType ?? "" }, stack) : code(entry.subject)} | ${link(entry.location)} | ${code(entry.kind)} | ${cell(entry.message)} |`,
      ),
    },
  ].filter((section) => section.rows.length > 0);

  const footer = [
    `<sub>keyguard ${report.tool.version} · policy pack ${cell(`${report.policyPack.name}@${report.policyPack.version}`)} · ${report.mode}</sub>`,
  ];
  return fit(head, sections, footer, limit);
}

/**
 * Lays the sections out in order, adding rows while the whole document (with every open section
 * closed, the truncation note and the footer) stays within `limit`.
 */
function fit(head: string[], sections: Section[], footer: string[], limit: number): string {
  const noteFor = (left: number) =>
    `> [!NOTE]\n> ${left} more row${left === 1 ? "" : "s"} did not fit in this summary's ${limit.toLocaleString("en-US")} characters; the JSON, SARIF, JUnit and GitLab reports list every one.`;
  const reserve = noteFor(999_999).length + footer.join("\n").length + 64;
  const out: string[] = [...head];
  let size = out.join("\n").length;
  let left = 0;
  const push = (line: string): boolean => {
    if (size + line.length + 1 + reserve > limit) return false;
    out.push(line);
    size += line.length + 1;
    return true;
  };
  for (const section of sections) {
    const open = section.collapsed
      ? ["", `<details><summary>${section.title}</summary>`, ""]
      : ["", `### ${section.title}`, ""];
    const close = section.collapsed ? ["", "</details>"] : [];
    const [header, ruler] = table(section.header, []);
    const opening = [...open, header, ruler];
    const closingSize = close.join("\n").length + 1;
    if (size + opening.join("\n").length + 1 + closingSize + reserve > limit || !section.rows.length) {
      left += section.rows.length;
      continue;
    }
    for (const line of opening) push(line);
    let shown = 0;
    for (const row of section.rows) {
      if (size + row.length + 1 + closingSize + reserve > limit) break;
      push(row);
      shown++;
    }
    left += section.rows.length - shown;
    for (const line of close) out.push(line);
    size += closingSize;
  }
  if (left > 0) out.push("", noteFor(left));
  out.push("", ...footer);
  return out.join("\n") + "\n";
}
