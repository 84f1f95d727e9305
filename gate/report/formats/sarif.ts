/**
 * `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it. One rule per policy (plus one
 * for live drift), each result located at the program line that declared the resource (or the
 * stack export's line for audits), with the resource URN as its logical location and the finding's
 * fingerprint (report.ts: policy, URN, ordinal; never the line) so code scanning tracks an alert
 * across runs and line moves. Exempted resources are suppressed results, the reason as justification.
 */
import { pathToFileURL } from "url";
import {
  findingFingerprint,
  LIVE_DRIFT_RULE,
  NOT_ANALYZED_RULE,
  TOOL_NAME,
  type Report,
  type ReportLocation,
} from "../report";
import { relativeUri } from "./escape";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

type SarifLevel = "error" | "warning" | "note" | "none";

function levelOf(enforcementLevel: string, undecidedUnknown: boolean, strictUnknowns: boolean): SarifLevel {
  // A mandatory finding fails the gate whatever its reason; an undecidable advisory one fails it
  // only under --strict-unknowns, and is otherwise a note.
  if (undecidedUnknown && enforcementLevel !== "mandatory") return strictUnknowns ? "error" : "note";
  switch (enforcementLevel) {
    case "mandatory":
      return "error";
    case "advisory":
    case "remediate":
      return "warning";
    case "disabled":
      return "none";
    default:
      return "warning";
  }
}

/** GitHub's security-severity (0..10) from a policy's severity, so alerts sort as in the pack. */
const SECURITY_SEVERITY: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

function physicalLocation(location: ReportLocation) {
  return {
    physicalLocation: {
      artifactLocation: { uri: relativeUri(location.file), uriBaseId: "%SRCROOT%" },
      region: {
        startLine: Math.max(1, location.line),
        ...(location.column ? { startColumn: Math.max(1, location.column) } : {}),
      },
    },
  };
}

