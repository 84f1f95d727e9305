/**
 * The engine's side of the `pulumirpc.Analyzer` protocol: launches a policy pack exactly as
 * `pulumi preview --policy-pack <dir>` does and talks to it over gRPC.
 *
 * How the engine launches a pack (and so how this host does):
 *   `node <@pulumi/pulumi>/cmd/run-policy-pack <engine-address> .` with cwd = the pack directory.
 *   The pack prints its gRPC port on the first line of stdout and serves `pulumirpc.Analyzer` on
 *   127.0.0.1. run-policy-pack drops `<engine-address>` before running the pack (see its index.js:
 *   `argv._.shift()`), and @pulumi/policy never calls the engine, so no Engine server is needed.
 *
 * The requests and responses are plain data (`protocol.ts`), converted in `marshal.ts`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import {
  analyzeRequest,
  analyzeResultFromWire,
  analyzeStackRequest,
  analyzerInfoFromWire,
  configureRequest,
  configureStackRequest,
  remediateResultFromWire,
} from "./marshal";
import { normalizePolicyPackConfig, type PolicyPackConfig, type ResolvedPolicyConfig } from "./packConfig";
import type {
  AnalyzeResult,
  AnalyzerInfo,
  AnalyzerResource,
  AnalyzerStackResource,
  RemediateResult,
  StackConfiguration,
} from "./protocol";

/**
 * A pack call that failed. `packError` is the pack's own error (its class name and message, as
 * @pulumi/policy relays them in the gRPC status: "<Name>: <message>" after its own prefix), so a
 * caller can tell the pack's config errors from its crashes by name rather than by wording.
 */
export class PolicyPackCallError extends Error {
  override readonly name = "PolicyPackCallError";
  constructor(
    message: string,
    readonly packError: { name: string; message: string } | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The pack did not start: it exited, failed to spawn, or printed no port in time. `reason` says
 * which, `packError` is the last "<Name>Error: <message>" line of its stderr (why, when it said),
 * and `stderrTail` the end of its stderr for a reader who wants more.
 */
export class PolicyPackStartError extends Error {
  override readonly name = "PolicyPackStartError";
  constructor(
    readonly packDir: string,
    readonly reason: string,
    readonly stderrTail: string,
  ) {
    super(`policy pack in ${packDir} ${reason}${stderrTail ? `\npack stderr:\n${stderrTail}` : ""}`);
  }

  /** The pack's own last error line on stderr, e.g. "TypeError: x is not a function". */
  get packError(): string | undefined {
    return stderrErrorLine(this.stderrTail);
  }
}

/** The last line of a process's stderr that names an error ("SomethingError: ..."). */
function stderrErrorLine(stderr: string): string | undefined {
  return stderr
    .split("\n")
    .reverse()
    .find((line) => /\b[A-Za-z]*Error\b:/.test(line))
    ?.trim();
}

/** The first "<ErrorName>: <message>" line of a gRPC status's details: the pack's error. */
function packErrorOf(details: string): { name: string; message: string } | undefined {
  const match = /^\s*([A-Za-z_$][\w$]*Error): (.*)$/m.exec(details);
  return match ? { name: match[1], message: match[2] } : undefined;
}

/** A unary method of a generated gRPC client (the form with metadata and call options). */
type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

function unary<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  timeoutMs: number,
  what: string,
  stderr: () => string,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => {
      if (error) {
        const tail = stderr().trim();
        const details = error.details || error.message;
        reject(
          new PolicyPackCallError(
            `policy pack ${what} failed: ${details}${tail ? `\npack stderr:\n${tail.slice(-4000)}` : ""}`,
            packErrorOf(details),
            { cause: error },
          ),
        );
      } else {
        resolve(response);
      }
    });
  });
}

export interface StartAnalyzerOptions {
  /** The policy pack directory (holds PulumiPolicy.yaml and package.json). */
  packDir: string;
  /** Environment of the pack process. Default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Extra node flags before the run-policy-pack script (e.g. `--require` a probe). Default: none. */
  nodeArgs?: string[];
  /** The address passed as `<engine-address>`; run-policy-pack discards it. Default: "127.0.0.1:0". */
  engineAddress?: string;
  /** How long to wait for the port line. Default: 30 000 ms. */
  startTimeoutMs?: number;
  /** Deadline of each RPC. Default: 60 000 ms. */
  callTimeoutMs?: number;
  /** Told the pack's process as soon as it is spawned (keyguard stops it when it is signalled). */
  onSpawn?: (child: ChildProcess) => void;
}

/** AnalyzeStack's deadline per resource, beyond the per-call one: generous, it only catches a hung pack. */
const ANALYZE_STACK_MS_PER_RESOURCE = 2;

/** Where the engine's policy-pack launcher lives: `<@pulumi/pulumi>/cmd/run-policy-pack`. */
export function runPolicyPackPath(): string {
  return path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "run-policy-pack");
}

/** A running policy pack and a gRPC client to it. Create with `startAnalyzer`. */
export class AnalyzerHost {
  /** The port the pack printed on its first stdout line. */
  readonly port: number;
  /** Milliseconds from spawn to the port line (what `pulumi preview` waits before it can analyze). */
  readonly startupMs: number;
  private readonly child: ChildProcess;
  private readonly client: analyzerRpc.AnalyzerClient;
  private readonly callTimeoutMs: number;
  private readonly stderrChunks: string[];
  private info: AnalyzerInfo | undefined;
  private closed = false;

