/**
 * How the stand-in validates and plans a resource, reproducing what the AWS provider (an SDKv2
 * provider) does, so that Terraform writes the plan JSON it writes against the real provider:
 * - an unset attribute with a `Default` is planned as that default (it shows in `after`);
 * - an unset Computed attribute is unknown on create (it shows in `after_unknown`, e.g. the key's
 *   `rotation_period_in_days`, `description`, `policy`, `multi_region`, SDKv2's `id`) and keeps its
 *   prior value on update;
 * - `tags_all` is the provider's default_tags merged with `tags`, known at plan (SetTagsDiff);
 * - a changed ForceNew attribute asks for replacement, and the replacement's computed attributes are
 *   unknown again;
 * - SDKv2 validation: IntBetween, RequiredWith and ConflictsWith, with SDKv2's messages.
 */
import { type CtyObject, type CtyValue, UNKNOWN, containsUnknown } from "./ctyMsgpack";
import type { ResourceSchema } from "./schemas";

export interface ProblemAt {
  readonly attribute: string;
  readonly summary: string;
}

export function validateConfig(schema: ResourceSchema, config: CtyObject): ProblemAt[] {
  const problems: ProblemAt[] = [];
  const isSet = (name: string) => config[name] !== null && config[name] !== undefined;
  for (const [name, attribute] of Object.entries(schema.attributes)) {
    const value = config[name];
    if (value === null || value === undefined || containsUnknown(value)) continue;
    if (attribute.intBetween && typeof value === "number") {
      const [min, max] = attribute.intBetween;
      if (value < min || value > max || !Number.isInteger(value))
        problems.push({
          attribute: name,
          summary: `expected ${name} to be in the range (${min} - ${max}), got ${value}`,
        });
    }
    if (attribute.requiredWith) {
      const together = [...attribute.requiredWith, name].sort();
      if (!attribute.requiredWith.every(isSet))
        problems.push({ attribute: name, summary: `"${name}": all of \`${together.join(",")}\` must be specified` });
    }
    for (const other of attribute.conflictsWith ?? []) {
      if (isSet(other)) problems.push({ attribute: name, summary: `"${name}": conflicts with ${other}` });
    }
  }
  return problems;
}

export interface PlannedChange {
  readonly planned: CtyObject | null;
  readonly requiresReplace: string[];
}

export function planResource(
  schema: ResourceSchema,
  prior: CtyObject | null,
  proposed: CtyObject | null,
  config: CtyObject | null,
  defaultTags: Record<string, string>,
): PlannedChange {
  if (proposed === null || config === null) return { planned: null, requiresReplace: [] };
  const planned: CtyObject = { ...proposed };
  const unset = (name: string) => config[name] === null || config[name] === undefined;
  for (const [name, attribute] of Object.entries(schema.attributes)) {
    if (!unset(name)) continue;
    if (attribute.default !== undefined) planned[name] = attribute.default;
    else if (attribute.computed) planned[name] = prior ? (prior[name] ?? null) : UNKNOWN;
  }
  const requiresReplace = prior
    ? Object.entries(schema.attributes)
        .filter(([name, attribute]) => attribute.forceNew && !sameValue(prior[name] ?? null, planned[name] ?? null))
        .map(([name]) => name)
    : [];
  if (requiresReplace.length > 0) {
    for (const [name, attribute] of Object.entries(schema.attributes)) {
      if (attribute.computed && unset(name) && attribute.default === undefined) planned[name] = UNKNOWN;
    }
  }
  if ("tags_all" in schema.attributes) planned.tags_all = allTags(defaultTags, planned.tags ?? null);
  return { planned, requiresReplace };
}

function allTags(defaultTags: Record<string, string>, tags: CtyValue): CtyValue {
  if (containsUnknown(tags)) return UNKNOWN;
  return { ...defaultTags, ...((tags as Record<string, string> | null) ?? {}) };
}

function sameValue(left: CtyValue, right: CtyValue): boolean {
  if (left === UNKNOWN || right === UNKNOWN) return false;
  return JSON.stringify(left) === JSON.stringify(right);
}
