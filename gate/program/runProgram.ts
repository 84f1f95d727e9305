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
import { TYPESCRIPT_LOADER_SOURCE } from "./typescriptLoader";
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
  /** Compile the program with type checking, as `pulumi preview` does (see typescriptLoader.ts). */
  typecheck?: boolean;
}

/** "10m", "90s": how a deadline reads in a message. */
function describeDuration(milliseconds: number): string {
  return milliseconds % 60_000 === 0 ? `${milliseconds / 60_000}m` : `${Math.round(milliseconds / 1000)}s`;
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
    const child = spawn(process.execPath, [...project.nodeArgs, PROGRAM_HEAP_FLAG, "-e", TYPESCRIPT_LOADER_SOURCE], {
      // The program runs in its `main` folder (or its main file's folder), as under `pulumi preview`.
      cwd: project.programDir,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: {
        ...process.env,
        KEYGUARD_PROGRAM_JOB: JSON.stringify(job),
        KEYGUARD_CHILD_MODULE: childModulePath(),
        KEYGUARD_GATE_DIR: __dirname,
        // Pulumi's runtime reads these when it is connected to an engine; the mocks replace it.
        PULUMI_CONFIG: JSON.stringify(project.config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(project.secretKeys),
      },
    });
    // The gate gave up (the pack did not start): the program's answer is no longer wanted.
    signal?.addEventListener("abort", () => child.kill("SIGKILL"), { once: true });
    // SIGKILL, not a polite signal: a program stuck in a loop never runs a handler.
    let timedOut = false;
    const deadline =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, timeoutMs);
    const resources: ResourceRecord[] = [];
    let result: ProgramChildMessage | undefined;
    const stderrTail: string[] = [];
    const forward = (chunk: Buffer, keep: boolean) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim().length === 0) continue;
        onOutput(line);
        if (keep) stderrTail.push(line);
        if (stderrTail.length > 20) stderrTail.shift();
      }
    };
    child.stdout?.on("data", (chunk: Buffer) => forward(chunk, false));
    child.stderr?.on("data", (chunk: Buffer) => forward(chunk, true));
    child.on("message", (message: ProgramChildMessage) => {
      if (message.kind === "registered") {
        const resource: ResourceRecord = { ...message.record, outputs: { ...message.record.inputs } };
        resources.push(resource);
        onResource?.(resource);
        return;
      }
      // The first failure stands: the child reports no success after it.
      if (result?.kind !== "failed") result = message;
    });
    child.on("error", (error) => reject(new ProgramError(`could not start the program's process: ${error.message}`)));
    child.on("exit", (code, signal) => {
      if (deadline) clearTimeout(deadline);
      if (timedOut) {
        reject(
          new ProgramError(
            `program ${path.relative(process.cwd(), project.programPath) || project.programPath} did not finish within ${describeDuration(timeoutMs!)} (--timeout) and was stopped: ` +
              "something keeps it running (a loop, a promise that never settles, a timer or an open connection), which would keep pulumi preview from finishing too",
          ),
        );
      } else if (result?.kind === "done") {
        resolve(completeOutputs(resources, result));
      } else if (result?.kind === "failed") {
        reject(
          new ProgramError(
            `program ${path.relative(process.cwd(), project.programPath) || project.programPath} failed: ${result.reason}`,
          ),
        );
      } else {
        const lastError = stderrTail.find((line) => /Error/.test(line)) ?? stderrTail[stderrTail.length - 1] ?? "";
        reject(
          new ProgramError(
            `program ${project.programPath} exited with ${signal ?? `code ${code}`} before finishing${lastError ? `: ${lastError.trim()}` : ""}`,
          ),
        );
      }
    });
  });
}
