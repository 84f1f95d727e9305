/**
 * Feeds resource records to a policy pack through its Analyzer interface, in the engine's order:
 * Configure, ConfigureStack, Analyze for each resource (its inputs), then AnalyzeStack (all
 * resources' outputs with parents and dependencies). The verdicts are the pack's; the gate adds
 * only where each resource was declared.
 */
import type { AnalyzerHost, AnalyzerInfo, PolicyDiagnostic, PolicyPackConfig, PolicyNotApplicable } from "./analyzerHost";
import type { ResourceRecord, SourceLocation, StackIdentity } from "./resourceRecord";

export interface Finding {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  enforcementLevel: PolicyDiagnostic["enforcementLevel"];
  severity: PolicyDiagnostic["severity"];
  /** The resource the finding is about; empty for a finding about the stack as a whole. */
  urn: string;
  resourceType: string;
  resourceName: string;
  message: string;
  description: string;
  /** "resource" from Analyze, "stack" from AnalyzeStack. */
  phase: "resource" | "stack";
  /** True when the policy could not decide because a value is unknown during preview. */
  undecidedUnknown: boolean;
  sourceLocation?: SourceLocation;
}

export interface Evaluation {
  mode: "check" | "audit";
  stack: StackIdentity;
  pack: { name: string; version: string; dir: string };
  policies: AnalyzerInfo["policies"];
  /** Resolved enforcement level of each policy after the policy config. */
  enforcementLevels: Record<string, string>;
  resources: ResourceRecord[];
  findings: Finding[];
  /** policyName -> URNs of resources the policy said it does not apply to. */
  notApplicable: Record<string, string[]>;
}

/**
 * How @pulumi/policy words a policy that read an unknown value (its UnknownValueError) and how the
 * pack words a value it could not check; such findings decide `--strict-unknowns`.
 */
const UNDECIDED_UNKNOWN_PATTERN = /can't be known during preview|cannot be known during preview|unknown during preview|could not be (known|checked)/i;

export function isUndecidedUnknown(message: string): boolean {
  return UNDECIDED_UNKNOWN_PATTERN.test(message);
}

/** Runs `tasks` with at most `limit` in flight (the pack serves requests concurrently). */
async function inBatches<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await task(item);
    }
  });
  await Promise.all(workers);
}

export interface EvaluateOptions {
  mode: Evaluation["mode"];
  stack: StackIdentity;
  packDir: string;
  policyConfig: PolicyPackConfig;
  onProgress?: (done: number, total: number) => void;
}

export async function evaluate(host: AnalyzerHost, resources: ResourceRecord[], options: EvaluateOptions): Promise<Evaluation> {
  const info = await host.getAnalyzerInfo();
  const resolved = await host.configure(options.policyConfig);
  try {
    await host.configureStack({ stack: options.stack.stack, project: options.stack.project, dryRun: options.mode === "check" });
  } catch {
    // Packs built on an older @pulumi/policy do not serve ConfigureStack; the engine goes on without it too.
  }
  const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
  const findings: Finding[] = [];
  const notApplicable: Record<string, string[]> = {};
  const addNotApplicable = (entries: PolicyNotApplicable[], urn: string) => {
    for (const entry of entries) (notApplicable[entry.policyName] ??= []).push(urn);
  };
  const toFinding = (diagnostic: PolicyDiagnostic, phase: Finding["phase"], fallbackUrn: string): Finding => {
    const urn = diagnostic.urn || fallbackUrn;
    const resource = byUrn.get(urn);
    // @pulumi/policy sends "<policy description>\n<violation message>": the description is the
    // rule's (kept apart), the message is what this resource did wrong.
    const prefix = `${diagnostic.description}\n`;
    const message = diagnostic.description && diagnostic.message.startsWith(prefix) ? diagnostic.message.slice(prefix.length) : diagnostic.message;
    return {
      policyName: diagnostic.policyName,
      policyPackName: diagnostic.policyPackName,
      policyPackVersion: diagnostic.policyPackVersion,
      enforcementLevel: diagnostic.enforcementLevel,
      severity: diagnostic.severity,
      urn,
      resourceType: resource?.type ?? "",
      resourceName: resource?.name ?? "",
      message,
      description: diagnostic.description,
      phase,
      undecidedUnknown: isUndecidedUnknown(diagnostic.message),
      sourceLocation: resource?.sourceLocation,
    };
  };

  let done = 0;
  const total = resources.length + 1;
  await inBatches(resources, 16, async (resource) => {
    const result = await host.analyze({
      urn: resource.urn,
      type: resource.type,
      name: resource.name,
      properties: resource.inputs,
      options: { protect: resource.protect, parent: resource.parent },
    });
    for (const diagnostic of result.diagnostics) findings.push(toFinding(diagnostic, "resource", resource.urn));
    addNotApplicable(result.notApplicable, resource.urn);
    options.onProgress?.(++done, total);
  });
  const stackResult = await host.analyzeStack(
    resources.map((resource) => ({
      urn: resource.urn,
      type: resource.type,
      name: resource.name,
      properties: resource.outputs,
      options: { protect: resource.protect },
      parent: resource.parent,
      dependencies: resource.dependencies,
      propertyDependencies: resource.propertyDependencies,
    })),
  );
  for (const diagnostic of stackResult.diagnostics) findings.push(toFinding(diagnostic, "stack", ""));
  addNotApplicable(stackResult.notApplicable, "");
  options.onProgress?.(++done, total);

  // Analyze calls finish in any order: sort so reports are stable from run to run.
  const order = new Map(resources.map((resource, index) => [resource.urn, index]));
  findings.sort(
    (a, b) =>
      (order.get(a.urn) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.urn) ?? Number.MAX_SAFE_INTEGER) ||
      a.policyName.localeCompare(b.policyName) ||
      a.message.localeCompare(b.message),
  );
  return {
    mode: options.mode,
    stack: options.stack,
    pack: { name: info.name, version: info.version, dir: options.packDir },
    policies: info.policies,
    enforcementLevels: Object.fromEntries(Object.entries(resolved).map(([name, config]) => [name, config.enforcementLevel])),
    resources,
    findings,
    notApplicable,
  };
}
