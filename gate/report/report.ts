/**
 * The report every output format is rendered from: the evaluation's findings, live drift, a
 * summary and the exit code, with every secret already masked. Formats never see raw values.
 */
import { createHash } from "crypto";
import * as path from "path";
import type { Evaluation, Finding } from "../evaluate";
import { isReportedResource, type ResourceRecord } from "../resourceRecord";
import { SecretRedactor } from "./redact";
import type { SecretMasker } from "../secretMasker";

export const TOOL_NAME = "keyguard";
/** The rule id under which live drift (audit --live) is reported. */
export const LIVE_DRIFT_RULE = "keyguard-live-drift";
/** The rule id under which what the gate could not see (and preview would have judged) is reported. */
export const NOT_ANALYZED_RULE = "keyguard-not-analyzed";

export interface ReportLocation {
  /** Path relative to the report's base directory, with forward slashes. */
  file: string;
  line: number;
  column?: number;
}

export interface ReportViolation {
  policyName: string;
  enforcementLevel: string;
  urn: string;
  resourceType: string;
  resourceName: string;
  message: string;
  /** The message's parts, as the gate decoded them (gate/evaluate.ts): found, required, fix. */
  found: string;
  required?: string;
  fix?: string;
  /** A further fix that works only before an update (check), such as the "remediate" level; audits leave it out. */
  fixBeforeUpdate?: string;
  severity: string;
  phase: Finding["phase"];
  verdict: Finding["verdict"];
  /** The policy could not decide because a value is unknown during preview. */
  undecidedUnknown: boolean;
  /**
   * Stable across runs and line moves: a hash of the policy, the resource URN and the finding's
   * ordinal among that policy's findings on that resource, never of the line or the message.
   */
  fingerprint: string;
  location?: ReportLocation;
}

/** A policy that did not judge a resource, with the reason; `exemption` when the policy config exempted it. */
export interface ReportNotApplicable {
  policyName: string;
  /** Empty when a stack policy as a whole did not apply to the stack. */
  urn: string;
  resourceType: string;
  resourceName: string;
  reason: string;
  exemption?: { resource: string; reason: string };
  location?: ReportLocation;
}

export type DriftKind =
  | "rotation-disabled"
  | "rotation-period-changed"
  | "cluster-not-encrypted"
  | "cluster-key-changed"
  | "not-found"
  | "lookup-failed";

export interface DriftEntry {
  urn: string;
  resourceType: string;
  resourceName: string;
  kind: DriftKind;
  message: string;
  recorded?: string;
  actual?: string;
}

/**
 * Something `pulumi preview --policy-pack` would have judged and the offline gate could not see:
 * - `remote-component`: a multi-language component, whose children its plugin creates;
 * - `secure-config`: a `secure:` config value, which cannot be decrypted offline, so every check
 *   on its value (the component's, the pack's) was deferred as for a value unknown in preview;
 * - `stack-reference`: a referenced stack whose outputs were not supplied (`--stack-outputs`);
 * - `offline-lookup`: a provider function (data-source lookup) the gate answered offline, which
 *   preview asks AWS: its outputs were the gate's own values or unknown.
 * Every format says it; with --strict-unknowns it fails the gate.
 */
export interface NotAnalyzed {
  kind: "remote-component" | "secure-config" | "stack-reference" | "offline-lookup";
  /** What could not be seen: the resource's URN, or the config key. */
  subject: string;
  urn?: string;
  resourceType?: string;
  resourceName?: string;
  message: string;
  location?: ReportLocation;
}

export interface ReportSummary {
  resources: number;
  policies: number;
  /** Policies the policy config disabled; when they are all of them, no policy ran. */
  disabledPolicies: number;
  violations: number;
  mandatory: number;
  advisory: number;
  /** Changes a policy at level "remediate" makes before the update (check only); not failures. */
  remediated: number;
  undecidedUnknowns: number;
  /** Things the gate could not see (see NotAnalyzed); they fail the gate under --strict-unknowns. */
  notAnalyzed: number;
  /** Policy-and-resource pairs exempted by the policy config. */
  exempted: number;
  drift: number;
  strictUnknowns: boolean;
  passed: boolean;
  exitCode: 0 | 1;
}

