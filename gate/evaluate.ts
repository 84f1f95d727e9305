/**
 * Feeds resource records to a policy pack through its Analyzer interface, in the engine's order:
 * Configure, ConfigureStack, Analyze for each resource (its inputs), then AnalyzeStack (all
 * resources' outputs with parents and dependencies). The verdicts are the pack's; the gate adds
 * only where each resource was declared.
 *
 * Remediation: when a policy runs at level "remediate", the engine calls `Remediate` on each
 * resource's inputs first and then analyzes (and deploys) the remediated inputs, so a preview with
 * `"kms-key-rotation-enabled": "remediate"` passes an unrotated key and plans the fix. `check`
 * does the same (and reports each change at level "remediate", which does not fail the gate);
 * `audit` judges deployed state, which no remediation has touched yet, so it does not remediate.
 */
import {
  isWireSecret,
  type AnalyzerHost,
  type AnalyzerInfo,
  type PolicyDiagnostic,
  type PolicyPackConfig,
  type PolicyNotApplicable,
} from "../engine";
import { isReportedResource, type ResourceRecord, type SourceLocation, type StackIdentity } from "./resourceRecord";
import { describeValue } from "../messages/describe";
import type { KeyguardStackPolicy } from "../policy/define";
import { KEYGUARD_PACK_NAME, keyguardPolicies } from "../policy/policies";
import { decodeNotApplicable, decodeViolation, stepsOnDeployedState, type ViolationKind } from "../policy/verdictCodec";

/** What a finding says, decoded once from the pack's message: reports use these fields, never the text's form. */
export interface FindingParts {
  /** What the pack said: a violation, or a value it could not know during preview. */
  verdict: ViolationKind;
  /** The message as a person reads it (without the kind marker). */
  message: string;
  found: string;
  required?: string;
  fix?: string;
  /** A further fix that works only before an update (check), such as the "remediate" level; audits leave it out. */
  fixBeforeUpdate?: string;
}

export interface Finding extends FindingParts {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  enforcementLevel: PolicyDiagnostic["enforcementLevel"];
  severity: PolicyDiagnostic["severity"];
  /** The resource the finding is about; empty for a finding about the stack as a whole. */
  urn: string;
  resourceType: string;
  resourceName: string;
  description: string;
  /** "resource" from Analyze, "stack" from AnalyzeStack. */
  phase: "resource" | "stack";
  /** True when the policy could not decide because a value is unknown during preview. */
  undecidedUnknown: boolean;
  sourceLocation?: SourceLocation;
}

/** A policy that did not judge a resource: it does not apply, or the policy config exempts it. */
export interface NotApplicableEntry {
  policyName: string;
  /** The resource; empty when a stack policy as a whole did not apply to the stack. */
  urn: string;
  phase: "resource" | "stack";
  reason: string;
  /** Set when the policy config exempted the resource: the config entry's resource pattern and reason. */
  exemption?: { resource: string; reason: string };
}

export interface Evaluation {
  mode: "check" | "audit";
  stack: StackIdentity;
  pack: { name: string; version: string; dir: string };
  /** The pack's policies; in an audit, their remediation steps as deployed state takes them. */
  policies: AnalyzerInfo["policies"];
  /** Resolved enforcement level of each policy after the policy config. */
  enforcementLevels: Record<string, string>;
  resources: ResourceRecord[];
  findings: Finding[];
  /** Every policy-and-resource pair the pack did not judge, with the reason. */
  notApplicable: NotApplicableEntry[];
}

/**
 * A diagnostic's message, decoded (the gate's one place for it) in the one form
 * policy/verdictCodec.ts defines, which the pack encodes with, plus @pulumi/policy's own "can't run
 * policy ... during preview" for a policy that read an unknown value. Nothing else in the wording
 * counts. Where no remediation applies (deployed state in an audit, a plan Terraform applies) a fix
 * that only works before an update (the "remediate" level) does not fit, so it is left out.
 */
export function decodeFinding(message: string, { remediationApplies }: { remediationApplies: boolean }): FindingParts {
  const decoded = decodeViolation(message);
  return {
    verdict: decoded.kind,
    message: remediationApplies ? decoded.text : decoded.textOnDeployedState,
    found: decoded.found,
    ...(decoded.required !== undefined ? { required: decoded.required } : {}),
    ...(decoded.fix !== undefined ? { fix: decoded.fix } : {}),
    ...(decoded.fixBeforeUpdate !== undefined && remediationApplies
      ? { fixBeforeUpdate: decoded.fixBeforeUpdate }
      : {}),
  };
}

