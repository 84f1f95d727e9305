/**
 * How a keyguard verdict travels from the pack to whoever reads it. The Analyzer protocol carries
 * only a diagnostic's `message` and a not-applicable `reason` (both text), so the verdict kind and
 * its parts are written into that text in one fixed, readable form, here, and read back here: the
 * pack encodes with these functions (in policy/define.ts, from the verdict's parts: no policy writes
 * the form), the gate decodes with them (in gate/evaluate.ts, once, into a typed finding). A plain
 * `pulumi preview` shows the same text, so the form is a sentence a person reads:
 *
 *   violation       "<found>; required: <required>. Fix: <fix>[ Or, before an update: <fixBeforeUpdate>]"
 *   unknown         "unknown in preview: <found>; required: <required>. Fix: <fix>"
 *   exempt          "exempted by config (\"<resource pattern>\"): <reason>"
 *   not applicable  any other reason
 *   remediation     "<steps>[ Or, before an update: <steps before an update>]" (a policy's metadata)
 *
 * @pulumi/policy itself reports a policy that read an unknown value as an advisory
 * "can't run policy '<name>' from policy pack '<pack>' during preview: <what>"; that is an unknown
 * in preview too, and is decoded as one.
 */

/** What a diagnostic says about a resource. */
export type ViolationKind = "non-compliant" | "unknown-in-preview";

/**
 * A violation's parts, as in ./verdict's Violation; `required` and `fix` are optional here because a
 * message in no known form (another pack's) decodes to `found` alone.
 */
export interface ViolationParts {
  found: string;
  required?: string;
  fix?: string;
  /** Works only before an update; a report on deployed state leaves it out (@pulumi/policy tells a policy nothing about where it runs). */
  fixBeforeUpdate?: string;
}

export interface DecodedViolation extends ViolationParts {
  kind: ViolationKind;
  /** The message without the kind marker, as a person reads it. */
  text: string;
  /** The text as a report on deployed state shows it: without the fix that only works before an update. */
  textOnDeployedState: string;
}

const UNKNOWN_MARKER = "unknown in preview: ";
const REQUIRED_MARKER = "; required: ";
const FIX_MARKER = ". Fix: ";
const BEFORE_UPDATE_MARKER = " Or, before an update: ";
/** @pulumi/policy's wording for a policy that read an unknown value (server.js, UnknownValueError). */
const FRAMEWORK_UNKNOWN = /^can't run policy '[^']*'.* during preview: /;

/** The message of a violation or of a value unknown in preview. */
export function encodeViolation(kind: ViolationKind, parts: ViolationParts): string {
  let text = parts.found;
  if (parts.required !== undefined) text += `${REQUIRED_MARKER}${parts.required}`;
  if (parts.fix !== undefined) text += `${FIX_MARKER}${parts.fix}`;
  if (parts.fix !== undefined && parts.fixBeforeUpdate !== undefined)
    text += `${BEFORE_UPDATE_MARKER}${parts.fixBeforeUpdate}`;
  return kind === "unknown-in-preview" ? `${UNKNOWN_MARKER}${text}` : text;
}

/** A policy's remediation steps, with the further step that works only before an update, if any. */
export function encodeRemediationSteps(steps: string, stepsBeforeUpdate?: string): string {
  return stepsBeforeUpdate === undefined ? steps : `${steps}${BEFORE_UPDATE_MARKER}${stepsBeforeUpdate}`;
}

/** Remediation steps as a report on deployed state shows them: without the part that works only before an update. */
export function stepsOnDeployedState(steps: string): string {
  const at = steps.indexOf(BEFORE_UPDATE_MARKER);
  return at >= 0 ? steps.slice(0, at) : steps;
}

/** Reads a diagnostic's message back into its kind and parts; text in no known form is "found". */
export function decodeViolation(message: string): DecodedViolation {
  let kind: ViolationKind = "non-compliant";
  let text = message;
  if (text.startsWith(UNKNOWN_MARKER)) {
    kind = "unknown-in-preview";
    text = text.slice(UNKNOWN_MARKER.length);
  } else if (FRAMEWORK_UNKNOWN.test(text)) {
    kind = "unknown-in-preview";
  }
  const fixAt = text.lastIndexOf(FIX_MARKER);
  const body = fixAt >= 0 ? text.slice(0, fixAt) : text;
  let fix = fixAt >= 0 ? text.slice(fixAt + FIX_MARKER.length) : undefined;
  let fixBeforeUpdate: string | undefined;
  let textOnDeployedState = text;
  const beforeUpdateAt = fix === undefined ? -1 : fix.lastIndexOf(BEFORE_UPDATE_MARKER);
  if (fix !== undefined && beforeUpdateAt >= 0) {
    fixBeforeUpdate = fix.slice(beforeUpdateAt + BEFORE_UPDATE_MARKER.length);
    fix = fix.slice(0, beforeUpdateAt);
    textOnDeployedState = text.slice(0, fixAt + FIX_MARKER.length + beforeUpdateAt);
  }
  const requiredAt = body.lastIndexOf(REQUIRED_MARKER);
  const found = requiredAt >= 0 ? body.slice(0, requiredAt) : body;
  const required = requiredAt >= 0 ? body.slice(requiredAt + REQUIRED_MARKER.length) : undefined;
  return {
    kind,
    text,
    textOnDeployedState,
    found,
    ...(required !== undefined ? { required } : {}),
    ...(fix !== undefined ? { fix } : {}),
    ...(fixBeforeUpdate !== undefined ? { fixBeforeUpdate } : {}),
  };
}

/** A not-applicable reason, decoded: an exemption from the policy config, or the policy's own reason. */
export type DecodedNotApplicable =
  | { kind: "exempt"; resource: string; reason: string; text: string }
  | { kind: "not-applicable"; reason: string; text: string };

const EXEMPTION_FORM = /^exempted by config \(("(?:[^"\\]|\\.)*")\): ([\s\S]*)$/;

/** The not-applicable reason of a resource exempted by an entry of the policy config. */
export function encodeExemption(exemption: { resource: string; reason: string }): string {
  return `exempted by config (${JSON.stringify(exemption.resource)}): ${exemption.reason}`;
}

export function decodeNotApplicable(reason: string): DecodedNotApplicable {
  const exempt = EXEMPTION_FORM.exec(reason);
  if (exempt) {
    try {
      return { kind: "exempt", resource: JSON.parse(exempt[1]) as string, reason: exempt[2], text: reason };
    } catch {
      // not our form after all: fall through to a plain reason
    }
  }
  return { kind: "not-applicable", reason, text: reason };
}
