/**
 * A Pulumi plugin process as the engine runs one: started with its arguments, ready when it prints
 * its gRPC port on stdout's first line (Pulumi's plugin handshake), stopped with SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";

export interface PluginProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** What the process wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, and wait for the exit (nothing when it has exited already). */
  stop(): Promise<void>;
}

export async function startPluginProcess(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; what: string },
): Promise<PluginProcess> {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = "";
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && /^\d+$/.test(line.trim())) {
        child.stdout!.off("data", onData);
        resolve(Number(line.trim()));
      }
    };
    child.stdout!.on("data", onData);
    child.on("exit", (code) =>
      reject(new Error(`${options.what} exited (${code}) before printing its port: ${stderr}`)),
    );
  });
  return {
    child,
    port,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}
