// Wall time of whole commands (figures 4 and 6): `keyguard check` and `npm test`, run as a user or
// CI runs them, in a child process with its output captured.
import { spawn, type ChildProcess } from "node:child_process";

import { elapsedMs } from "./stats";

export interface CommandRun {
  command: string;
  wallMs: number;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command args` in `cwd` and resolves with its wall time and output (it never rejects on a non-zero exit). */
export function timeCommand(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 600_000,
  /** Told the process once it is started (to watch its memory). */
  onSpawn?: (child: ChildProcess) => void,
): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const startedAt = process.hrtime.bigint();
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    onSpawn?.(child);
    const stdout: string[] = [];
    const stderr: string[] = [];
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => stdout.push(chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${command} ${args.join(" ")} in ${cwd}: ${error.message}`));
    });
    child.once("close", (exitCode) => {
      clearTimeout(timer);
      resolve({
        command: [command, ...args].join(" "),
        wallMs: elapsedMs(startedAt),
        exitCode,
        stdout: stdout.join(""),
        stderr: stderr.join(""),
      });
    });
  });
}

/** Strips terminal colours so summaries can be read from captured output. */
export function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

/** Vitest's summary lines ("Test Files  12 passed (12)", "Tests  345 passed (345)"), when present. */
export function vitestSummary(output: string): { testFiles?: string; tests?: string } {
  const text = plainText(output);
  const testFiles = /Test Files\s+(.+)/.exec(text)?.[1]?.trim();
  const tests = /^\s*Tests\s+(.+)$/m.exec(text)?.[1]?.trim();
  return { testFiles, tests };
}

/** Vitest's "Duration" line (its own wall time, without tsc and eslint), when present. */
export function vitestDuration(output: string): string | undefined {
  return /^\s*Duration\s+(.+)$/m.exec(plainText(output))?.[1]?.trim();
}

/** Per-file lines of vitest's default reporter ("✓ test/x.test.ts (12 tests) 5234ms"), slowest first. */
export function vitestFileTimes(output: string): { file: string; tests: number; ms: number }[] {
  const files: { file: string; tests: number; ms: number }[] = [];
  for (const match of plainText(output).matchAll(
    /^\s*[✓×❯↓]\s+(\S+\.test\.ts)\s+\((\d+) tests?[^)]*\)\s+(\d+(?:\.\d+)?)(ms|s)\b/gm,
  )) {
    files.push({ file: match[1], tests: Number(match[2]), ms: Number(match[3]) * (match[4] === "s" ? 1000 : 1) });
  }
  return files.sort((a, b) => b.ms - a.ms);
}
