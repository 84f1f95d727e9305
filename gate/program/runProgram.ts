/**
 * Runs a Pulumi program under mocks in a child process (see programChild.ts) and returns its
 * registrations. A child per program: Pulumi's runtime state is per process.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { PulumiProject } from "./pulumiProject";
import type { OfflineLookup, ProgramChildMessage, ProgramJob } from "./programChild";
import type { ResourceRecord } from "../resourceRecord";
import { PROGRAM_LOADER_ENV, TYPESCRIPT_LOADER_SOURCE } from "./typescriptLoader";
import { killProcessGroup, trackProcess } from "../runProcesses";
import { ProgramError } from "../usageError";
import { RESOURCE_TYPES, UNKNOWN_STRING_SENTINEL } from "../../facts";

export interface ProgramRun {
  resources: ResourceRecord[];
  stackOutputs: Record<string, unknown>;
  /** The `secure:` config keys the program read that could not be decrypted offline. */
  undecryptedConfigRead: string[];
  /** Referenced stacks whose outputs were not supplied (`--stack-outputs`): unknown offline. */
  unsuppliedStackReferences: string[];
  /** Provider functions (data-source lookups) answered offline. */
  offlineLookups: OfflineLookup[];
}

/**
 * A preview's outputs: the inputs, plus the computed outputs as unknowns, or for a component
 * (and the stack) the outputs it registered.
 */
function completeOutputs(
  resources: ResourceRecord[],
  done: Extract<ProgramChildMessage, { kind: "done" }>,
): ProgramRun {
  for (const resource of resources) {
    for (const name of done.computedOutputs[resource.urn] ?? []) resource.outputs[name] = UNKNOWN_STRING_SENTINEL;
    const registered = done.registeredOutputs[resource.urn];
    if (registered) resource.outputs = { ...resource.inputs, ...registered };
  }
  const stack = resources.find((resource) => resource.type === RESOURCE_TYPES.pulumiStack);
  return {
    resources,
    stackOutputs: stack ? stack.outputs : {},
    undecryptedConfigRead: done.undecryptedConfigRead,
    unsuppliedStackReferences: done.unsuppliedStackReferences,
    offlineLookups: done.offlineLookups,
  };
}

/** The child module next to this one: programChild.js in dist/, programChild.ts from the sources. */
function childModulePath(): string {
  const compiled = path.join(__dirname, "programChild.js");
  return fs.existsSync(compiled) ? compiled : path.join(__dirname, "programChild.ts");
}

/**
 * Pulumi's runtime allocates a few promises and outputs per property of every resource, all short-lived:
 * with Node's default young generation the program's process spent about a third of its CPU in
 * garbage collection at 1,000 components. A larger one collects less often (~10% less CPU there).
 */
const PROGRAM_HEAP_FLAG = "--max-semi-space-size=64";

export interface RunProgramOptions {
  /** Receives what the program prints (its console output is not the report's). */
  onOutput?: (line: string) => void;
  /** Receives each resource as soon as it is registered; its outputs are completed when the program ends. */
  onResource?: (resource: ResourceRecord) => void;
  /** Stops the program's process when aborted. */
  signal?: AbortSignal;
  /** Referenced stacks' outputs (`--stack-outputs`): stack name -> outputs. */
  stackOutputs?: Record<string, Record<string, unknown>>;
  /** The program's deadline: past it the process is killed and the run fails (default: none). */
  timeoutMs?: number;
  /** The run's deadline, for the message when `signal` is aborted with a ProgramDeadlineReason. */
  deadlineMs?: number;
  /** Compile the program with type checking, as `pulumi preview` does (see typescriptLoader.ts). */
  typecheck?: boolean;
}

/** "10m", "90s": how a deadline reads in a message. */
function describeDuration(milliseconds: number): string {
  return milliseconds % 60_000 === 0 ? `${milliseconds / 60_000}m` : `${Math.round(milliseconds / 1000)}s`;
}

/** How long the program's stdout and stderr may take to drain after it exited, before they are cut. */
const OUTPUT_DRAIN_MS = 1_000;

/** Why a run stopped the program: its deadline (`--timeout`) passed. */
export class ProgramDeadlineReason {
  readonly kind = "deadline";
}

function programLabel(project: PulumiProject): string {
  return path.relative(process.cwd(), project.programPath) || project.programPath;
}

function deadlineError(project: PulumiProject, timeoutMs: number | undefined): ProgramError {
  return new ProgramError(
    `program ${programLabel(project)} did not finish within ${timeoutMs === undefined ? "the deadline" : describeDuration(timeoutMs)} (--timeout) and was stopped: ` +
      "something keeps it running (a loop, a promise that never settles, a timer, a child process or an open connection), which would keep pulumi preview from finishing too",
  );
}

/** Splits output into lines as it arrives: a line cut between two chunks is passed on whole. */
function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let pending = "";
  return {
    push(chunk) {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    },
    end() {
      if (pending.length > 0) onLine(pending);
      pending = "";
    },
  };
}

