/**
 * `--format junit`: one test suite per policy, one test case per policy and resource. A mandatory
 * violation (or, with --strict-unknowns, a value that could not be known) is a failure; an
 * advisory one passes with its message in system-out; a case the policy did not judge is skipped
 * with the reason: "exempt (policy config entry ...): <reason>" or "not applicable: <reason>", stack
 * policies included (report.ts has their per-resource entries). Live drift is its own suite; so is
 * what the gate could not see (skipped, or a failure under --strict-unknowns).
 */
import {
  LIVE_DRIFT_RULE,
  NOT_ANALYZED_RULE,
  TOOL_NAME,
  type Report,
  type ReportNotApplicable,
  type ReportViolation,
} from "../report";
import { xmlText } from "./escape";

interface TestCase {
  name: string;
  classname: string;
  file?: string;
  line?: number;
  failure?: { type: string; message: string };
  skipped?: string;
  systemOut?: string;
}

function renderCase(testCase: TestCase): string {
  const attributes = [`name="${xmlText(testCase.name)}"`, `classname="${xmlText(testCase.classname)}"`, `time="0"`];
  if (testCase.file) attributes.push(`file="${xmlText(testCase.file)}"`);
  if (testCase.line) attributes.push(`line="${testCase.line}"`);
  const body: string[] = [];
  if (testCase.failure)
    body.push(
      `      <failure type="${xmlText(testCase.failure.type)}" message="${xmlText(testCase.failure.message)}">${xmlText(testCase.failure.message)}</failure>`,
    );
  if (testCase.skipped !== undefined) body.push(`      <skipped message="${xmlText(testCase.skipped)}"/>`);
  if (testCase.systemOut) body.push(`      <system-out>${xmlText(testCase.systemOut)}</system-out>`);
  return body.length === 0
    ? `    <testcase ${attributes.join(" ")}/>`
    : `    <testcase ${attributes.join(" ")}>\n${body.join("\n")}\n    </testcase>`;
}

function isFailure(violation: ReportViolation, strictUnknowns: boolean): boolean {
  return violation.enforcementLevel === "mandatory" || (strictUnknowns && violation.undecidedUnknown);
}

