/**
 * `--format text`: findings grouped by resource, a summary line last. Colour only when asked
 * (the CLI asks when the output is a terminal and NO_COLOR is unset).
 */
import type { Report, ReportViolation, DriftEntry, NotAnalyzed } from "../report";

const ANSI = { red: "\u001b[31m", yellow: "\u001b[33m", green: "\u001b[32m", dim: "\u001b[2m", bold: "\u001b[1m", reset: "\u001b[0m" };

export function renderText(report: Report, options: { color: boolean }): string {
  const paint = (colour: keyof typeof ANSI, text: string) => (options.color ? `${ANSI[colour]}${text}${ANSI.reset}` : text);
  const levelLabel = (violation: ReportViolation) => {
    if (violation.enforcementLevel === "mandatory") return paint("red", "mandatory");
    if (violation.undecidedUnknown) return paint(report.summary.strictUnknowns ? "red" : "dim", "unknown  ");
    return paint("yellow", violation.enforcementLevel.padEnd(9));
  };
  const lines: string[] = [];
  lines.push(paint("bold", `keyguard ${report.mode}: ${report.project}/${report.stack} with policy pack ${report.policyPack.name}@${report.policyPack.version}`));
  const groups = new Map<string, { violations: ReportViolation[]; drift: DriftEntry[]; notAnalyzed: NotAnalyzed[] }>();
  const groupOf = (urn: string) => {
    const group = groups.get(urn) ?? { violations: [], drift: [], notAnalyzed: [] };
    groups.set(urn, group);
    return group;
  };
  for (const violation of report.violations) groupOf(violation.urn).violations.push(violation);
  for (const entry of report.drift) groupOf(entry.urn).drift.push(entry);
  for (const entry of report.notAnalyzed) if (entry.urn) groupOf(entry.urn).notAnalyzed.push(entry);
  const notAnalyzedLabel = paint(report.summary.strictUnknowns ? "red" : "dim", "not seen ");
  for (const [urn, group] of groups) {
    const first = group.violations[0];
    const resource = report.resources.find((candidate) => candidate.urn === urn);
    const location = first?.location ?? resource?.location ?? group.notAnalyzed[0]?.location;
    const heading = urn
      ? `${resource?.name ?? first?.resourceName ?? group.drift[0]?.resourceName ?? group.notAnalyzed[0]?.resourceName} (${resource?.type ?? first?.resourceType ?? group.drift[0]?.resourceType ?? group.notAnalyzed[0]?.resourceType})`
      : `stack ${report.project}/${report.stack}`;
    lines.push("");
    lines.push(`${paint("bold", heading)}${location ? paint("dim", `  ${location.file}:${location.line}`) : ""}`);
    if (urn) lines.push(paint("dim", `  ${urn}`));
    for (const violation of group.violations) lines.push(`  ${levelLabel(violation)}  ${violation.policyName}: ${violation.message}`);
    for (const entry of group.drift) lines.push(`  ${paint("red", "drift    ")}  ${entry.kind}: ${entry.message}`);
    for (const entry of group.notAnalyzed) lines.push(`  ${notAnalyzedLabel}  ${entry.kind}: ${entry.message}`);
  }
  // What names no resource (a config key, a referenced stack) gets a heading of its own.
  for (const entry of report.notAnalyzed.filter((candidate) => !candidate.urn)) {
    lines.push("");
    lines.push(`${paint("bold", entry.subject)}${entry.location ? paint("dim", `  ${entry.location.file}:${entry.location.line}`) : ""}`);
    lines.push(`  ${notAnalyzedLabel}  ${entry.kind}: ${entry.message}`);
  }
  const summary = report.summary;
  lines.push("");
  const counts =
    `${summary.resources} resources, ${summary.policies} policies: ${summary.mandatory} mandatory, ${summary.advisory} advisory` +
    `${summary.remediated ? `, ${summary.remediated} remediated` : ""}` +
    `${summary.undecidedUnknowns ? `, ${summary.undecidedUnknowns} not decidable in preview` : ""}` +
    `${summary.notAnalyzed ? `, ${summary.notAnalyzed} not seen offline` : ""}${report.mode === "audit" ? `, ${summary.drift} drift` : ""}`;
  lines.push(summary.passed ? paint("green", `PASSED  ${counts}`) : paint("red", `FAILED  ${counts}`));
  return lines.join("\n") + "\n";
}