/** The verdict kind of a diagnostic's message (see decodeFinding). */
export function findingKind(message: string): ViolationKind {
  return decodeFinding(message, { remediationApplies: true }).verdict;
}

export interface EvaluateOptions {
  mode: Evaluation["mode"];
  stack: StackIdentity;
  packDir: string;
  policyConfig: PolicyPackConfig;
  /** Analyze calls done so far, and the total once it is known (at the end). */
  onProgress?: (done: number, total: number | undefined) => void;
  /**
   * Whether the pack's remediations reach what is deployed: in a Pulumi preview (check) they do; a
   * Terraform plan is applied by Terraform, which never runs them, so there is nothing to remediate
   * and no "remediate" fix to offer. Default: mode "check".
   */
  remediationApplies?: boolean;
}

/** At most this many Analyze calls in flight: the pack serves them one at a time anyway. */
const ANALYZE_CONCURRENCY = 16;

/**
 * One evaluation, in the engine's order: `start` (Configure, ConfigureStack), `analyze` for each
 * resource as it becomes known (even while the program still runs), then `finish` (AnalyzeStack
 * over all resources once their outputs are complete).
 *
 * The program and the pack start together (each takes about a second, mostly module loading), so
 * resources may be registered before the pack is ready: `analyze` holds those until `start` has
 * configured the pack, then sends them in the order they came.
 */
export class Evaluator {
  private readonly findings: Finding[] = [];
  private readonly notApplicable: NotApplicableEntry[] = [];
  private readonly analyzed: Promise<void>[] = [];
  /** Analyses waiting for a slot, first come first served; `waitingHead` is the next one (an index, not shift(), which copies the whole list each time: quadratic over an audit's 200,000 resources). */
  private waiting: (() => void)[] = [];
  private waitingHead = 0;
  private inFlight = 0;
  private done = 0;
  private info: AnalyzerInfo | undefined;
  private resolved: Record<string, { enforcementLevel: string; properties?: Record<string, unknown> }> = {};
  private byUrn = new Map<string, ResourceRecord>();
  private remediating = false;
  /** URN -> the properties remediation changed, which the stack's outputs carry too (as in a preview). */
  private readonly remediatedProperties = new Map<string, Record<string, unknown>>();
  /** The pack, once `start` was given it; resources analyzed before then wait in `registeredEarly`. */
  private host: AnalyzerHost | undefined;
  private readonly registeredEarly: ResourceRecord[] = [];

  constructor(private readonly options: EvaluateOptions) {}

  /** Configures the pack as the engine does, then analyzes the resources that came before it was ready. */
  async start(host: AnalyzerHost): Promise<void> {
    await this.configure(host);
    this.host = host;
    for (const resource of this.registeredEarly.splice(0)) this.analyze(resource);
  }

  private remediationApplies(): boolean {
    return this.options.remediationApplies ?? this.options.mode === "check";
  }

  private async configure(host: AnalyzerHost): Promise<void> {
    this.info = await host.getAnalyzerInfo();
    this.resolved = await host.configure(this.options.policyConfig);
    this.remediating =
      this.remediationApplies() &&
      Object.values(this.resolved).some((config) => config.enforcementLevel === "remediate");
    try {
      await host.configureStack({
        stack: this.options.stack.stack,
        project: this.options.stack.project,
        dryRun: this.options.mode === "check",
      });
    } catch {
      // Packs built on an older @pulumi/policy do not serve ConfigureStack; the engine goes on without it too.
    }
  }

  /** Queues `Analyze` of one resource's inputs; its findings are kept for `finish`. */
  analyze(resource: ResourceRecord): void {
    if (this.host === undefined) {
      this.registeredEarly.push(resource);
      return;
    }
    const host = this.host;
    this.byUrn.set(resource.urn, resource);
    const analysis = this.slot().then(async () => {
      try {
        const inputs = this.remediating ? await this.remediate(host, resource) : resource.inputs;
        const result = await host.analyze({
          urn: resource.urn,
          type: resource.type,
          name: resource.name,
          properties: inputs,
          options: { protect: resource.protect, parent: resource.parent },
        });
        for (const diagnostic of result.diagnostics)
          this.findings.push(this.toFinding(diagnostic, "resource", resource.urn));
        this.addNotApplicable(result.notApplicable, resource.urn, "resource");
      } finally {
        this.release();
      }
      // Counted as the report counts resources: the stack itself is not one of them.
      if (isReportedResource(resource)) this.options.onProgress?.(++this.done, undefined);
    });
    // Failures surface in finish(); never as an unhandled rejection meanwhile.
    analysis.catch(() => undefined);
    this.analyzed.push(analysis);
  }

