/**
 * A problem with what the user gave the gate (a flag, a file, a project): exit code 2, and a
 * one-line reason on stderr that names the input, the value and what is allowed.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A program that could not run to completion under the mocks: also exit code 2. */
export class ProgramError extends Error {
  override readonly name = "ProgramError";
}

/**
 * One line for stderr from any error: its message's lines joined (a component or a pack that
 * lists each problem on its own line keeps all of them), stack frames left out.
 */
export function oneLineReason(error: unknown): string {
  const message = error instanceof Error ? error.message || String(error) : String(error);
  return message
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !/^at\s/.test(line))
    .join(" ")
    .replace(/\s+/g, " ")
    .slice(0, 2000);
}