  /** @internal use startAnalyzer */
  constructor(child: ChildProcess, port: number, startupMs: number, stderrChunks: string[], callTimeoutMs: number) {
    this.child = child;
    this.port = port;
    this.startupMs = startupMs;
    this.stderrChunks = stderrChunks;
    this.callTimeoutMs = callTimeoutMs;
    this.client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": 400 * 1024 * 1024,
      "grpc.max_send_message_length": 400 * 1024 * 1024,
    });
  }

  /** The pack process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Everything the pack wrote to stderr so far. */
  stderr(): string {
    return this.stderrChunks.join("");
  }

  private call<Req, Res>(
    method: UnaryMethod<Req, Res>,
    request: Req,
    what: string,
    timeoutMs = this.callTimeoutMs,
  ): Promise<Res> {
    if (this.closed) return Promise.reject(new Error(`policy pack ${what}: the analyzer host is closed`));
    return unary(method.bind(this.client), request, timeoutMs, what, () => this.stderr());
  }

  /** `GetAnalyzerInfo`: the pack's name, version, policies (with levels and config schemas). Cached. */
  async getAnalyzerInfo(): Promise<AnalyzerInfo> {
    if (this.info) return this.info;
    const response = await this.call<Empty, analyzerProto.AnalyzerInfo>(
      this.client.getAnalyzerInfo,
      new Empty(),
      "GetAnalyzerInfo",
    );
    this.info = analyzerInfoFromWire(response);
    return this.info;
  }

  /**
   * `Configure`: sends every policy's level and properties, resolved from a `--policy-pack-config`
   * object as the engine does (see `normalizePolicyPackConfig`). Returns what was sent.
   * `{}` configures every policy with its defaults.
   */
  async configure(config: PolicyPackConfig = {}): Promise<Record<string, ResolvedPolicyConfig>> {
    const resolved = normalizePolicyPackConfig(config, await this.getAnalyzerInfo());
    await this.call<analyzerProto.ConfigureAnalyzerRequest, Empty>(
      this.client.configure,
      configureRequest(resolved),
      "Configure",
    );
    return resolved;
  }

  /** `ConfigureStack`: the stack's name, project and tags (policies may read `stackTags`). */
  async configureStack(stack: StackConfiguration): Promise<void> {
    await this.call(this.client.configureStack, configureStackRequest(stack), "ConfigureStack");
  }

  /** `Analyze`: resource policies on one resource's inputs. */
  async analyze(resource: AnalyzerResource): Promise<AnalyzeResult> {
    const response = await this.call<analyzerProto.AnalyzeRequest, analyzerProto.AnalyzeResponse>(
      this.client.analyze,
      analyzeRequest(resource),
      `Analyze of ${resource.urn}`,
    );
    return analyzeResultFromWire(response);
  }

  /** `AnalyzeStack`: stack policies on all resources' outputs, with parents and dependencies. */
  async analyzeStack(resources: AnalyzerStackResource[]): Promise<AnalyzeResult> {
    const response = await this.call<analyzerProto.AnalyzeStackRequest, analyzerProto.AnalyzeResponse>(
      this.client.analyzeStack,
      analyzeStackRequest(resources),
      "AnalyzeStack",
      // One call judges the whole stack: its deadline grows with it (a 200,000-resource audit).
      Math.max(this.callTimeoutMs, resources.length * ANALYZE_STACK_MS_PER_RESOURCE),
    );
    return analyzeResultFromWire(response);
  }

  /** `Remediate`: remediations (policies at level `remediate`) on one resource's inputs. */
  async remediate(resource: AnalyzerResource): Promise<RemediateResult> {
    const response = await this.call<analyzerProto.AnalyzeRequest, analyzerProto.RemediateResponse>(
      this.client.remediate,
      analyzeRequest(resource),
      `Remediate of ${resource.urn}`,
    );
    return remediateResultFromWire(response);
  }

  /** Closes the client and stops the pack (SIGTERM, then SIGKILL after 5 s). Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const killTimer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
      this.child.once("exit", () => {
        clearTimeout(killTimer);
        resolve();
      });
      this.child.kill("SIGTERM");
    });
  }
}

/**
 * Launches the pack in `packDir` as the engine does and resolves once it printed its port.
 * Rejects with the pack's stderr when it exits first or stays silent past `startTimeoutMs`.
 */
export function startAnalyzer(options: StartAnalyzerOptions): Promise<AnalyzerHost> {
  const packDir = path.resolve(options.packDir);
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const started = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), runPolicyPackPath(), options.engineAddress ?? "127.0.0.1:0", "."],
    {
      cwd: packDir,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  options.onSpawn?.(child);
  const stderrChunks: string[] = [];
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderrChunks.push(chunk));
  return new Promise((resolve, reject) => {
    let stdout = "";
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      const tail = stderrChunks.join("").trim();
      reject(new PolicyPackStartError(packDir, reason, tail.slice(-4000)));
    };
    const timer = setTimeout(() => fail(`printed no port within ${startTimeoutMs} ms`), startTimeoutMs);
    child.once("error", (error) => fail(`could not be started: ${error.message}`));
    child.once("exit", (code, signal) => fail(`exited (code ${code}, signal ${signal}) before printing its port`));
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      if (settled) return;
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      const firstLine = stdout.slice(0, newline).trim();
      const port = Number(firstLine);
      if (!Number.isInteger(port) || port <= 0 || port > 65535) {
        fail(`printed ${JSON.stringify(firstLine.slice(0, 200))} instead of a port on its first stdout line`);
        return;
      }
      settled = true;
      clearTimeout(timer);
      // Keep draining stdout so the pack never blocks on a full pipe.
      child.stdout!.resume();
      const startupMs = Number(process.hrtime.bigint() - started) / 1e6;
      resolve(new AnalyzerHost(child, port, startupMs, stderrChunks, options.callTimeoutMs ?? 60_000));
    });
  });
}