  /** Waits for every Analyze, runs AnalyzeStack over `resources`' outputs, and returns the verdicts. */
  async finish(resources: ResourceRecord[]): Promise<Evaluation> {
    const host = this.host;
    if (host === undefined) throw new Error("Evaluator.finish() before start(): the pack was never configured");
    for (const resource of resources) this.byUrn.set(resource.urn, resource);
    await Promise.all(this.analyzed);
    const stackResult = await host.analyzeStack(
      resources.map((resource) => ({
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        properties: { ...resource.outputs, ...this.remediatedProperties.get(resource.urn) },
        options: { protect: resource.protect },
        parent: resource.parent,
        dependencies: resource.dependencies,
        propertyDependencies: resource.propertyDependencies,
      })),
    );
    for (const diagnostic of stackResult.diagnostics) this.findings.push(this.toFinding(diagnostic, "stack", ""));
    this.addNotApplicable(stackResult.notApplicable, "", "stack");
    this.addStackPolicySubjects(resources, stackResult.diagnostics);
    this.options.onProgress?.(this.done, this.done);

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
      // A step that works only before an update (the "remediate" level) fits neither an audit of deployed
      // state nor a Terraform plan.
      policies: !this.remediationApplies()
        ? info.policies.map((policy) => ({
            ...policy,
            remediationSteps: stepsOnDeployedState(policy.remediationSteps),
          }))
        : info.policies,
      enforcementLevels: Object.fromEntries(
        Object.entries(this.resolved).map(([name, config]) => [name, config.enforcementLevel]),
      ),
      resources,
      findings: this.findings,
      notApplicable: this.notApplicable,
    };
  }

  /** Runs the pack's remediations on a resource's inputs, as the engine does before Analyze; returns the remediated inputs. */
  private async remediate(host: AnalyzerHost, resource: ResourceRecord): Promise<Record<string, unknown>> {
    const result = await host.remediate({
      urn: resource.urn,
      type: resource.type,
      name: resource.name,
      properties: resource.inputs,
      options: { protect: resource.protect, parent: resource.parent },
    });
    let inputs = resource.inputs;
    const changed: Record<string, unknown> = {};
    for (const remediation of result.remediations) {
      const diagnostic = {
        ...remediation,
        enforcementLevel: "remediate" as const,
        urn: resource.urn,
        severity: this.severityOf(remediation.policyName),
      };
      if (remediation.properties) {
        const names = changedPropertyNames(inputs, remediation.properties);
        for (const name of names) changed[name] = remediation.properties[name];
        if (names.length > 0) {
          const changes = names
            .map(
              (name) =>
                `${name} to ${isWireSecret(remediation.properties?.[name]) ? "a secret value" : describeValue(remediation.properties?.[name])}`,
            )
            .join(", ");
          const message = `remediated: at level "remediate" the pack sets ${changes} before the update, as pulumi preview and pulumi up do; set it in the program to keep the program and the stack alike.`;
          this.findings.push(this.toFinding({ ...diagnostic, message }, "resource", resource.urn));
        }
        inputs = remediation.properties;
      }
      if (remediation.diagnostic)
        this.findings.push(
          this.toFinding({ ...diagnostic, message: remediation.diagnostic }, "resource", resource.urn),
        );
    }
    if (Object.keys(changed).length > 0) this.remediatedProperties.set(resource.urn, changed);
    return inputs;
  }

  private severityOf(policyName: string): PolicyDiagnostic["severity"] {
    return this.info?.policies.find((policy) => policy.name === policyName)?.severity ?? "unspecified";
  }

  private slot(): Promise<void> {
    if (this.inFlight < ANALYZE_CONCURRENCY) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    if (this.waitingHead < this.waiting.length) {
      const next = this.waiting[this.waitingHead++];
      // Drop the ones already started now and then, so the list does not hold every resource's closure.
      if (this.waitingHead >= 1024 && this.waitingHead * 2 >= this.waiting.length) {
        this.waiting = this.waiting.slice(this.waitingHead);
        this.waitingHead = 0;
      }
      next();
    } else this.inFlight--;
  }

  /** Decodes the pack's not-applicable reasons (exemptions among them) in the one form verdictCodec defines. */
  private addNotApplicable(entries: PolicyNotApplicable[], urn: string, phase: NotApplicableEntry["phase"]): void {
    for (const entry of entries) {
      const decoded = decodeNotApplicable(entry.reason);
      this.notApplicable.push({
        policyName: entry.policyName,
        urn,
        phase,
        reason: decoded.reason,
        ...(decoded.kind === "exempt" ? { exemption: { resource: decoded.resource, reason: decoded.reason } } : {}),
      });
    }
  }

  /**
   * A stack policy answers for the stack as a whole: @pulumi/policy has no per-resource
   * "not applicable" for it. For keyguard's own pack, the resources each stack policy does not judge
   * are known from the policy's own object (policy/define.ts): the types it judges (`appliesTo`) and
   * its exemption matcher (`exemptionOf`) on the config the pack was given. A resource the pack
   * reported a finding on is never listed here.
   */
  private addStackPolicySubjects(resources: ResourceRecord[], diagnostics: PolicyDiagnostic[]): void {
    if (this.info?.name !== KEYGUARD_PACK_NAME) return;
    for (const served of this.info.policies) {
      const policy = keyguardPolicies.find(
        (candidate): candidate is KeyguardStackPolicy => candidate.name === served.name && "appliesTo" in candidate,
      );
      const config = this.resolved[served.name];
      if (served.policyType !== "stack" || !policy || !config || config.enforcementLevel === "disabled") continue;
      const wholeStack = this.notApplicable.find(
        (entry) => entry.policyName === served.name && entry.phase === "stack" && entry.urn === "",
      );
      const reported = new Set(
        diagnostics.filter((diagnostic) => diagnostic.policyName === served.name).map((diagnostic) => diagnostic.urn),
      );
      for (const resource of resources) {
        if (!isReportedResource(resource) || reported.has(resource.urn)) continue;
        const base = { policyName: served.name, urn: resource.urn, phase: "stack" as const };
        if (!policy.appliesTo.types.has(resource.type)) {
          this.notApplicable.push({
            ...base,
            reason: `only ${policy.appliesTo.described} are checked, this is a ${resource.type}`,
          });
          continue;
        }
        const exemption = policy.exemptionOf(resource, config.properties);
        if (exemption)
          this.notApplicable.push({
            ...base,
            reason: exemption.reason,
            exemption: { resource: exemption.resource, reason: exemption.reason },
          });
        else if (wholeStack) this.notApplicable.push({ ...base, reason: wholeStack.reason });
      }
    }
  }

  private toFinding(diagnostic: PolicyDiagnostic, phase: Finding["phase"], fallbackUrn: string): Finding {
    const urn = diagnostic.urn || fallbackUrn;
    const resource = this.byUrn.get(urn);
    // @pulumi/policy sends "<policy description>\n<violation message>": the description is the
    // rule's (kept apart), the message is what this resource did wrong.
    const prefix = `${diagnostic.description}\n`;
    const parts = decodeFinding(
      diagnostic.description && diagnostic.message.startsWith(prefix)
        ? diagnostic.message.slice(prefix.length)
        : diagnostic.message,
      { remediationApplies: this.remediationApplies() },
    );
    return {
      ...parts,
      policyName: diagnostic.policyName,
      policyPackName: diagnostic.policyPackName,
      policyPackVersion: diagnostic.policyPackVersion,
      enforcementLevel: diagnostic.enforcementLevel,
      severity: diagnostic.severity,
      urn,
      resourceType: resource?.type ?? "",
      resourceName: resource?.name ?? "",
      description: diagnostic.description,
      phase,
      undecidedUnknown: parts.verdict === "unknown-in-preview",
      sourceLocation: resource?.sourceLocation,
    };
  }
}

/** JSON with object keys sorted: a bag that went through protobuf may come back in another key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) =>
    member !== null && typeof member === "object" && !Array.isArray(member)
      ? Object.fromEntries(
          Object.entries(member as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : member,
  );
}

/** Names of the properties whose (wire-form) values differ between two bags, removed ones included. */
export function changedPropertyNames(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => canonicalJson(before[name]) !== canonicalJson(after[name]));
}

/** Evaluates a complete set of records (audit, tests): every Analyze, then AnalyzeStack. */
export async function evaluate(
  host: AnalyzerHost,
  resources: ResourceRecord[],
  options: EvaluateOptions,
): Promise<Evaluation> {
  const evaluator = new Evaluator(options);
  await evaluator.start(host);
  for (const resource of resources) evaluator.analyze(resource);
  return evaluator.finish(resources);
}