export interface Report {
  tool: { name: string; version: string };
  mode: Evaluation["mode"];
  project: string;
  stack: string;
  policyPack: { name: string; version: string };
  /** The directory report paths are relative to (the working directory). */
  baseDir: string;
  summary: ReportSummary;
  violations: ReportViolation[];
  drift: DriftEntry[];
  notAnalyzed: NotAnalyzed[];
  policies: {
    name: string;
    enforcementLevel: string;
    type: string;
    severity: string;
    description: string;
    remediationSteps: string;
  }[];
  /** Resources evaluated (custom resources and components; the stack itself is left out). */
  resources: { urn: string; type: string; name: string; location?: ReportLocation }[];
  /** Policy-and-resource pairs the pack did not judge because the policy does not apply, with the reason. */
  notApplicable: ReportNotApplicable[];
  /** Policy-and-resource pairs the policy config exempted: the config entry and its reason. */
  exemptions: ReportNotApplicable[];
}

export interface BuildReportOptions {
  toolVersion: string;
  strictUnknowns: boolean;
  baseDir: string;
  drift?: DriftEntry[];
  /** Locations for records with no declaring program line (audit: the export file). */
  fallbackLocation?: (resource: ResourceRecord | undefined) => ReportLocation | undefined;
  /** What the gate could not see besides the remote components it finds in the records. */
  notAnalyzed?: NotAnalyzed[];
  /** Plaintext values that must be masked besides the records' own secrets. */
  extraSecrets?: Iterable<string>;
  /**
   * The run's masker, which already knows every secret of the records and of the run (keyguard's
   * commands teach it as they go, for stderr): the report masks with it instead of collecting the
   * same values again. Without it, the records' secrets and `extraSecrets` are collected here.
   */
  secrets?: SecretMasker;
}

function relativeLocation(baseDir: string, file: string, line: number, column?: number): ReportLocation {
  const relative = path.relative(baseDir, file).split(path.sep).join("/");
  return { file: relative || path.basename(file), line, column };
}

/** A remote component's children are created by its plugin's Construct, which the offline run does not execute. */
export const REMOTE_COMPONENT_NOT_ANALYZED =
  "not analyzed: its children are created by its plugin, which keyguard check does not run (pulumi preview runs it and the pack judges what it creates); " +
  "judge it with `pulumi preview --policy-pack`, or with `keyguard audit` on the deployed stack's export";
/** Orders locations by file, line and column; a missing location sorts last. */
export function compareLocations(a: ReportLocation | undefined, b: ReportLocation | undefined): number {
  if (!a || !b) return (a ? 0 : 1) - (b ? 0 : 1);
  return a.file.localeCompare(b.file) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0);
}

/** A short, stable hash of a finding's identity (see ReportViolation.fingerprint). */
export function findingFingerprint(...identity: (string | number)[]): string {
  return createHash("sha256").update(identity.join("\u0000")).digest("hex").slice(0, 32);
}

