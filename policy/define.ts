/**
 * The one way to write a keyguard policy. A policy file declares its metadata, the resource types it
 * judges, its config and its rule (`evaluate`, which returns verdicts); everything around the rule is
 * done here, once: parsing and checking the config, type filtering, exemptions, reading
 * @pulumi/policy's arguments (the casts), building the stack index, and reporting the verdicts:
 * this is the one place a verdict's parts are written into the text the Analyzer protocol carries
 * (./verdictCodec), so no policy writes that form.
 * (The same split as cdk-nag's NagPack.applyRule and pulumi/compliance-policies' registerPolicy.)
 */
import type { Policy, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { findExemption, type Exemption, type ExemptionsConfig, type PolicyConfig } from "./config";
import type { PolicyResourceLike, ResourceView } from "./keyResolution";
import { StackIndex, type StackLookup } from "./stack";
import { notApplicable, rawProps, type Verdict } from "./verdict";
import { encodeExemption, encodeRemediationSteps, encodeViolation, type ViolationKind } from "./verdictCodec";

/** What every policy declares about itself (what `pulumi preview` and docs/policies.md show). */
export type PolicyMetadata = Required<
  Pick<Policy, "name" | "description" | "enforcementLevel" | "severity" | "remediationSteps">
>;

/** A policy's metadata as it declares it: `remediationSteps`, and a further step that works only before an update. */
export interface PolicyDeclaration extends PolicyMetadata {
  /** Such as the "remediate" enforcement level; a report on deployed state (`keyguard audit`) leaves it out. */
  remediationStepBeforeUpdate?: string;
}

type Reportable = Extract<Verdict, { kind: ViolationKind }>;
/**
 * A verdict as the pack reports it: a violation or an unknown also carries the message it travels
 * as (./verdictCodec), which `pulumi preview` shows and the gate decodes.
 */
export type ReportedVerdict = Exclude<Verdict, Reportable> | (Reportable & { message: string });

/** The resource types a policy judges; any other type is "not applicable: only <described> are checked". */
export interface AppliesTo {
  types: ReadonlySet<string>;
  described: string;
}

/** One resource as a resource policy's rule sees it: plain properties, secrets and unknowns readable. */
export interface ResourceInput {
  urn: string;
  type: string;
  name: string;
  props: Record<string, unknown>;
}

export interface ResourcePolicySpec<C extends ExemptionsConfig> extends PolicyDeclaration {
  appliesTo: AppliesTo;
  config: PolicyConfig<C>;
  /** The verdict on one resource of a judged type that no exemption covers. */
  evaluate(resource: ResourceInput, config: C): Verdict;
  /** At level "remediate": the properties to set on such a resource, or undefined to leave it as it is. */
  remediate?(resource: ResourceInput, config: C): Record<string, unknown> | undefined;
}

export interface StackVerdict {
  resource: ResourceView;
  verdict: ReportedVerdict;
}

export interface StackPolicySpec<C extends ExemptionsConfig> extends PolicyDeclaration {
  appliesTo: AppliesTo;
  config: PolicyConfig<C>;
  /** Why the policy is not applicable to a stack in which no resource got a verdict that applies. */
  nothingToJudge: string;
  /** One verdict per resource, in order: the stack's resources of the judged types that no exemption covers. */
  evaluate(
    resources: readonly ResourceView[],
    stack: StackLookup,
    config: C,
  ): readonly Verdict[] | Promise<readonly Verdict[]>;
}

/** A resource policy as @pulumi/policy takes it, plus its verdict for callers that judge directly. */
export interface KeyguardResourcePolicy extends ResourceValidationPolicy {
  verdict(resource: ResourceInput, rawConfig: unknown): ReportedVerdict;
}

/** A stack policy as @pulumi/policy takes it, plus its verdicts for callers that judge directly. */
export interface KeyguardStackPolicy extends StackValidationPolicy {
  /** The verdicts on a stack: its resources as @pulumi/policy hands them over, or an index of them. */
  verdicts(stack: readonly PolicyResourceLike[] | StackLookup, rawConfig: unknown): Promise<StackVerdict[]>;
  /**
   * The types this policy judges, and the exemption that keeps a resource from its rule. A stack
   * policy can only be "not applicable" as a whole through @pulumi/policy, so the gate asks these
   * (the very code the policy runs) which resources the policy did not judge, and why.
   */
  appliesTo: AppliesTo;
  exemptionOf(resource: { urn: string; name: string }, rawConfig: unknown): Exemption | undefined;
}

/** The parts of @pulumi/policy's arguments keyguard reads (kept structural: the casts happen here only). */
interface ResourceArgsLike {
  type: string;
  name: string;
  urn: string;
  props: Record<string, unknown>;
  getConfig(): unknown;
  notApplicable(reason?: string): never;
}
interface StackArgsLike {
  resources: readonly PolicyResourceLike[];
  getConfig(): unknown;
  notApplicable(reason?: string): never;
}

/**
 * The one place a verdict's parts become text: a violation or an unknown gets its message, with the
 * kind in it, in the one form ./verdictCodec defines (the gate decodes it there).
 */
function reported(verdict: Verdict): ReportedVerdict {
  if (verdict.kind !== "non-compliant" && verdict.kind !== "unknown-in-preview") return verdict;
  return { ...verdict, message: encodeViolation(verdict.kind, verdict) };
}

/** The metadata @pulumi/policy takes, from what a policy declares. */
function metadataOf(declaration: PolicyDeclaration): PolicyMetadata {
  const { remediationStepBeforeUpdate, ...metadata } = declaration;
  return {
    ...metadata,
    remediationSteps: encodeRemediationSteps(metadata.remediationSteps, remediationStepBeforeUpdate),
  };
}

/**
 * The one place a verdict reaches @pulumi/policy: non-compliant and unknown-in-preview verdicts are
 * violations at the policy's level (against the resource's URN, for a stack policy); when no verdict
 * applies, `notApplicable` is called with the reason (it throws, by @pulumi/policy's design).
 */
function report(
  verdicts: readonly { urn?: string; verdict: ReportedVerdict }[],
  reportViolation: ReportViolation,
  notApplicableBecause: (reason: string) => never,
  reasonWhenNothingApplies: string,
): void {
  let applicable = false;
  for (const { urn, verdict } of verdicts) {
    if (verdict.kind === "non-compliant" || verdict.kind === "unknown-in-preview")
      reportViolation(verdict.message, urn);
    if (verdict.kind !== "not-applicable") applicable = true;
  }
  if (!applicable) notApplicableBecause(reasonWhenNothingApplies);
}

/** The not-applicable verdict of a resource the rule must not see (other type, or exempted), if any. */
function screen(
  resource: { urn: string; type: string; name: string },
  appliesTo: AppliesTo | undefined,
  config: ExemptionsConfig,
): Verdict | undefined {
  if (appliesTo && !appliesTo.types.has(resource.type))
    return notApplicable(`only ${appliesTo.described} are checked, this is a ${resource.type}`);
  const exemption = findExemption(config.exemptions, resource);
  return exemption ? notApplicable(encodeExemption(exemption)) : undefined;
}

function resourceInput(args: ResourceArgsLike): ResourceInput {
  return { urn: args.urn, type: args.type, name: args.name, props: rawProps(args.props) };
}

export function defineResourcePolicy<C extends ExemptionsConfig>(spec: ResourcePolicySpec<C>): KeyguardResourcePolicy {
  const { appliesTo, config, evaluate, remediate, ...declaration } = spec;
  const metadata = metadataOf(declaration);
  const verdict = (resource: ResourceInput, rawConfig: unknown): ReportedVerdict => {
    const parsed = config.parse(metadata.name, rawConfig);
    return reported(screen(resource, appliesTo, parsed) ?? evaluate(resource, parsed));
  };
  const policy: KeyguardResourcePolicy = {
    ...metadata,
    configSchema: config.schema,
    verdict,
    validateResource: (pulumiArgs, reportViolation) => {
      const args = pulumiArgs as unknown as ResourceArgsLike;
      const outcome = verdict(resourceInput(args), args.getConfig());
      report(
        [{ verdict: outcome }],
        reportViolation,
        (reason) => args.notApplicable(reason),
        outcome.kind === "not-applicable" ? outcome.reason : "",
      );
    },
  };
  if (remediate) {
    policy.remediateResource = (pulumiArgs) => {
      const args = pulumiArgs as unknown as ResourceArgsLike;
      const parsed = config.parse(metadata.name, args.getConfig());
      const resource = resourceInput(args);
      if (screen(resource, appliesTo, parsed)) return undefined;
      const changes = remediate(resource, parsed);
      if (!changes) return undefined;
      // Assign through the proxy: @pulumi/policy's secret-preserving proxy keeps the bag's secrets secret.
      for (const [property, value] of Object.entries(changes)) args.props[property] = value;
      return args.props;
    };
  }
  return policy;
}

export function defineStackPolicy<C extends ExemptionsConfig>(spec: StackPolicySpec<C>): KeyguardStackPolicy {
  const { appliesTo, config, nothingToJudge, evaluate, ...declaration } = spec;
  const metadata = metadataOf(declaration);
  const verdicts = async (
    stack: readonly PolicyResourceLike[] | StackLookup,
    rawConfig: unknown,
  ): Promise<StackVerdict[]> => {
    const parsed = config.parse(metadata.name, rawConfig);
    const lookup = Array.isArray(stack) ? new StackIndex(stack) : (stack as StackLookup);
    const screened = lookup
      .resourcesOfTypes(appliesTo.types)
      .map((resource) => ({ resource, verdict: screen(resource, undefined, parsed) }));
    const judged = screened.filter((entry) => entry.verdict === undefined).map((entry) => entry.resource);
    const rulings = await evaluate(judged, lookup, parsed);
    if (rulings.length !== judged.length)
      throw new Error(`${metadata.name}: the rule returned ${rulings.length} verdicts for ${judged.length} resources`);
    let next = 0;
    return screened.map(({ resource, verdict }) => ({ resource, verdict: reported(verdict ?? rulings[next++]) }));
  };
  return {
    ...metadata,
    configSchema: config.schema,
    verdicts,
    appliesTo,
    exemptionOf: (resource, rawConfig) => findExemption(config.parse(metadata.name, rawConfig).exemptions, resource),
    validateStack: async (pulumiArgs, reportViolation) => {
      const args = pulumiArgs as unknown as StackArgsLike;
      const results = await verdicts(args.resources, args.getConfig());
      report(
        results.map(({ resource, verdict }) => ({ urn: resource.urn, verdict })),
        reportViolation,
        (reason) => args.notApplicable(reason),
        nothingToJudge,
      );
    },
  };
}
