/**
 * `--report gitlab=FILE`: a GitLab Code Quality report (`artifacts:reports:codequality`), a JSON
 * array of `{ description, check_name, fingerprint, severity, location: { path, lines: { begin } } }`.
 * The fingerprint is the finding's (policy, resource URN, ordinal; never the line), so GitLab keeps
 * tracking the same finding across runs and line moves. Severity (info|minor|major|critical|blocker)
 * comes from the policy's severity and whether its finding fails the gate. Exempted resources appear
 * as `info` entries whose description carries the exemption's reason: Code Quality has no notion of a
 * suppressed finding, and an auditor reading the merge request must still see who exempted what.
 */
import { findingFingerprint, LIVE_DRIFT_RULE, NOT_ANALYZED_RULE, type Report, type ReportLocation } from "../report";

export type GitlabSeverity = "info" | "minor" | "major" | "critical" | "blocker";

export interface GitlabIssue {
  type: "issue";
  description: string;
  check_name: string;
  fingerprint: string;
  severity: GitlabSeverity;
  categories: string[];
  location: { path: string; lines: { begin: number } };
}

/** A failing finding (mandatory, drift, or an unknown under --strict-unknowns), by the policy's severity. */
const FAILING: Record<string, GitlabSeverity> = {
  critical: "blocker",
  high: "critical",
  medium: "major",
  low: "minor",
  unspecified: "major",
};
/** A finding that does not fail the gate (advisory, remediated, an unknown without --strict-unknowns). */
const NOT_FAILING: Record<string, GitlabSeverity> = {
  critical: "major",
  high: "minor",
  medium: "minor",
  low: "info",
  unspecified: "minor",
};

export function gitlabSeverity(severity: string, failing: boolean): GitlabSeverity {
  return (failing ? FAILING : NOT_FAILING)[severity] ?? (failing ? "major" : "minor");
}

function location(report: Report, at: ReportLocation | undefined): GitlabIssue["location"] {
  const where = at ?? { file: "Pulumi.yaml", line: 1 };
  return { path: where.file, lines: { begin: Math.max(1, where.line) } };
}

function subject(entry: { urn: string; resourceName: string; resourceType: string }, report: Report): string {
  return entry.urn ? `${entry.resourceType} "${entry.resourceName}"` : `stack ${report.project}/${report.stack}`;
}

export function renderGitlab(report: Report): string {
  const strict = report.summary.strictUnknowns;
  const issues: GitlabIssue[] = [
    ...report.violations.map((violation) => {
      const failing = violation.enforcementLevel === "mandatory" || (strict && violation.undecidedUnknown);
      return {
        type: "issue" as const,
        description: `${violation.policyName} (${violation.enforcementLevel}${violation.undecidedUnknown ? ", unknown in preview" : ""}): ${violation.message}`,
        check_name: violation.policyName,
        fingerprint: violation.fingerprint,
        severity: gitlabSeverity(violation.severity, failing),
        categories: ["Security"],
        location: location(report, violation.location),
      };
    }),
    ...report.drift.map((entry) => ({
      type: "issue" as const,
      description: `${LIVE_DRIFT_RULE} (${entry.kind}): ${entry.message}`,
      check_name: LIVE_DRIFT_RULE,
      fingerprint: findingFingerprint(LIVE_DRIFT_RULE, entry.urn, entry.kind),
      severity: "critical" as const,
      categories: ["Security"],
      location: location(report, report.resources.find((resource) => resource.urn === entry.urn)?.location),
    })),
    ...report.notAnalyzed.map((entry) => ({
      type: "issue" as const,
      description: `${NOT_ANALYZED_RULE} (${entry.kind}): ${entry.subject}: ${entry.message}`,
      check_name: NOT_ANALYZED_RULE,
      fingerprint: findingFingerprint(NOT_ANALYZED_RULE, entry.subject, entry.kind),
      severity: strict ? ("major" as const) : ("info" as const),
      categories: ["Security"],
      location: location(report, entry.location),
    })),
    ...report.exemptions.map((entry) => ({
      type: "issue" as const,
      description: `${entry.policyName}: ${subject(entry, report)} is exempt (policy config entry ${JSON.stringify(entry.exemption!.resource)}): ${entry.exemption!.reason}`,
      check_name: entry.policyName,
      fingerprint: findingFingerprint(entry.policyName, entry.urn, "exempt"),
      severity: "info" as const,
      categories: ["Security"],
      location: location(report, entry.location),
    })),
  ];
  return JSON.stringify(issues, null, 2) + "\n";
}
