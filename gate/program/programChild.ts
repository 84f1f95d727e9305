/**
 * The child process of `keyguard check`: runs one Pulumi program in preview mode under Pulumi's
 * unit-test mocks and sends back every registration it made. It runs in its own process because
 * Pulumi's runtime state (mocks, the stack resource, config) is per process and a program can
 * only run once per process.
 *
 * Started by runProgram.ts through a small bootstrap that first installs a TypeScript loader
 * (see typescriptLoader.ts); the job comes over the IPC channel, which carries the result back.
 */
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import { declaringLocation, recordDeclaringFrames } from "./declaringLocation";
import type { ResourceRecord } from "../resourceRecord";
import { invokeResult, offlineAnswerKind, readKeyState, type OfflineAnswer } from "./offlineInvokes";

/** A provider function the program called, which the gate answered offline. */
export interface OfflineLookup {
  token: string;
  calls: number;
  answer: OfflineAnswer;
}
import { installOfflineSecureConfig } from "./offlineSecureConfig";
import { RESOURCE_TYPES, UNKNOWN_STRING_SENTINEL, wireSecret, withPulumiAwsDefaults } from "../../facts";
import { deferArboristLoad, silenceSerializerWarnings } from "./sdkLoadTweaks";
import { oneLineReason } from "../usageError";
import { withoutResourceReferences } from "./engineInputs";

export interface ProgramJob {
  projectDir: string;
  /** The program's working directory; @pulumi/pulumi is found from here, as the language host finds it. */
  programDir: string;
  /** The module the Pulumi runtime would load (Pulumi.yaml `main`, resolved; see programEntry.ts). */
  programPath: string;
  /** Loaded with `import()`, as the language host loads a `"type": "module"` package. */
  esModule: boolean;
  /** Pulumi.yaml `runtime.options.typescript`: the loader registers ts-node only when true. */
  typescript: boolean;
  project: string;
  stack: string;
  /** Pulumi's runtime config: fully qualified key (`ns:key`) to string value. */
  config: Record<string, string>;
  secretKeys: string[];
  /** `secure:` keys that could not be decrypted: the program gets them as unknown secrets. */
  undecryptableKeys: string[];
  /** Referenced stacks' outputs the user supplied (`--stack-outputs`): stack name -> outputs. */
  stackOutputs: Record<string, Record<string, unknown>>;
  region: string;
  /** Read by the TypeScript loader: compile with type checking, as `pulumi preview` does. */
  typecheck: boolean;
}

/**
 * Each resource is sent as soon as it is registered (its inputs are final then), so the gate
 * analyzes it while the program goes on, as the engine does; outputs are completed at the end.
 */
export type ProgramChildMessage =
  | { kind: "registered"; record: Omit<ResourceRecord, "outputs"> }
  | {
      kind: "done";
      /** URN -> the computed outputs a preview cannot know (unknown). */
      computedOutputs: Record<string, string[]>;
      /** URN -> outputs a component registered with registerOutputs (the stack's included). */
      registeredOutputs: Record<string, Record<string, unknown>>;
      /** The undecryptable `secure:` keys the program read. */
      undecryptedConfigRead: string[];
      /** Stacks the program referenced (StackReference) whose outputs were not supplied. */
      unsuppliedStackReferences: string[];
      /** Provider functions answered offline (preview asks the provider, so AWS). */
      offlineLookups: OfflineLookup[];
    }
  | { kind: "failed"; reason: string };

/** The pulumirpc.ReadResourceRequest accessors the recorder reads. */
interface ReadResourceRequestLike {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getDependenciesList(): string[];
}

