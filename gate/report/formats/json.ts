/** `--format json`: the report as it is (summary, violations, drift, policies, resources). */
import type { Report } from "../report";

/** About how much text one chunk holds: many small writes are slow, one huge string does not fit. */
const CHUNK_CHARACTERS = 1 << 20;

/** JSON.stringify(value, null, 2) of a value nested `depth` levels deep in the document. */
function indented(value: unknown, depth: number): string {
  const text = JSON.stringify(value, null, 2) ?? "null";
  return depth === 0 ? text : text.replace(/\n/g, `\n${"  ".repeat(depth)}`);
}

/**
 * The report as JSON.stringify(report, null, 2) writes it, in chunks: a 200,000-resource audit's
 * report is larger than the longest string V8 can hold (~512 MB), so it is never built whole.
 * Each top-level list is written an element at a time.
 */
export function* renderJsonChunks(report: Report): Generator<string> {
  let chunk = "{";
  const entries = Object.entries(report).filter(([, value]) => value !== undefined);
  for (const [index, [key, value]] of entries.entries()) {
    chunk += `${index === 0 ? "" : ","}\n  ${JSON.stringify(key)}: `;
    if (Array.isArray(value) && value.length > 0) {
      chunk += "[";
      for (const [position, element] of value.entries()) {
        chunk += `${position === 0 ? "" : ","}\n    ${indented(element, 2)}`;
        if (chunk.length >= CHUNK_CHARACTERS) {
          yield chunk;
          chunk = "";
        }
      }
      chunk += "\n  ]";
    } else {
      chunk += indented(value, 1);
    }
  }
  yield `${chunk}${entries.length > 0 ? "\n" : ""}}\n`;
}

export function renderJson(report: Report): string {
  return [...renderJsonChunks(report)].join("");
}