export function renderJunit(report: Report): string {
  const suites: { name: string; cases: TestCase[] }[] = [];
  const strict = report.summary.strictUnknowns;
  // Every reported resource, plus any URN a violation names that is not among them.
  const resources = [...report.resources];
  const known = new Set(resources.map((resource) => resource.urn));
  for (const violation of report.violations) {
    if (violation.urn && !known.has(violation.urn)) {
      known.add(violation.urn);
      resources.push({ urn: violation.urn, type: violation.resourceType, name: violation.resourceName });
    }
  }
  // Indexed by policy and URN: a stack of thousands of resources makes policies x resources cases.
  const key = (policyName: string, urn: string) => `${policyName}\u0000${urn}`;
  const violationsOf = new Map<string, ReportViolation[]>();
  for (const violation of report.violations) {
    const entries = violationsOf.get(key(violation.policyName, violation.urn)) ?? [];
    entries.push(violation);
    violationsOf.set(key(violation.policyName, violation.urn), entries);
  }
  const notJudgedOf = new Map<string, ReportNotApplicable>();
  for (const entry of [...report.exemptions, ...report.notApplicable]) {
    if (!notJudgedOf.has(key(entry.policyName, entry.urn))) notJudgedOf.set(key(entry.policyName, entry.urn), entry);
  }
  for (const policy of report.policies) {
    const cases: TestCase[] = [];
    // A stack policy that did not apply to the stack at all did not judge any of its resources.
    const wholeStack = notJudgedOf.get(key(policy.name, ""));
    for (const resource of resources) {
      const violations = violationsOf.get(key(policy.name, resource.urn)) ?? [];
      const failures = violations.filter((violation) => isFailure(violation, strict));
      const notes = violations.filter((violation) => !isFailure(violation, strict));
      const testCase: TestCase = {
        name: resource.urn,
        classname: `${TOOL_NAME}.${policy.name}`,
        file: resource.location?.file,
        line: resource.location?.line,
      };
      if (failures.length > 0) {
        testCase.failure = {
          type: failures.some((violation) => violation.enforcementLevel === "mandatory")
            ? "mandatory"
            : "unknown-value",
          message: failures.map((violation) => violation.message).join("\n"),
        };
      } else if (violations.length === 0) {
        const entry = notJudgedOf.get(key(policy.name, resource.urn)) ?? wholeStack;
        if (policy.enforcementLevel === "disabled") testCase.skipped = "policy disabled by the policy config";
        else if (entry?.exemption)
          testCase.skipped = `exempt (policy config entry ${JSON.stringify(entry.exemption.resource)}): ${entry.exemption.reason}`;
        else if (entry) testCase.skipped = `not applicable: ${entry.reason}`;
      }
      if (notes.length > 0)
        testCase.systemOut = notes.map((violation) => `${violation.enforcementLevel}: ${violation.message}`).join("\n");
      cases.push(testCase);
    }
    // Stack findings that name no resource get one case of their own.
    const stackWide = report.violations.filter((violation) => violation.policyName === policy.name && !violation.urn);
    if (stackWide.length > 0) {
      const failures = stackWide.filter((violation) => isFailure(violation, strict));
      cases.push({
        name: `stack ${report.project}/${report.stack}`,
        classname: `${TOOL_NAME}.${policy.name}`,
        failure:
          failures.length > 0
            ? {
                type: failures.some((violation) => violation.enforcementLevel === "mandatory")
                  ? "mandatory"
                  : "unknown-value",
                message: failures.map((violation) => violation.message).join("\n"),
              }
            : undefined,
        systemOut:
          stackWide
            .filter((violation) => !isFailure(violation, strict))
            .map((violation) => `${violation.enforcementLevel}: ${violation.message}`)
            .join("\n") || undefined,
      });
    }
    suites.push({ name: policy.name, cases });
  }
  if (report.drift.length > 0) {
    suites.push({
      name: LIVE_DRIFT_RULE,
      cases: report.drift.map((entry) => ({
        name: entry.urn,
        classname: `${TOOL_NAME}.${LIVE_DRIFT_RULE}`,
        failure: { type: entry.kind, message: entry.message },
      })),
    });
  }
  if (report.notAnalyzed.length > 0) {
    // Not run, as a skipped test is; a failure under --strict-unknowns, which fails the gate on it.
    suites.push({
      name: NOT_ANALYZED_RULE,
      cases: report.notAnalyzed.map((entry) => ({
        name: entry.subject,
        classname: `${TOOL_NAME}.${NOT_ANALYZED_RULE}`,
        file: entry.location?.file,
        line: entry.location?.line,
        ...(strict
          ? { failure: { type: entry.kind, message: entry.message } }
          : { skipped: `${entry.kind}: ${entry.message}` }),
      })),
    });
  }
  const count = (cases: TestCase[], what: "failure" | "skipped") =>
    cases.filter((testCase) => testCase[what] !== undefined).length;
  const all = suites.flatMap((suite) => suite.cases);
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${xmlText(`${TOOL_NAME} ${report.mode} ${report.project}/${report.stack}`)}" tests="${all.length}" failures="${count(all, "failure")}" errors="0" skipped="${count(all, "skipped")}" time="0">`,
  ];
  for (const suite of suites) {
    lines.push(
      `  <testsuite name="${xmlText(suite.name)}" tests="${suite.cases.length}" failures="${count(suite.cases, "failure")}" errors="0" skipped="${count(suite.cases, "skipped")}" time="0">`,
    );
    for (const testCase of suite.cases) lines.push(renderCase(testCase));
    lines.push(`  </testsuite>`);
  }
  lines.push(`</testsuites>`);
  return lines.join("\n") + "\n";
}