/** The pulumirpc.RegisterResourceRequest accessors the recorder reads (google-protobuf generated). */
interface RegisterResourceRequestLike {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  /** The provider package's version (the `version` resource option @pulumi/aws sets on every resource). */
  getVersion?(): string;
  getProtect?(): boolean;
  getRemote?(): boolean;
  getProvider(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(callback: (value: { getUrnsList(): string[] }, key: string) => void): void };
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

type Callback = (err: unknown, response: unknown) => void;

function send(message: ProgramChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      process.stdout.write(JSON.stringify(message) + "\n");
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

const computedOutputsByClass = new Map<unknown, string[]>();

/**
 * The outputs a resource class computes (ids, ARNs, endpoints): Pulumi's generated classes set
 * them with `resourceInputs["arn"] = undefined /*out*\/`, the code generator's own marker, so the
 * class's source lists exactly the properties that a preview cannot know. Optional inputs the
 * program left unset are not among them, as in a real preview.
 */
function computedOutputNames(resourceClass: unknown): string[] {
  let names = computedOutputsByClass.get(resourceClass);
  if (!names) {
    const source = typeof resourceClass === "function" ? Function.prototype.toString.call(resourceClass) : "";
    names = [
      ...new Set(
        [...source.matchAll(/resourceInputs\["([A-Za-z0-9_]+)"\] = undefined \/\*out\*\//g)].map((match) => match[1]),
      ),
    ];
    computedOutputsByClass.set(resourceClass, names);
  }
  return names;
}

async function runJob(job: ProgramJob): Promise<ProgramChildMessage> {
  // The program must share one @pulumi/pulumi with us, or the mocks would not see its resources.
  const pulumiEntry = require.resolve("@pulumi/pulumi", { paths: [job.programDir, __dirname] });
  const pulumiDir = path.dirname(pulumiEntry);
  deferArboristLoad();
  silenceSerializerWarnings();
  // Pulumi stamps every internal promise with `new Error().stack`, read only to debug promise
  // leaks (PULUMI_DEBUG_PROMISE_LEAKS): at 1,000 components that is a third of the run. Resource
  // source positions do not depend on it (the SDK lifts the limit while it takes them), and the
  // gate reports errors by message.
  if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS) Error.stackTraceLimit = 0;
  const pulumi = require(pulumiEntry) as typeof import("@pulumi/pulumi");
  recordDeclaringFrames(pulumiDir);
  const settings = require(path.join(pulumiDir, "runtime", "settings")) as {
    getMonitor(): Record<string, unknown>;
    waitForRPCs(): Promise<void>;
  };

  const records = new Map<string, Omit<ResourceRecord, "outputs">>();
  const registeredOutputs: Record<string, Record<string, unknown>> = {};
  const unsuppliedStackReferences = new Set<string>();
  /** Provider functions the program called, answered offline: token -> calls. */
  const offlineLookups = new Map<string, number>();
  /**
   * A StackReference's state as the engine reads it during preview: the referenced stack's outputs
   * (all marked secret: a `--show-secrets` listing does not say which were), or, when the user did
   * not supply them, unknown: the SDK turns the unknown sentinel into an unknown Output, so every
   * value taken from it is unknown and still depends on the reference.
   */
  const stackReferenceState = (stackName: string): Record<string, unknown> => {
    const supplied = Object.prototype.hasOwnProperty.call(job.stackOutputs, stackName)
      ? job.stackOutputs[stackName]
      : undefined;
    if (supplied) return { name: stackName, outputs: supplied, secretOutputNames: Object.keys(supplied) };
    unsuppliedStackReferences.add(stackName);
    return { name: stackName, outputs: UNKNOWN_STRING_SENTINEL, secretOutputNames: UNKNOWN_STRING_SENTINEL };
  };
  await pulumi.runtime.setMocks(
    {
      // A preview knows a new resource's inputs and nothing else: returning only the inputs
      // (and no id) leaves every other output unknown, as in `pulumi preview`.
      newResource: (args) =>
        args.type === RESOURCE_TYPES.stackReference
          ? { id: args.id ?? args.name, state: stackReferenceState(String(args.inputs.name ?? args.id ?? args.name)) }
          : args.id && args.type === RESOURCE_TYPES.kmsKey
            ? { id: args.id, state: readKeyState(args.id, args.inputs, job.region) }
            : { id: undefined as unknown as string, state: args.inputs },
      call: (args) => {
        offlineLookups.set(args.token, (offlineLookups.get(args.token) ?? 0) + 1);
        return invokeResult(args.token, args.inputs, job.region, job.programDir);
      },
    },
    job.project,
    job.stack,
    true,
  );
  pulumi.runtime.setAllConfig(job.config, job.secretKeys);
  const undecryptedConfigRead = new Set<string>();
  installOfflineSecureConfig(
    pulumi as unknown as Parameters<typeof installOfflineSecureConfig>[0],
    (require(path.join(pulumiDir, "output")) as { Output: Parameters<typeof installOfflineSecureConfig>[1] }).Output,
    new Set(job.undecryptableKeys),
    (key) => undecryptedConfigRead.add(key),
  );

  const monitor = settings.getMonitor();
  const registerResource = (monitor.registerResource as (req: unknown, cb: Callback) => Promise<void>).bind(monitor);
  monitor.registerResource = (request: RegisterResourceRequestLike, callback: Callback) => {
    const propertyDependencies: Record<string, string[]> = {};
    request.getPropertydependenciesMap().forEach((value, key) => {
      propertyDependencies[key] = value.getUrnsList();
    });
    // As the engine analyzes them: after the provider's Check (its defaults, by the @pulumi/aws major
    // the resource was registered with), marshalled without resource references.
    const inputs = withPulumiAwsDefaults(
      request.getType(),
      withoutResourceReferences(request.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
      request.getVersion?.(),
    );
    const record: Omit<ResourceRecord, "outputs"> = {
      urn: "",
      type: request.getType(),
      name: request.getName(),
      custom: request.getCustom(),
      parent: request.getParent() || undefined,
      dependencies: request.getDependenciesList(),
      propertyDependencies,
      inputs,
      provider: request.getProvider() || undefined,
      protect: request.getProtect?.() || undefined,
      remote: request.getRemote?.() || undefined,
      sourceLocation: declaringLocation(request.getType(), request.getName(), job.projectDir),
    };
    return registerResource(request, (err: unknown, response: unknown) => {
      if (!err && response) {
        record.urn = (response as { getUrn(): string }).getUrn();
        records.set(record.urn, record);
        process.send?.({ kind: "registered", record } satisfies ProgramChildMessage);
      }
      callback(err, response);
    });
  };
  // A StackReference is a read: the engine reads its state and puts it in the stack (AnalyzeStack sees
  // it, so a value taken from it keeps its origin), but analyzes no inputs. Other reads (`.get()`) are
  // left out: their cloud state is not known offline, and an empty stand-in (a key with no
  // enableKeyRotation) would be judged as if it were the real resource.
  const readResource = (monitor.readResource as (req: unknown, cb: Callback) => Promise<void>).bind(monitor);
  monitor.readResource = (request: ReadResourceRequestLike, callback: Callback) =>
    readResource(request, (err: unknown, response: unknown) => {
      if (!err && response && request.getType() === RESOURCE_TYPES.stackReference) {
        const read = response as {
          getUrn(): string;
          getProperties(): { toJavaScript(): Record<string, unknown> } | undefined;
        };
        const state = read.getProperties()?.toJavaScript() ?? {};
        // The engine hands a StackReference's outputs over as a secret when any of them is one.
        if (state.outputs !== UNKNOWN_STRING_SENTINEL && state.outputs !== undefined)
          state.outputs = wireSecret(state.outputs);
        const record: Omit<ResourceRecord, "outputs"> = {
          urn: read.getUrn(),
          type: request.getType(),
          name: request.getName(),
          custom: true,
          parent: request.getParent() || undefined,
          dependencies: request.getDependenciesList(),
          propertyDependencies: {},
          inputs: state,
          provider: request.getProvider() || undefined,
          read: true,
          sourceLocation: declaringLocation(request.getType(), request.getName(), job.projectDir),
        };
        records.set(record.urn, record);
        process.send?.({ kind: "registered", record } satisfies ProgramChildMessage);
      }
      callback(err, response);
    });
  const registerResourceOutputs = (monitor.registerResourceOutputs as (req: unknown, cb: Callback) => void).bind(
    monitor,
  );
  monitor.registerResourceOutputs = (
    request: { getUrn(): string; getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined },
    callback: Callback,
  ) => {
    registeredOutputs[request.getUrn()] = withoutResourceReferences(
      request.getOutputs()?.toJavaScript() ?? {},
    ) as Record<string, unknown>;
    return registerResourceOutputs(request, callback);
  };

  // Resource objects, to learn which outputs each class computes: a preview knows none of them.
  const resourceObjects: Record<string, unknown>[] = [];
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      resourceObjects.push(args.resource as unknown as Record<string, unknown>);
      return undefined;
    });
    return (await loadProgram(job)) as Record<string, unknown>;
  });
  await settings.waitForRPCs();
  // `pulumi preview` treats the program as finished only when Node's event loop is empty (its
  // cmd/run signals the engine from `beforeExit`): a promise the program did not await, a timer,
  // still runs, may register resources, and its failure fails the preview. So here too.
  await eventLoopDrained();
  await settings.waitForRPCs();

