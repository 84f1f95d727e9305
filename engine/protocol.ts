/**
 * The `pulumirpc.Analyzer` protocol as plain TypeScript: the requests and responses the engine and
 * a policy pack exchange, in the shape the gate, the tests and the bench use them. The generated
 * protobuf classes stay inside `marshal.ts`.
 */

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export type PolicySeverity = "unspecified" | "low" | "medium" | "high" | "critical";

/** Resource options the engine sends with each resource (all optional here). */
export interface AnalyzerResourceOptions {
  protect?: boolean;
  ignoreChanges?: string[];
  deleteBeforeReplace?: boolean;
  additionalSecretOutputs?: string[];
  aliases?: string[];
  customTimeouts?: { createSeconds?: number; updateSeconds?: number; deleteSeconds?: number };
  /** The parent's URN, as in `opts.parent`. */
  parent?: string;
}

/** The provider resource of a resource, as the engine describes it. */
export interface AnalyzerProvider {
  urn: string;
  type: string;
  name: string;
  properties?: Record<string, unknown>;
}

/** One resource as `Analyze` / `Remediate` receive it (the resource's inputs). */
export interface AnalyzerResource {
  urn: string;
  type: string;
  name: string;
  /** Plain JS values; unknowns as `UNKNOWN.*` sentinels, secrets as `secret(value)`. */
  properties?: Record<string, unknown>;
  options?: AnalyzerResourceOptions;
  provider?: AnalyzerProvider;
}

/** One resource as `AnalyzeStack` receives it (the resource's outputs and its links). */
export interface AnalyzerStackResource extends AnalyzerResource {
  /** The parent's URN. */
  parent?: string;
  /** URNs this resource depends on. */
  dependencies?: string[];
  /** For each property, the URNs of the resources its value came from. */
  propertyDependencies?: Record<string, string[]>;
}

/** One violation (or advisory note) reported by a policy. */
export interface PolicyDiagnostic {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  message: string;
  enforcementLevel: EnforcementLevel;
  /** The resource the diagnostic is about; empty when the pack did not name one. */
  urn: string;
  severity: PolicySeverity;
}

export interface PolicyNotApplicable {
  policyName: string;
  reason: string;
}

export interface AnalyzeResult {
  diagnostics: PolicyDiagnostic[];
  notApplicable: PolicyNotApplicable[];
}

export interface RemediationResult {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  /** The remediated properties (secrets in wire form), when the policy changed the resource. */
  properties?: Record<string, unknown>;
  /** Why the remediation could not run (e.g. an unknown value during preview). */
  diagnostic?: string;
}

export interface RemediateResult {
  remediations: RemediationResult[];
  notApplicable: PolicyNotApplicable[];
}

export interface PolicyInfo {
  name: string;
  displayName: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  policyType: "resource" | "stack" | "unknown";
  severity: PolicySeverity;
  /** The policy's config JSON schema (`properties` and `required`), when it takes config. */
  configSchema?: { properties: Record<string, unknown>; required: string[] };
  remediationSteps: string;
  url: string;
  tags: string[];
}

export interface AnalyzerInfo {
  name: string;
  displayName: string;
  version: string;
  supportsConfig: boolean;
  description: string;
  policies: PolicyInfo[];
  initialConfig: Record<string, { enforcementLevel?: EnforcementLevel; properties?: Record<string, unknown> }>;
}

/** What `ConfigureStack` tells the pack about the stack (policies may read `stackTags`). */
export interface StackConfiguration {
  stack: string;
  project: string;
  organization?: string;
  dryRun?: boolean;
  tags?: Record<string, string>;
}

/** Every enforcement level a policy can be configured with. */
export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