export function renderSarif(report: Report): string {
  const ruleIds = report.policies.map((policy) => policy.name);
  if (report.drift.length > 0 || report.mode === "audit") ruleIds.push(LIVE_DRIFT_RULE);
  const rules = report.policies.map((policy) => {
    const severity = policy.severity;
    return {
      id: policy.name,
      name: policy.name,
      shortDescription: { text: policy.description || policy.name },
      fullDescription: { text: policy.description || policy.name },
      help: {
        text:
          `${policy.description}${policy.remediationSteps ? `\nRemediation: ${policy.remediationSteps}` : ""}`.trim() ||
          policy.name,
        markdown:
          `${policy.description}${policy.remediationSteps ? `\n\n**Remediation:** ${policy.remediationSteps}` : ""}`.trim() ||
          policy.name,
      },
      defaultConfiguration: {
        level: levelOf(policy.enforcementLevel, false, false),
        enabled: policy.enforcementLevel !== "disabled",
      },
      properties: {
        tags: ["security", "pulumi", `${policy.type}-policy`],
        enforcementLevel: policy.enforcementLevel,
        ...(severity && SECURITY_SEVERITY[severity] ? { "security-severity": SECURITY_SEVERITY[severity] } : {}),
      },
    };
  });
  if (ruleIds.includes(LIVE_DRIFT_RULE)) {
    rules.push({
      id: LIVE_DRIFT_RULE,
      name: LIVE_DRIFT_RULE,
      shortDescription: { text: "The deployed key or cluster differs from the stack's state" },
      fullDescription: {
        text: "keyguard audit --live asked AWS: rotation turned off or its period changed outside Pulumi, or the cluster is no longer encrypted with the recorded key.",
      },
      help: {
        text: "Run `pulumi refresh` to see the change, then restore the setting with `pulumi up` (or record the intended value in the program).",
        markdown:
          "Run `pulumi refresh` to see the change, then restore the setting with `pulumi up` (or record the intended value in the program).",
      },
      defaultConfiguration: { level: "error", enabled: true },
      properties: { tags: ["security", "pulumi", "drift"], enforcementLevel: "mandatory" },
    });
  }
  if (report.notAnalyzed.length > 0) {
    ruleIds.push(NOT_ANALYZED_RULE);
    rules.push({
      id: NOT_ANALYZED_RULE,
      name: NOT_ANALYZED_RULE,
      shortDescription: { text: "Not analyzed offline: pulumi preview would judge it, keyguard could not see it" },
      fullDescription: {
        text: "A multi-language component whose children its plugin creates, a secure config value that cannot be decrypted offline, or a referenced stack whose outputs were not supplied: the gate could not judge what pulumi preview --policy-pack would.",
      },
      help: {
        text: "Judge it with `pulumi preview --policy-pack`, or with `keyguard audit` on the deployed stack; --strict-unknowns fails the gate on it.",
        markdown:
          "Judge it with `pulumi preview --policy-pack`, or with `keyguard audit` on the deployed stack; `--strict-unknowns` fails the gate on it.",
      },
      defaultConfiguration: { level: report.summary.strictUnknowns ? "error" : "note", enabled: true },
      properties: {
        tags: ["security", "pulumi", "not-analyzed"],
        enforcementLevel: report.summary.strictUnknowns ? "mandatory" : "advisory",
      },
    });
  }
  const fallback: ReportLocation = { file: "Pulumi.yaml", line: 1 };
  const results = [
    ...report.violations.map((violation) => ({
      ruleId: violation.policyName,
      ruleIndex: Math.max(0, ruleIds.indexOf(violation.policyName)),
      level: levelOf(violation.enforcementLevel, violation.undecidedUnknown, report.summary.strictUnknowns),
      message: {
        text: violation.urn
          ? `${violation.message} (resource ${violation.resourceName || violation.urn}, ${violation.resourceType})`
          : violation.message,
      },
      locations: [
        {
          ...physicalLocation(violation.location ?? fallback),
          ...(violation.urn
            ? {
                logicalLocations: [
                  { fullyQualifiedName: violation.urn, name: violation.resourceName, kind: "resource" },
                ],
              }
            : {}),
        },
      ],
      partialFingerprints: { "keyguardFinding/v1": violation.fingerprint },
      properties: {
        enforcementLevel: violation.enforcementLevel,
        resourceType: violation.resourceType,
        verdict: violation.verdict,
        undecidedUnknown: violation.undecidedUnknown,
      },
    })),
    // Exempted resources: suppressed results, with the policy config entry's reason as justification.
    ...report.exemptions.map((entry) => ({
      ruleId: entry.policyName,
      ruleIndex: Math.max(0, ruleIds.indexOf(entry.policyName)),
      kind: "notApplicable" as const,
      level: "none" as SarifLevel,
      message: {
        text: `exempt from ${entry.policyName} by the policy config entry ${JSON.stringify(entry.exemption!.resource)}: ${entry.exemption!.reason} (resource ${entry.resourceName || entry.urn}, ${entry.resourceType})`,
      },
      locations: [
        {
          ...physicalLocation(entry.location ?? fallback),
          ...(entry.urn
            ? { logicalLocations: [{ fullyQualifiedName: entry.urn, name: entry.resourceName, kind: "resource" }] }
            : {}),
        },
      ],
      suppressions: [
        { kind: "external" as const, status: "accepted" as const, justification: entry.exemption!.reason },
      ],
      partialFingerprints: { "keyguardFinding/v1": findingFingerprint(entry.policyName, entry.urn, "exempt") },
      properties: { resourceType: entry.resourceType, exemptedBy: entry.exemption!.resource },
    })),
    ...report.drift.map((entry) => {
      const resource = report.resources.find((candidate) => candidate.urn === entry.urn);
      return {
        ruleId: LIVE_DRIFT_RULE,
        ruleIndex: ruleIds.indexOf(LIVE_DRIFT_RULE),
        level: "error" as SarifLevel,
        message: { text: `${entry.message} (resource ${entry.resourceName}, ${entry.resourceType})` },
        locations: [
          {
            ...physicalLocation(resource?.location ?? fallback),
            logicalLocations: [{ fullyQualifiedName: entry.urn, name: entry.resourceName, kind: "resource" }],
          },
        ],
        partialFingerprints: { "keyguardFinding/v1": findingFingerprint(LIVE_DRIFT_RULE, entry.urn, entry.kind) },
        properties: { driftKind: entry.kind, resourceType: entry.resourceType },
      };
    }),
    ...report.notAnalyzed.map((entry) => ({
      ruleId: NOT_ANALYZED_RULE,
      ruleIndex: ruleIds.indexOf(NOT_ANALYZED_RULE),
      level: (report.summary.strictUnknowns ? "error" : "note") as SarifLevel,
      message: {
        text: entry.urn
          ? `${entry.message} (resource ${entry.resourceName}, ${entry.resourceType})`
          : `${entry.subject}: ${entry.message}`,
      },
      locations: [
        {
          ...physicalLocation(entry.location ?? fallback),
          ...(entry.urn
            ? { logicalLocations: [{ fullyQualifiedName: entry.urn, name: entry.resourceName, kind: "resource" }] }
            : {}),
        },
      ],
      partialFingerprints: { "keyguardFinding/v1": findingFingerprint(NOT_ANALYZED_RULE, entry.subject, entry.kind) },
      properties: { notAnalyzedKind: entry.kind, ...(entry.resourceType ? { resourceType: entry.resourceType } : {}) },
    })),
  ];
  const sarif = {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules,
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileURL(report.baseDir + "/").toString() } },
        automationDetails: { id: `keyguard/${report.mode}/${report.project}/${report.stack}/` },
        results,
        properties: { policyPack: report.policyPack, summary: report.summary },
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}
