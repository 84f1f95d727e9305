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
