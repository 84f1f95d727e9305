/**
 * `--format text`: findings grouped by resource, the resources in file and line order, each
 * resource's URN once (on its heading, so the messages leave it out), exemptions with their reasons,
 * what the gate could not see, and one summary line whose counts add up. Colour only when asked (the CLI asks when the output is
 * a terminal and NO_COLOR is unset). Strings from the program, the export or the pack are shown, never executed:
 * control characters as escapes, and no line starts a CI runner's workflow command (escape.ts).
 */
import {
  compareLocations,
  type DriftEntry,
  type NotAnalyzed,
  type Report,
  type ReportLocation,
  type ReportNotApplicable,
  type ReportViolation,
} from "../report";
import { mapStrings, terminalText, withoutWorkflowCommand } from "./escape";

const ANSI = {
  red: "\u001b[31m",
  yellow: "\u001b[33m",
  green: "\u001b[32m",
  dim: "\u001b[2m",
  bold: "\u001b[1m",
  reset: "\u001b[0m",
};

interface Group {
  urn: string;
  name: string;
  type: string;
  location?: ReportLocation;
  violations: ReportViolation[];
  drift: DriftEntry[];
  exemptions: ReportNotApplicable[];
  notAnalyzed: NotAnalyzed[];
}

/** The message without the " (<urn>)" the pack puts after the resource's name: the heading shows it. */
function withoutUrn(message: string, urn: string): string {
  return urn ? message.split(` (${urn})`).join("") : message;
}

export function renderText(data: Report, options: { color: boolean }): string {
  // Every string of the report is data: controls shown, not executed (escape.ts).
  const report = mapStrings(data, terminalText);
  const paint = (colour: keyof typeof ANSI, text: string) =>
    options.color ? `${ANSI[colour]}${text}${ANSI.reset}` : text;
  const levelLabel = (violation: ReportViolation) => {
    if (violation.enforcementLevel === "mandatory") return paint("red", "mandatory");
    if (violation.undecidedUnknown) return paint(report.summary.strictUnknowns ? "red" : "dim", "unknown  ");
    return paint("yellow", violation.enforcementLevel.padEnd(9));
  };
  const lines: string[] = [];
  lines.push(
    paint(
      "bold",
      `keyguard ${report.mode}: ${report.project}/${report.stack} with policy pack ${report.policyPack.name}@${report.policyPack.version}`,
    ),
  );
  const groups = new Map<string, Group>();
  const groupOf = (urn: string, name: string, type: string, location: ReportLocation | undefined): Group => {
    let group = groups.get(urn);
    if (!group) {
      const resource = report.resources.find((candidate) => candidate.urn === urn);
      group = {
        urn,
        name: resource?.name ?? name,
        type: resource?.type ?? type,
        location: resource?.location ?? location,
        violations: [],
        drift: [],
        exemptions: [],
        notAnalyzed: [],
      };
      groups.set(urn, group);
    }
    return group;
  };
  for (const violation of report.violations)
    groupOf(violation.urn, violation.resourceName, violation.resourceType, violation.location).violations.push(
      violation,
    );
  for (const entry of report.drift)
    groupOf(entry.urn, entry.resourceName, entry.resourceType, undefined).drift.push(entry);
  for (const entry of report.exemptions)
    groupOf(entry.urn, entry.resourceName, entry.resourceType, entry.location).exemptions.push(entry);
  for (const entry of report.notAnalyzed) {
    if (entry.urn)
      groupOf(entry.urn, entry.resourceName ?? "", entry.resourceType ?? "", entry.location).notAnalyzed.push(entry);
  }
  const notAnalyzedLabel = paint(report.summary.strictUnknowns ? "red" : "dim", "not seen ");
  // Resources in file and line order; findings about the stack as a whole last.
  const ordered = [...groups.values()].sort(
    (a, b) =>
      (a.urn === "" ? 1 : 0) - (b.urn === "" ? 1 : 0) ||
      compareLocations(a.location, b.location) ||
      a.urn.localeCompare(b.urn),
  );
  for (const group of ordered) {
    const heading = group.urn ? `${group.name} (${group.type})` : `stack ${report.project}/${report.stack}`;
    lines.push("");
    lines.push(
      `${paint("bold", heading)}${group.location ? paint("dim", `  ${group.location.file}:${group.location.line}`) : ""}`,
    );
    if (group.urn) lines.push(paint("dim", `  ${group.urn}`));
    for (const violation of group.violations)
      lines.push(`  ${levelLabel(violation)}  ${violation.policyName}: ${withoutUrn(violation.message, group.urn)}`);
    for (const entry of group.drift)
      lines.push(`  ${paint("red", "drift    ")}  ${entry.kind}: ${withoutUrn(entry.message, group.urn)}`);
    for (const entry of group.exemptions) {
      lines.push(
        `  ${paint("dim", "exempt   ")}  ${entry.policyName}: ${entry.exemption!.reason} ${paint("dim", `(policy config entry ${JSON.stringify(entry.exemption!.resource)})`)}`,
      );
    }
    for (const entry of group.notAnalyzed) lines.push(`  ${notAnalyzedLabel}  ${entry.kind}: ${entry.message}`);
  }
  // What names no resource (a config key, a referenced stack) gets a heading of its own.
  for (const entry of report.notAnalyzed.filter((candidate) => !candidate.urn)) {
    lines.push("");
    lines.push(
      `${paint("bold", entry.subject)}${entry.location ? paint("dim", `  ${entry.location.file}:${entry.location.line}`) : ""}`,
    );
    lines.push(`  ${notAnalyzedLabel}  ${entry.kind}: ${entry.message}`);
  }
  lines.push("");
  lines.push(summaryLine(report, paint));
  return lines.map(withoutWorkflowCommand).join("\n") + "\n";
}

/**
 * "<resources> resources, <policies> policies, <findings> findings: <m> mandatory, <a> advisory[, <r> remediated]"
 * where the levels add up to the findings (how many of them are unknown in preview in brackets), then
 * exemptions, what was not seen offline, and drift.
 */
function summaryLine(report: Report, paint: (colour: keyof typeof ANSI, text: string) => string): string {
  const summary = report.summary;
  const unknown = summary.undecidedUnknowns
    ? ` (${summary.undecidedUnknowns} of them unknown in preview${summary.strictUnknowns ? ", failing: --strict-unknowns" : ""})`
    : "";
  const parts = [`${summary.mandatory} mandatory`, `${summary.advisory} advisory`];
  if (summary.remediated) parts.push(`${summary.remediated} remediated`);
  parts[parts.length - 1] += unknown;
  if (summary.exempted) parts.push(`${summary.exempted} exempted`);
  if (summary.notAnalyzed)
    parts.push(
      `${summary.notAnalyzed} not seen offline${summary.strictUnknowns ? " (failing: --strict-unknowns)" : ""}`,
    );
  if (report.mode === "audit") parts.push(`${summary.drift} drift`);
  // A run whose policies are all disabled judged nothing: it must not read as a pass of six policies.
  const noneRan = summary.policies > 0 && summary.disabledPolicies === summary.policies;
  const policies = noneRan
    ? `no policy ran (all ${summary.policies} disabled by the policy config)`
    : `${summary.policies} policies${summary.disabledPolicies ? ` (${summary.disabledPolicies} disabled)` : ""}`;
  const counts = `${summary.resources} resources, ${policies}, ${summary.violations} findings: ${parts.join(", ")}`;
  if (noneRan && summary.passed) return paint("yellow", `NOTHING CHECKED  ${counts}`);
  return summary.passed ? paint("green", `PASSED  ${counts}`) : paint("red", `FAILED  ${counts}`);
}