  const computedOutputs: Record<string, string[]> = {};
  for (const resource of resourceObjects) {
    // Checked now, not in the transformation: the constructor marks the object custom after it runs.
    if (!pulumi.CustomResource.isInstance(resource)) continue;
    const urn = await (resource.urn as unknown as { promise(): Promise<string> }).promise();
    const record = records.get(urn);
    if (!record) continue;
    const computed = computedOutputNames(resource.constructor).filter((key) => !(key in record.inputs));
    if (computed.length > 0) computedOutputs[urn] = computed;
  }
  return {
    kind: "done",
    computedOutputs,
    registeredOutputs,
    undecryptedConfigRead: [...undecryptedConfigRead].sort(),
    unsuppliedStackReferences: [...unsuppliedStackReferences].sort(),
    offlineLookups: [...offlineLookups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([token, calls]) => ({ token, calls, answer: offlineAnswerKind(token, job.programDir) })),
  };
}

/** `import()` as the language host spells it, so TypeScript's CommonJS output keeps it a real dynamic import. */
const dynamicImport = (0, eval)("u=>import(u)") as (specifier: string) => Promise<Record<string, unknown>>;

/**
 * Loads the program and runs it as @pulumi/pulumi's cmd/run/run.js does: an ES module with
 * `import()` (its default export, if any, stands for the module, and may not sit beside named
 * exports), CommonJS with `require()`; an exported function is called, and what it (or the module)
 * gives, awaited, becomes the stack's outputs.
 */
