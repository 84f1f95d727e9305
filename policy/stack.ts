/**
 * What the three stack policies share: the stack's resources as plain views, the key index built
 * once per stack, and how per-resource verdicts become reports.
 */
import { KeyIndex, type PolicyResourceLike, type ResourceView, toView } from "./keyResolution";
import type { ReportViolation, Verdict } from "./verdict";

export interface StackArgsLike {
  resources: readonly PolicyResourceLike[];
  getConfig<T extends object>(): T;
  notApplicable(reason?: string): never;
}

export interface StackVerdict {
  resource: ResourceView;
  verdict: Verdict;
}

export interface StackContext {
  views: ResourceView[];
  index: KeyIndex;
}

export function stackContext(resources: readonly PolicyResourceLike[]): StackContext {
  const views = resources.map(toView);
  return { views, index: new KeyIndex(views) };
}

/**
 * Reports each non-compliant or unknown-in-preview verdict against its resource's URN, at the
 * policy's level. When the policy found nothing it applies to, says so through `notApplicable`.
 */
export function reportStackVerdicts(verdicts: readonly StackVerdict[], args: StackArgsLike, reportViolation: ReportViolation, nothingReason: string): void {
  let applicable = false;
  for (const { resource, verdict } of verdicts) {
    if (verdict.kind === "non-compliant" || verdict.kind === "unknown-in-preview") reportViolation(verdict.message, resource.urn);
    if (verdict.kind !== "not-applicable") applicable = true;
  }
  if (!applicable) args.notApplicable(nothingReason);
}
