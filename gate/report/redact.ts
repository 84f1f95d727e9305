/**
 * Keeps secret values out of every report: collects the plaintext of every secret in the records
 * (wire-form secrets) and replaces each occurrence in any reported string with "[secret]", as the
 * Pulumi CLI masks secrets in its own output. A policy message that quotes a value it read from a secret is masked the same way.
 */
import { isWireSecret } from "../../facts";
import type { ResourceRecord } from "../resourceRecord";

export const SECRET_MASK = "[secret]";

/** Every leaf of a value, as the strings a report could show for it. */
function collectLeaves(value: unknown, into: Set<string>): void {
  if (value === null || value === undefined) return;
  if (typeof value === "string") {
    if (value.length > 0) into.add(value);
    return;
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    into.add(String(value));
    return;
  }
  if (Array.isArray(value)) {
    for (const element of value) collectLeaves(element, into);
    return;
  }
  if (typeof value === "object") {
    if (isWireSecret(value)) {
      collectLeaves(value.value, into);
      return;
    }
    // The value may also be quoted whole (a policy printing JSON).
    into.add(JSON.stringify(value));
    for (const member of Object.values(value)) collectLeaves(member, into);
  }
}

/** Finds every secret (at any depth) in a property bag and collects its plaintext leaves. */
function collectSecrets(value: unknown, into: Set<string>): void {
  if (value === null || typeof value !== "object") return;
  if (isWireSecret(value)) {
    collectLeaves(value.value, into);
    return;
  }
  for (const member of Object.values(value)) collectSecrets(member, into);
}

export class SecretRedactor {
  private readonly secrets: string[];

  constructor(secretValues: Iterable<string>) {
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = [...new Set(secretValues)].filter((value) => value.length > 0).sort((a, b) => b.length - a.length);
  }

  static fromRecords(resources: ResourceRecord[], extraSecrets: Iterable<string> = []): SecretRedactor {
    const values = new Set<string>(extraSecrets);
    for (const resource of resources) {
      collectSecrets(resource.inputs, values);
      collectSecrets(resource.outputs, values);
    }
    return new SecretRedactor(values);
  }

  get size(): number {
    return this.secrets.length;
  }

  redactString(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      if (result.includes(secret)) result = result.split(secret).join(SECRET_MASK);
    }
    return result;
  }

  /**
   * A deep copy of `value` with every string masked (object keys included). Numbers are left
   * alone: in a report they are counts and line numbers, never values read from resources.
   */
  redact<T>(value: T): T {
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
