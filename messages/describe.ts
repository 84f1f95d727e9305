/**
 * Rendering values and errors inside keyguard's messages, the same way everywhere (component,
 * provider, policy pack, gate). No imports: every layer, `facts/` included, may use it, and the
 * RedshiftKeyRotation provider serializes it by value.
 */

/** A short, log-safe rendering of a value for error messages (long strings are cut). */
export function describeValue(value: unknown): string {
  if (typeof value === "string") {
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  }
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** "<name>: <message>" of a thrown value (an AWS SDK error names its AWS error code). */
export function describeError(error: unknown): string {
  const named = error as { name?: string; message?: string } | null | undefined;
  return `${named?.name ?? "Error"}: ${named?.message ?? String(error)}`;
}
