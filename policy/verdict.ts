/**
 * What every keyguard policy shares: reading the engine's property bags without tripping over
 * unknowns or secrets, and the explicit three-way verdict (plus "unknown in preview"), as data: a
 * policy gives a verdict's parts, never its wording as a message. How a verdict becomes a report is
 * ./define's job.
 *
 * Why read the raw bag: @pulumi/policy wraps properties in a proxy that throws on reading an unknown
 * value, and then downgrades even a mandatory policy to an advisory "can't be known during preview".
 * keyguard reads the proxy's target instead, sees the engine's sentinel strings, and decides itself:
 * from dependencies when it can, otherwise with a report that names the value it could not check.
 */
import { isUnknown, isWireSecret } from "../facts";
import { describeValue } from "../messages/describe";

/**
 * What a policy says about a resource it finds wanting: what was found, what is required, and how to
 * fix it. Policies give the parts; ./define writes them into the one message form (./verdictCodec).
 */
export interface Violation {
  found: string;
  required: string;
  fix: string;
  /**
   * A further fix that only works where the pack runs before an update (`pulumi preview` / `up`, or
   * `keyguard check`), such as the "remediate" enforcement level; a report on deployed state leaves it out.
   */
  fixBeforeUpdate?: string;
}

/** What a policy says about a value it could not know during preview: `found` names it. */
export type UnknownValue = Omit<Violation, "fixBeforeUpdate">;

/** The outcome of one policy on one resource. */
export type Verdict =
  | { kind: "compliant" }
  | ({ kind: "non-compliant" } & Violation)
  | { kind: "not-applicable"; reason: string }
  /** A value the verdict depends on is unknown until apply. Reported, never passed. */
  | ({ kind: "unknown-in-preview" } & UnknownValue);

export const compliant: Verdict = Object.freeze({ kind: "compliant" });
export function nonCompliant(violation: Violation): Verdict {
  return { kind: "non-compliant", ...violation };
}
export function notApplicable(reason: string): Verdict {
  return { kind: "not-applicable", reason };
}
export function unknownInPreview(unknown: UnknownValue): Verdict {
  return { kind: "unknown-in-preview", ...unknown };
}

// One test for unknowns, shared with RedshiftKeyRotation's provider; the policies import it from here.
export { isUnknown } from "../facts";

const PROXY_TARGET = "__getSpecialProxyTarget";
const IS_PROXY = "__isSpecialProxy";

/**
 * The plain object behind @pulumi/policy's unknown-checking (and secret-preserving) proxies.
 * Reading the target never throws on an unknown; plain objects pass through unchanged.
 */
export function rawProps(props: unknown): Record<string, unknown> {
  let current = props;
  for (let depth = 0; depth < 4; depth++) {
    if (typeof current !== "object" || current === null) break;
    let isProxy: boolean;
    try {
      isProxy = (current as Record<string, unknown>)[IS_PROXY] === true;
    } catch {
      isProxy = false;
    }
    if (!isProxy) break;
    current = (current as Record<string, unknown>)[PROXY_TARGET];
  }
  return typeof current === "object" && current !== null && !Array.isArray(current)
    ? (current as Record<string, unknown>)
    : {};
}

/** A secret's plain value: the engine's wire form, or @pulumi/policy's Secret wrapper (remediation). */
export function revealSecret(value: unknown): unknown {
  let current = value;
  for (let depth = 0; depth < 64 && typeof current === "object" && current !== null; depth++) {
    const record = current as Record<string, unknown>;
    if (isWireSecret(record)) {
      current = record.value;
    } else if (record.constructor?.name === "Secret" && "value" in record) {
      current = record.value;
    } else {
      break;
    }
  }
  return current;
}

/** One property, secrets revealed (policies read values; they never print secret ones in full). */
export function readProperty(props: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(props, name) ? revealSecret(props[name]) : undefined;
}

/** A string property as the policies need it: absent, unknown, a string, or something else. */
export type StringRead =
  { kind: "absent" } | { kind: "unknown" } | { kind: "string"; value: string } | { kind: "other"; value: unknown };

export function readString(props: Record<string, unknown>, name: string): StringRead {
  const value = readProperty(props, name);
  if (value === undefined || value === null) return { kind: "absent" };
  if (isUnknown(value)) return { kind: "unknown" };
  if (typeof value === "string") return value.trim() === "" ? { kind: "absent" } : { kind: "string", value };
  return { kind: "other", value };
}

/** How a value appears in a message: short, and never a secret in full. */
export function shown(value: unknown): string {
  if (isUnknown(value)) return "an unknown value (computed during the update)";
  return describeValue(value);
}

/** A setting's value in a message: "not set (AWS's default: <what AWS does>)" when it is unset. */
export function shownSetting(value: unknown, awsDefault: string): string {
  return value === undefined || value === null ? `not set (AWS's default: ${awsDefault})` : shown(value);
}

/** The resource's label in messages: its type and name, then its URN. */
export function resourceLabel(resource: { type: string; name: string; urn: string }): string {
  return `${resource.type} "${resource.name}" (${resource.urn})`;
}
