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

export interface EvaluateOptions {
  mode: Evaluation["mode"];
  stack: StackIdentity;
  packDir: string;
  policyConfig: PolicyPackConfig;
  /** Analyze calls done so far, and the total once it is known (at the end). */
  onProgress?: (done: number, total: number | undefined) => void;
}

/** At most this many Analyze calls in flight: the pack serves them one at a time anyway. */
const ANALYZE_CONCURRENCY = 16;

/**
 * One evaluation, in the engine's order: `start` (Configure, ConfigureStack), `analyze` for each
 * resource as it becomes known (even while the program still runs), then `finish` (AnalyzeStack
 * over all resources once their outputs are complete).
 */
export class Evaluator {
  private readonly findings: Finding[] = [];
  private readonly notApplicable: Record<string, string[]> = {};
  private readonly analyzed: Promise<void>[] = [];
  private readonly waiting: (() => void)[] = [];
  private inFlight = 0;
  private done = 0;
  private info: AnalyzerInfo | undefined;
  private resolved: Record<string, { enforcementLevel: string }> = {};
  private byUrn = new Map<string, ResourceRecord>();

  constructor(
    private readonly host: AnalyzerHost,
    private readonly options: EvaluateOptions,
  ) {}

  async start(): Promise<void> {
    this.info = await this.host.getAnalyzerInfo();
    this.resolved = await this.host.configure(this.options.policyConfig);
    try {
      await this.host.configureStack({ stack: this.options.stack.stack, project: this.options.stack.project, dryRun: this.options.mode === "check" });
    } catch {
      // Packs built on an older @pulumi/policy do not serve ConfigureStack; the engine goes on without it too.
    }
  }

  /** Queues `Analyze` of one resource's inputs; its findings are kept for `finish`. */
  analyze(resource: ResourceRecord): void {
    this.byUrn.set(resource.urn, resource);
    const analysis = this.slot().then(async () => {
      try {
        const result = await this.host.analyze({
          urn: resource.urn,
          type: resource.type,
          name: resource.name,
          properties: resource.inputs,
          options: { protect: resource.protect, parent: resource.parent },
        });
        for (const diagnostic of result.diagnostics) this.findings.push(this.toFinding(diagnostic, "resource", resource.urn));
        this.addNotApplicable(result.notApplicable, resource.urn);
      } finally {
        this.release();
      }
      this.options.onProgress?.(++this.done, undefined);
    });
    // Failures surface in finish(); never as an unhandled rejection meanwhile.
    analysis.catch(() => undefined);
    this.analyzed.push(analysis);
  }

  /** Waits for every Analyze, runs AnalyzeStack over `resources`' outputs, and returns the verdicts. */
  async finish(resources: ResourceRecord[]): Promise<Evaluation> {
    for (const resource of resources) this.byUrn.set(resource.urn, resource);
    await Promise.all(this.analyzed);
    const stackResult = await this.host.analyzeStack(
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
    for (const diagnostic of stackResult.diagnostics) this.findings.push(this.toFinding(diagnostic, "stack", ""));
    this.addNotApplicable(stackResult.notApplicable, "");
    this.options.onProgress?.(++this.done, this.done);

    // Analyze calls finish in any order: sort so reports are stable from run to run.
    const order = new Map(resources.map((resource, index) => [resource.urn, index]));
    this.findings.sort(
      (a, b) =>
        (order.get(a.urn) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.urn) ?? Number.MAX_SAFE_INTEGER) ||
        a.policyName.localeCompare(b.policyName) ||
        a.message.localeCompare(b.message),
    );
    const info = this.info!;
    return {
      mode: this.options.mode,
      stack: this.options.stack,
      pack: { name: info.name, version: info.version, dir: this.options.packDir },
      policies: info.policies,
      enforcementLevels: Object.fromEntries(Object.entries(this.resolved).map(([name, config]) => [name, config.enforcementLevel])),
      resources,
      findings: this.findings,
      notApplicable: this.notApplicable,
    };
  }

  private slot(): Promise<void> {
    if (this.inFlight < ANALYZE_CONCURRENCY) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  private addNotApplicable(entries: PolicyNotApplicable[], urn: string): void {
    for (const entry of entries) (this.notApplicable[entry.policyName] ??= []).push(urn);
  }

  private toFinding(diagnostic: PolicyDiagnostic, phase: Finding["phase"], fallbackUrn: string): Finding {
    const urn = diagnostic.urn || fallbackUrn;
    const resource = this.byUrn.get(urn);
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
  }
}

/** Evaluates a complete set of records (audit, tests): every Analyze, then AnalyzeStack. */
export async function evaluate(host: AnalyzerHost, resources: ResourceRecord[], options: EvaluateOptions): Promise<Evaluation> {
  const evaluator = new Evaluator(host, options);
  await evaluator.start();
  for (const resource of resources) evaluator.analyze(resource);
  return evaluator.finish(resources);
}
