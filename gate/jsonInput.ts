/**
 * The JSON files keyguard reads (a stack export, stack outputs, the policy config) hold secrets:
 * an error about one says where it is wrong, never what the text there is. V8's own messages
 * quote the text around a syntax error (`Unexpected token 's', "{"password": s3cr"... is not valid
 * JSON`), so they are reduced to what went wrong and where (line and column).
 *
 * Values nested deeper than MAX_JSON_DEPTH are refused with the path to them: every walk over a
 * property bag (keyguard's, the Pulumi SDK's, protobuf's) recurses, and thousands of levels would
 * end in `Maximum call stack size exceeded` somewhere that names no input. Real state nests a few
 * levels (a policy document inside a property); the limit leaves ample room.
 */
import { UsageError } from "./usageError";

export const MAX_JSON_DEPTH = 200;

/** 1-based line and column of a character offset. */
function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf("\n"); index >= 0 && index < offset; index = text.indexOf("\n", index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

export interface JsonSyntaxProblem {
  /** What is wrong and where, without quoting the text. */
  description: string;
  /** The text stops before the JSON does (a cut-off download, a full disk). */
  endsEarly: boolean;
}

/** Describes a JSON.parse error of `text` without any of the text. */
export function jsonSyntaxProblem(error: unknown, text: string): JsonSyntaxProblem {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message);
  const offset = position ? Number(position[1]) : undefined;
  const endsEarly = /end of JSON input/i.test(message) || (offset !== undefined && offset >= text.trimEnd().length - 1);
  // "Unexpected token 'x', "...text..." is not valid JSON" -> "Unexpected token"; "... in JSON at position 12" -> what, where.
  const what = message
    .replace(/,\s.*is not valid JSON$/s, "")
    .replace(/\s*(?:in JSON\s*)?at position \d+.*$/s, "")
    .replace(/\s*'.*'$/s, "")
    .replace(/ in JSON$/, "")
    .trim();
  return {
    description: `${what || "invalid JSON"}${offset === undefined ? "" : ` at ${lineAndColumn(text, offset)}`}`,
    endsEarly,
  };
}

/** What is wrong with a file's text that is not JSON, said without the text (a file may hold secrets). */
export function jsonProblem(error: unknown, text: string): string {
  if (text.trim().length === 0) return "is empty";
  // Said without the text around the error: an export holds secrets.
  const { description, endsEarly } = jsonSyntaxProblem(error, text);
  // A parse error at the very end of the text means the document stopped early: a cut-off
  // download or a disk that filled up, not a different format.
  if (endsEarly && /^\s*[[{]/.test(text))
    return `ends before its JSON does (truncated after ${text.length} bytes?): ${description}`;
  return `is not JSON: ${description}`;
}

/**
 * The path (`a.b[3].c`) of the first value nested deeper than `maxDepth` in `value`, or undefined.
 * Iterative: it must not itself overflow the stack on the input it is guarding against.
 */
export function tooDeepPath(value: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: "", depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (current === null || typeof current !== "object") continue;
    if (depth >= maxDepth) return path || "(the top level)";
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--)
        stack.push({ value: current[index], path: `${path}[${index}]`, depth: depth + 1 });
    } else {
      for (const [key, member] of Object.entries(current).reverse())
        stack.push({ value: member, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return undefined;
}

/** A path shortened for a message: cut before a `.` or `[` past `max` characters, then "...". */
export function shortPath(where: string, max = 200): string {
  if (where.length <= max) return where;
  const cut = Math.max(where.lastIndexOf(".", max), where.lastIndexOf("[", max));
  return `${where.slice(0, cut > 0 ? cut : max)}...`;
}

/** Refuses a value nested deeper than MAX_JSON_DEPTH, naming the input (`what`) and the path. */
export function assertNotTooDeep(value: unknown, what: string): void {
  const where = tooDeepPath(value);
  if (where !== undefined)
    throw new UsageError(
      `${what}: the value at ${shortPath(where)} is nested more than ${MAX_JSON_DEPTH} levels deep, more than keyguard reads (no real stack nests that deep)`,
    );
}