async function loadProgram(job: ProgramJob): Promise<unknown> {
  let programExport: unknown;
  if (job.esModule) {
    try {
      programExport = await dynamicImport(pathToFileURL(fs.realpathSync(job.programPath)).href);
    } catch (error) {
      const described = (globalThis as { __keyguardCompileError?: (error: unknown) => unknown }).__keyguardCompileError;
      throw described ? described(error) : error;
    }
    const namespace = programExport as Record<string, unknown>;
    if (Object.getOwnPropertyDescriptor(namespace, "default") !== undefined) {
      if (Object.keys(namespace).length !== 1)
        throw new Error("expected entrypoint module to have either a default export or named exports but not both");
      programExport = namespace.default;
    }
  } else {
    programExport = require(job.programPath) as unknown;
  }
  const result = programExport instanceof Function ? (programExport as () => unknown)() : programExport;
  return await result;
}

/**
 * Resolves when nothing is left for the event loop but the gate's own IPC channel, which is
 * unref'd for that (messages still go through: a pending write keeps the loop alive).
 */
function eventLoopDrained(): Promise<void> {
  (process.channel as { unref?(): void } | undefined)?.unref?.();
  return new Promise((resolve) => process.once("beforeExit", () => resolve()));
}

/** Runs the job once keyguard sent it over the IPC channel (see runProgram.ts: never through the environment). */
function runWhenSent(): void {
  // Reported once, the first failure: a rejection passed down a promise chain fires once per
  // promise, and @pulumi/pulumi's cmd/run also reports only the first of them.
  let failed = false;
  const fail = (what: string) => (error: unknown) => {
    if (failed) return;
    failed = true;
    void send({ kind: "failed", reason: `${what}${oneLineReason(error)}` }).then(() => process.exit(3));
  };
  process.once("message", (message: { kind: "job"; job: ProgramJob }) => {
    // As under `pulumi preview`, whose cmd/run logs both as errors and so fails the preview:
    // an async function called without `await` that throws, a throw inside a callback or timer.
    process.on("unhandledRejection", fail("unhandled rejection (a promise the program did not await): "));
    process.on("uncaughtException", fail("uncaught exception: "));
    runJob(message.job).then((done) => {
      if (!failed) void send(done).then(() => process.exit(0));
    }, fail(""));
  });
  process.send?.({ kind: "ready" });
}

if (process.env.KEYGUARD_CHILD_MODULE !== undefined && process.send) runWhenSent();
