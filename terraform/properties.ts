/**
 * A Terraform resource's attribute values (a plan's `after`, a state's `values` or `attributes`)
 * as the property bags the pack receives for the Pulumi resource bridged from it: camelCase names,
 * single-item blocks as one object, `encrypted` as @pulumi/aws 7's string, sensitive values as
 * Pulumi wire secrets (so every report masks them), and values unknown until apply as the engine's
 * unknown sentinels (so the pack says it could not check them, never passes them).
 *
 * One exception to "unknown": an attribute the configuration does not set that the plan shows
 * unknown is left to the provider or AWS (e.g. `rotation_period_in_days`, `kms_key_id`), and is
 * absent, as in the inputs of the equivalent Pulumi program, which the pack reads the same way.
 */
import {
  UNKNOWN_ARRAY_SENTINEL,
  UNKNOWN_BOOLEAN_SENTINEL,
  UNKNOWN_NUMBER_SENTINEL,
  UNKNOWN_OBJECT_SENTINEL,
  UNKNOWN_STRING_SENTINEL,
  isWireSecret,
  wireSecret,
} from "../facts";
import {
  MAPPED_ATTRIBUTES,
  TERRAFORM_ID_ATTRIBUTE,
  TERRAFORM_ONLY_ATTRIBUTES,
  type MappedAttributes,
} from "./attributes";

/** Marks that go with a resource's values, each shaped like the values (Terraform's JSON form). */
export interface ValueMarks {
  /** A plan's `after_unknown`: `true` where a value is unknown until apply. */
  unknown?: unknown;
  /** `after_sensitive` / `sensitive_values` (or raw state's paths made into this shape): `true` where sensitive. */
  sensitive?: unknown;
  /**
   * Whether the configuration sets a top-level attribute (has an expression for it that is not a
   * literal null); undefined when the configuration is not known, which keeps unknowns unknown.
   */
  isConfigured?: (attribute: string) => boolean | undefined;
}

export interface PulumiProperties {
  /** As Analyze receives a resource's inputs: the outputs without Terraform's `id`. */
  inputs: Record<string, unknown>;
  /** As AnalyzeStack receives a resource's outputs. */
  outputs: Record<string, unknown>;
}

/** Pulumi's name for a Terraform attribute: snake_case → camelCase, as the bridge names them. */
export function pulumiPropertyName(attribute: string): string {
  let name = PROPERTY_NAMES.get(attribute);
  if (name === undefined) {
    name = attribute.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
    // Attribute names repeat on every resource of a type: a plan of 50,000 resources has a few hundred.
    if (PROPERTY_NAMES.size < 10_000) PROPERTY_NAMES.set(attribute, name);
  }
  return name;
}

const PROPERTY_NAMES = new Map<string, string>();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The mark one step down: a member of an object mark, an element of a list mark. */
function markAt(mark: unknown, step: string | number): unknown {
  if (mark === true) return true;
  if (typeof step === "number") return Array.isArray(mark) ? mark[step] : undefined;
  return isPlainObject(mark) ? mark[step] : undefined;
}

function unknownSentinelFor(attribute: string, facts: MappedAttributes | undefined): string {
  if (!facts || facts.stringBooleans.has(attribute)) return UNKNOWN_STRING_SENTINEL;
  if (facts.booleans.has(attribute)) return UNKNOWN_BOOLEAN_SENTINEL;
  if (facts.numbers.has(attribute)) return UNKNOWN_NUMBER_SENTINEL;
  if (facts.lists.has(attribute)) return UNKNOWN_ARRAY_SENTINEL;
  if (facts.maps.has(attribute) || facts.singleItemBlocks.has(attribute)) return UNKNOWN_OBJECT_SENTINEL;
  return UNKNOWN_STRING_SENTINEL;
}

/**
 * One nested value: secrets wrapped, unknown members as sentinels (the attribute is set, so what
 * is unknown inside it is really unknown), object keys renamed unless they are a map's own keys.
 */
function convertValue(value: unknown, unknown: unknown, sensitive: unknown, renameKeys: boolean): unknown {
  if (sensitive === true) return wireSecret(convertValue(value, unknown, undefined, renameKeys));
  if (unknown === true) return UNKNOWN_STRING_SENTINEL;
  if (Array.isArray(value)) {
    return value.map((element, index) =>
      convertValue(element, markAt(unknown, index), markAt(sensitive, index), renameKeys),
    );
  }
  if (!isPlainObject(value)) return value;
  const result: Record<string, unknown> = {};
  const names = new Set([...Object.keys(value), ...(isPlainObject(unknown) ? Object.keys(unknown) : [])]);
  for (const name of names) {
    const memberUnknown = markAt(unknown, name);
    if (!(name in value) && memberUnknown !== true) continue;
    // Members of nested blocks are attributes (renamed); their maps' keys are the user's.
    result[renameKeys ? pulumiPropertyName(name) : name] = convertValue(
      value[name],
      memberUnknown,
      markAt(sensitive, name),
      renameKeys,
    );
  }
  return result;
}

/**
 * The properties of a Terraform resource of type `terraformType` with these values. Types keyguard
 * does not map (./resourceTypes) get their top-level names camelCased and their values as they are.
 */
export function toPulumiProperties(
  terraformType: string,
  values: Record<string, unknown>,
  marks: ValueMarks = {},
): PulumiProperties {
  const facts = Object.prototype.hasOwnProperty.call(MAPPED_ATTRIBUTES, terraformType)
    ? MAPPED_ATTRIBUTES[terraformType]
    : undefined;
  const unknownMarks = isPlainObject(marks.unknown) ? marks.unknown : {};
  const outputs: Record<string, unknown> = {};
  const attributes = new Set([...Object.keys(values), ...Object.keys(unknownMarks)]);
  for (const attribute of attributes) {
    if (facts && TERRAFORM_ONLY_ATTRIBUTES.has(attribute)) continue;
    let unknown = unknownMarks[attribute];
    let sensitive = markAt(marks.sensitive, attribute);
    let value = values[attribute];
    if (unknown === true) {
      // Unset in the configuration and unknown in the plan: the provider's or AWS's default.
      if (marks.isConfigured?.(attribute) === false) continue;
    } else if (value === null || value === undefined || (value === 0 && facts?.zeroMeansUnset.has(attribute))) {
      continue;
    }
    if (facts?.singleItemBlocks.has(attribute) && unknown !== true && Array.isArray(value)) {
      if (value.length === 0) continue;
      [value, unknown, sensitive] = [value[0], markAt(unknown, 0), markAt(sensitive, 0)];
    }
    let converted =
      unknown === true
        ? unknownSentinelFor(attribute, facts)
        : convertValue(value, unknown, sensitive, facts !== undefined && !facts.maps.has(attribute));
    if (facts?.stringBooleans.has(attribute) && typeof converted === "boolean") converted = String(converted);
    const secret = sensitive === true || facts?.sensitive.has(attribute) === true;
    if (secret && !isWireSecret(converted)) converted = wireSecret(converted);
    outputs[pulumiPropertyName(attribute)] = converted;
  }
  const { [TERRAFORM_ID_ATTRIBUTE]: _id, ...inputs } = outputs;
  return { inputs, outputs };
}
