/**
 * The real `keyguard` command in its own process (gate/cli.ts through ts-node, as bin/keyguard.js
 * runs dist/gate/cli.js): for what only a process shows (its own stdout and stderr, its exit code
 * after a signal, the processes it leaves behind).
 */
import { spawn, type ChildProcess } from "child_process";
import * as path from "path";
import { REPO_ROOT } from "./gateHarness";

export interface KeyguardExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from start to exit. */
  elapsedMs: number;
}

export interface KeyguardProcess {
  child: ChildProcess;
  exited: Promise<KeyguardExit>;
}

export function startKeyguard(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): KeyguardProcess {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(REPO_ROOT, "gate", "cli.ts"), ...args],
    { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<KeyguardExit>((resolve) => {
    // 'exit', not 'close': a process keyguard left behind could hold the pipes open, and that is
    // exactly what some tests look for.
    child.once("exit", (code, signal) => {
      const elapsedMs = Date.now() - started;
      // Whatever is already in the pipes (keyguard writes synchronously before it exits).
      setTimeout(() => resolve({ code, signal, stdout, stderr, elapsedMs }), 200);
    });
  });
  return { child, exited };
}

export function runKeyguard(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<KeyguardExit> {
  return startKeyguard(args, options).exited;
}
