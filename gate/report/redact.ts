/**
 * Keeps secret values out of every report: collects the plaintext of every secret in the records
 * (wire-form secrets) and masks it in any reported string with "[secret]" (by the rule in
 * ../secretMasker.ts), as the Pulumi CLI masks secrets in its own output. A policy message that
 * quotes a value it read from a secret is masked the same way.
 */
import { isWireSecret } from "../../facts";
import type { ResourceRecord } from "../resourceRecord";
import { SecretMasker, secretStrings } from "../secretMasker";

export { SECRET_MASK } from "../secretMasker";

/** Deeper than any real property bag; the walk stops there rather than exhaust the stack. */
const MAX_PROPERTY_DEPTH = 256;

/** Every leaf of a value, as the strings a report could show for it (a wire secret is its content). */
function collectLeaves(value: unknown, into: Set<string>): void {
  secretStrings(unwrapSecrets(value, 0), into);
}

function unwrapSecrets(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== "object" || depth > MAX_PROPERTY_DEPTH) return value;
  if (isWireSecret(value)) return unwrapSecrets(value.value, depth + 1);
  if (Array.isArray(value)) return value.map((element) => unwrapSecrets(element, depth + 1));
  const result: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) result[key] = unwrapSecrets(member, depth + 1);
  return result;
}

/** Finds every secret (at any depth) in a property bag and collects its plaintext leaves. */
function collectSecrets(value: unknown, into: Set<string>, depth = 0): void {
  if (value === null || typeof value !== "object" || depth > MAX_PROPERTY_DEPTH) return;
  if (isWireSecret(value)) {
    collectLeaves(value.value, into);
    return;
  }
  for (const member of Object.values(value)) collectSecrets(member, into, depth + 1);
}

/** The plaintext of every secret in a record's inputs and outputs. */
export function recordSecretValues(resource: ResourceRecord, into: Set<string> = new Set()): Set<string> {
  collectSecrets(resource.inputs, into);
  collectSecrets(resource.outputs, into);
  return into;
}

export class SecretRedactor {
  /** Masks with `masker`: the run's own (keyguard's commands), or one built from records (fromRecords). */
  constructor(private readonly masker: SecretMasker) {}

  static fromRecords(resources: ResourceRecord[], extraSecrets: Iterable<string> = []): SecretRedactor {
    const values = new Set<string>(extraSecrets);
    for (const resource of resources) recordSecretValues(resource, values);
    return new SecretRedactor(new SecretMasker(values));
  }

  get size(): number {
    return this.masker.size;
  }

  redactString(text: string): string {
    return this.masker.mask(text);
  }

  /**
   * A deep copy of `value` with every string masked (object keys included). Numbers are left
   * alone: in a report they are counts and line numbers, never values read from resources.
   */
  redact<T>(value: T): T {
    if (this.masker.size === 0) return value;
    return this.redactValue(value) as T;
  }

  private redactValue(value: unknown): unknown {
    if (typeof value === "string") return this.redactString(value);
    if (Array.isArray(value)) return value.map((element) => this.redactValue(element));
    if (value !== null && typeof value === "object") {
      const result: Record<string, unknown> = {};
      for (const [key, member] of Object.entries(value)) result[this.redactString(key)] = this.redactValue(member);
      return result;
    }
    return value;
  }
}