export function runProgram(project: PulumiProject, options: RunProgramOptions = {}): Promise<ProgramRun> {
  const { onOutput = () => {}, onResource, signal, timeoutMs, typecheck = false } = options;
  const job: ProgramJob = {
    projectDir: project.projectDir,
    programDir: project.programDir,
    programPath: project.programPath,
    esModule: project.esModule,
    typescript: project.typescript,
    project: project.project,
    stack: project.stack,
    config: project.config,
    secretKeys: project.secretKeys,
    undecryptableKeys: Object.keys(project.undecryptable),
    stackOutputs: options.stackOutputs ?? {},
    region: project.region,
    typecheck,
  };
  return new Promise((resolve, reject) => {
    // Node's arguments from Pulumi.yaml (`nodeargs`) come first, as the language host passes them.
    // Its own process group (detached): a deadline or a signal kills the program together with
    // any child it started that holds its stdout or stderr.
    const child = spawn(process.execPath, [...project.nodeArgs, PROGRAM_HEAP_FLAG, "-e", TYPESCRIPT_LOADER_SOURCE], {
      // The program runs in its `main` folder (or its main file's folder), as under `pulumi preview`.
      cwd: project.programDir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: {
        ...process.env,
        // Only what the loader needs before the IPC channel is read; the job itself (config and
        // stack outputs, any size, secrets among them) goes over the channel, never through the
        // environment, which caps one variable at 128 KiB (spawn E2BIG) and is readable by
        // every process the program starts.
        [PROGRAM_LOADER_ENV]: JSON.stringify({
          programDir: job.programDir,
          typecheck,
          typescript: job.typescript,
          esModule: job.esModule,
        }),
        KEYGUARD_CHILD_MODULE: childModulePath(),
        KEYGUARD_GATE_DIR: __dirname,
      },
    });
    const killGroup = () => killProcessGroup(child.pid);
    const untrack = trackProcess(killGroup);
    let stopReason: "deadline" | "aborted" | undefined;
    // The gate gave up (the pack did not start, the run's deadline passed, keyguard was signalled).
    // SIGKILL, not a polite signal: a program stuck in a loop never runs a handler.
    const onAbort = () => {
      stopReason ??= signal?.reason instanceof ProgramDeadlineReason ? "deadline" : "aborted";
      killGroup();
    };
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const deadline =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            stopReason ??= "deadline";
            killGroup();
          }, timeoutMs);
    const resources: ResourceRecord[] = [];
    let result: ProgramChildMessage | undefined;
    const stderrTail: string[] = [];
    const forward = (line: string, keep: boolean) => {
      if (line.trim().length === 0) return;
      onOutput(line);
      if (keep) stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
    };
    const stdoutLines = lineSplitter((line) => forward(line, false));
    const stderrLines = lineSplitter((line) => forward(line, true));
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => stdoutLines.push(chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderrLines.push(chunk));
    child.on("message", (message: ProgramChildMessage | { kind: "ready" }) => {
      if (message.kind === "ready") {
        child.send({ kind: "job", job });
        return;
      }
      if (message.kind === "registered") {
        const resource: ResourceRecord = { ...message.record, outputs: { ...message.record.inputs } };
        resources.push(resource);
        onResource?.(resource);
        return;
      }
      // The first failure stands: the child reports no success after it.
      if (result?.kind !== "failed") result = message;
    });
    let settled = false;
    const settle = (code: number | null, exitSignal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      if (deadline) clearTimeout(deadline);
      signal?.removeEventListener("abort", onAbort);
      untrack();
      // Whatever the program left behind (a `sleep` holding its stdout) goes with it, and its
      // pipes are closed from this side: the run never waits for a process it did not need.
      killGroup();
      child.stdout?.destroy();
      child.stderr?.destroy();
      stdoutLines.end();
      stderrLines.end();
      if (stopReason === "deadline") {
        reject(deadlineError(project, timeoutMs ?? options.deadlineMs));
      } else if (stopReason === "aborted") {
        reject(new ProgramError(`program ${programLabel(project)} was stopped`));
      } else if (result?.kind === "done") {
        resolve(completeOutputs(resources, result));
      } else if (result?.kind === "failed") {
        reject(new ProgramError(`program ${programLabel(project)} failed: ${result.reason}`));
      } else {
        const lastError = stderrTail.find((line) => /Error/.test(line)) ?? stderrTail[stderrTail.length - 1] ?? "";
        reject(
          new ProgramError(
            `program ${project.programPath} exited with ${exitSignal ?? `code ${code}`} before finishing${lastError ? `: ${lastError.trim()}` : ""}`,
          ),
        );
      }
    };
    child.on("error", (error) => {
      if (settled) return;
      settled = true;
      if (deadline) clearTimeout(deadline);
      untrack();
      reject(new ProgramError(`could not start the program's process: ${error.message}`));
    });
    // 'close' comes once stdout and stderr are drained; a child of the program still holding them
    // would delay it forever, so after the exit they get a moment, then are cut.
    child.on("close", (code, exitSignal) => settle(code, exitSignal));
    child.on("exit", (code, exitSignal) => {
      killGroup();
      setTimeout(() => settle(code, exitSignal), OUTPUT_DRAIN_MS).unref();
    });
  });
}