export function buildReport(evaluation: Evaluation, options: BuildReportOptions): Report {
  const byUrn = new Map(evaluation.resources.map((resource) => [resource.urn, resource]));
  const locate = (resource: ResourceRecord | undefined): ReportLocation | undefined => {
    const source = resource?.sourceLocation;
    if (source) return relativeLocation(options.baseDir, source.file, source.line, source.column);
    return options.fallbackLocation?.(resource);
  };
  const ordinals = new Map<string, number>();
  const violations: ReportViolation[] = evaluation.findings.map((finding) => {
    const identity = `${finding.policyName}\u0000${finding.urn}\u0000${finding.phase}`;
    const ordinal = ordinals.get(identity) ?? 0;
    ordinals.set(identity, ordinal + 1);
    const { found, required, fix, fixBeforeUpdate } = finding;
    return {
      policyName: finding.policyName,
      enforcementLevel: finding.enforcementLevel,
      urn: finding.urn,
      resourceType: finding.resourceType,
      resourceName: finding.resourceName,
      message: finding.message,
      found,
      ...(required !== undefined ? { required } : {}),
      ...(fix !== undefined ? { fix } : {}),
      ...(fixBeforeUpdate !== undefined ? { fixBeforeUpdate } : {}),
      severity: finding.severity,
      phase: finding.phase,
      verdict: finding.verdict,
      undecidedUnknown: finding.undecidedUnknown,
      fingerprint: findingFingerprint(finding.policyName, finding.urn, finding.phase, ordinal),
      location: locate(byUrn.get(finding.urn)),
    };
  });
  const notJudged: ReportNotApplicable[] = evaluation.notApplicable.map((entry) => {
    const resource = byUrn.get(entry.urn);
    return {
      policyName: entry.policyName,
      urn: entry.urn,
      resourceType: resource?.type ?? "",
      resourceName: resource?.name ?? "",
      reason: entry.reason,
      ...(entry.exemption ? { exemption: entry.exemption } : {}),
      location: entry.urn ? locate(resource) : undefined,
    };
  });
  const drift = options.drift ?? [];
  const mandatory = violations.filter((violation) => violation.enforcementLevel === "mandatory").length;
  const undecidedUnknowns = violations.filter((violation) => violation.undecidedUnknown).length;
  const notAnalyzed: NotAnalyzed[] = [
    ...evaluation.resources
      .filter((resource) => resource.remote === true)
      .map((resource) => ({
        kind: "remote-component" as const,
        subject: resource.urn,
        urn: resource.urn,
        resourceType: resource.type,
        resourceName: resource.name,
        message: REMOTE_COMPONENT_NOT_ANALYZED,
        location: locate(resource),
      })),
    ...(options.notAnalyzed ?? []),
  ];
  const failed =
    mandatory > 0 || drift.length > 0 || (options.strictUnknowns && (undecidedUnknowns > 0 || notAnalyzed.length > 0));
  const reported = evaluation.resources.filter(isReportedResource);
  const report: Report = {
    tool: { name: TOOL_NAME, version: options.toolVersion },
    mode: evaluation.mode,
    project: evaluation.stack.project,
    stack: evaluation.stack.stack,
    policyPack: { name: evaluation.pack.name, version: evaluation.pack.version },
    baseDir: options.baseDir,
    summary: {
      resources: reported.length,
      policies: evaluation.policies.length,
      disabledPolicies: evaluation.policies.filter(
        (policy) => (evaluation.enforcementLevels[policy.name] ?? policy.enforcementLevel) === "disabled",
      ).length,
      violations: violations.length,
      mandatory,
      advisory: violations.filter((violation) => violation.enforcementLevel === "advisory").length,
      remediated: violations.filter((violation) => violation.enforcementLevel === "remediate").length,
      undecidedUnknowns,
      notAnalyzed: notAnalyzed.length,
      exempted: notJudged.filter((entry) => entry.exemption).length,
      drift: drift.length,
      strictUnknowns: options.strictUnknowns,
      passed: !failed,
      exitCode: failed ? 1 : 0,
    },
    violations,
    drift,
    notAnalyzed,
    policies: evaluation.policies.map((policy) => ({
      name: policy.name,
      enforcementLevel: evaluation.enforcementLevels[policy.name] ?? policy.enforcementLevel,
      type: policy.policyType,
      severity: policy.severity,
      description: policy.description,
      remediationSteps: policy.remediationSteps,
    })),
    resources: reported.map((resource) => ({
      urn: resource.urn,
      type: resource.type,
      name: resource.name,
      location: locate(resource),
    })),
    notApplicable: notJudged.filter((entry) => !entry.exemption),
    exemptions: notJudged.filter((entry) => entry.exemption),
  };
  const redactor = options.secrets
    ? new SecretRedactor(options.secrets)
    : SecretRedactor.fromRecords(evaluation.resources, options.extraSecrets);
  return redactor.redact(report);
}
