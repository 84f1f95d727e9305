/**
 * The engine's side of a Pulumi dynamic provider, for tests: it starts the real host
 * (`node node_modules/@pulumi/pulumi/cmd/dynamic-provider <engine-address>`), reads the port it
 * prints, and speaks `pulumirpc.ResourceProvider` to it (Check, Diff, Create, Update, Read, Delete)
 * with the provider's serialized text in `__provider`, exactly as the engine does.
 *
 * The host needs an engine address argument but only calls the engine from a provider's
 * `configure`, which RedshiftKeyRotation does not have; a closed address is passed.
 *
 * API:
 *   const text = await serializeRedshiftKeyRotationProvider({ tuning? })   serialized by Pulumi's closure serializer (child process)
 *   const text = await serializeProviderInThisProcess(tuning | null)       same, in a CommonJS (ts-node) process
 *   const host = await startDynamicProviderHost({ env })
 *   await host.check(olds, news) / diff(id, olds, news) / create(props) / update(id, olds, news) / read(id, props) / delete(id, props)
 *   host.kill() (SIGKILL, for "process killed mid-rotation"); await host.stop(); host.stderr()
 * Property bags passed in must carry `__provider` (use withProvider(text, props)).
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { startPluginProcess } from "./pluginProcess";

const REPOSITORY_ROOT = path.resolve(__dirname, "../..");
const HOST_ENTRY = path.join(REPOSITORY_ROOT, "node_modules/@pulumi/pulumi/cmd/dynamic-provider");
export const PROVIDER_KEY = "__provider";

export type Properties = Record<string, unknown>;

export interface HostDiff {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export interface DynamicProviderHost {
  readonly port: number;
  check(
    olds: Properties,
    news: Properties,
  ): Promise<{ inputs: Properties; failures: Array<{ property: string; reason: string }> }>;
  diff(id: string, olds: Properties, news: Properties): Promise<HostDiff>;
  create(properties: Properties): Promise<{ id: string; properties: Properties }>;
  update(id: string, olds: Properties, news: Properties): Promise<{ properties: Properties }>;
  read(id: string, properties: Properties): Promise<{ id: string; properties: Properties }>;
  delete(id: string, properties: Properties): Promise<void>;
  /** SIGKILL the host (a `pulumi up` killed mid-operation); pending calls fail. */
  kill(): void;
  stop(): Promise<void>;
  /** What the host wrote to stderr (it logs failed calls there). */
  stderr(): string;
}

export function withProvider(providerText: string, properties: Properties): Properties {
  return { ...properties, [PROVIDER_KEY]: providerText };
}

/**
 * Serializes RedshiftKeyRotation's provider with Pulumi's own closure serializer, in a separate
 * CommonJS process (ts-node), which is how a Pulumi TypeScript program loads it: the text is what
 * `pulumi.dynamic.Resource` stores in `__provider`. With `tuning`, the provider is built by
 * createRedshiftKeyRotationProvider with those poll/retry settings merged over the defaults.
 */
export async function serializeRedshiftKeyRotationProvider(
  options: { tuning?: SerializableTuning } = {},
): Promise<string> {
  // A file, not `node -e`: under -e, `exports` is a global and the serializer would not capture modules' exports.
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, SERIALIZE_FLAG], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, KEYGUARD_TUNING: JSON.stringify(options.tuning ?? null), TS_NODE_TRANSPILE_ONLY: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0 || !stdout.includes("exports.handler"))
    throw new Error(`serializing the provider failed (exit ${code}): ${stderr}`);
  return stdout;
}

const SERIALIZE_FLAG = "--serialize-redshift-key-rotation-provider";

/** Poll/retry settings merged over the provider's defaults (numbers only: they are passed as JSON). */
export interface SerializableTuning {
  poll?: Record<string, number>;
  retry?: Record<string, number>;
}

/**
 * Serializes the provider in THIS process, which must load TypeScript as CommonJS (ts-node), as a
 * Pulumi program does: under vitest's module loader the serializer would not see local modules.
 */
export async function serializeProviderInThisProcess(tuning: SerializableTuning | null): Promise<string> {
  const { serializeFunction } =
    require("@pulumi/pulumi/runtime/closure/serializeClosure") as typeof import("@pulumi/pulumi/runtime/closure/serializeClosure");
  const providerModule =
    require("../../providers/redshiftKeyRotation/provider") as typeof import("../../providers/redshiftKeyRotation/provider");
  const { DEFAULT_TUNING } = providerModule;
  const provider = tuning
    ? providerModule.createRedshiftKeyRotationProvider({
        ...DEFAULT_TUNING,
        poll: { ...DEFAULT_TUNING.poll, ...(tuning.poll ?? {}) },
        retry: { ...DEFAULT_TUNING.retry, ...(tuning.retry ?? {}) },
      })
    : providerModule.redshiftKeyRotationProvider;
  const serialized = await serializeFunction(() => provider, { allowSecrets: true });
  return serialized.text;
}

if (require.main === module && process.argv.includes(SERIALIZE_FLAG)) {
  serializeProviderInThisProcess(JSON.parse(process.env.KEYGUARD_TUNING || "null") as SerializableTuning | null)
    .then((text) => process.stdout.write(text))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}

export async function startDynamicProviderHost(
  options: { env?: Record<string, string> } = {},
): Promise<DynamicProviderHost> {
  const host = await startPluginProcess([HOST_ENTRY, "127.0.0.1:1"], {
    cwd: REPOSITORY_ROOT,
    env: options.env,
    what: "dynamic-provider host",
  });
  const port = host.port;
  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const toStruct = (properties: Properties) =>
    structproto.Struct.fromJavaScript(properties as Record<string, structproto.JavaScriptValue>);
  const unary = <Request, Response>(
    method: (request: Request, callback: (error: grpc.ServiceError | null, response: Response) => void) => unknown,
    request: Request,
  ) =>
    new Promise<Response>((resolve, reject) => {
      method.call(client, request, (error, response) => (error ? reject(hostError(error)) : resolve(response)));
    });

  return {
    port,
    async check(olds, news) {
      const request = new provproto.CheckRequest();
      request.setUrn("urn:pulumi:test::keyguard::pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation::rotation");
      request.setOlds(toStruct(olds));
      request.setNews(toStruct(news));
      const response = await unary<provproto.CheckRequest, provproto.CheckResponse>(client.check, request);
      return {
        inputs: (response.getInputs()?.toJavaScript() ?? {}) as Properties,
        failures: response
          .getFailuresList()
          .map((failure) => ({ property: failure.getProperty(), reason: failure.getReason() })),
      };
    },
    async diff(id, olds, news) {
      const request = new provproto.DiffRequest();
      request.setId(id);
      request.setOlds(toStruct(olds));
      request.setNews(toStruct(news));
      const response = await unary<provproto.DiffRequest, provproto.DiffResponse>(client.diff, request);
      const changes = response.getChanges();
      return {
        changes:
          changes === provproto.DiffResponse.DiffChanges.DIFF_SOME
            ? "some"
            : changes === provproto.DiffResponse.DiffChanges.DIFF_NONE
              ? "none"
              : "unknown",
        replaces: response.getReplacesList(),
        deleteBeforeReplace: response.getDeletebeforereplace(),
      };
    },
    async create(properties) {
      const request = new provproto.CreateRequest();
      request.setProperties(toStruct(properties));
      const response = await unary<provproto.CreateRequest, provproto.CreateResponse>(client.create, request);
      return { id: response.getId(), properties: (response.getProperties()?.toJavaScript() ?? {}) as Properties };
    },
    async update(id, olds, news) {
      const request = new provproto.UpdateRequest();
      request.setId(id);
      request.setOlds(toStruct(olds));
      request.setNews(toStruct(news));
      const response = await unary<provproto.UpdateRequest, provproto.UpdateResponse>(client.update, request);
      return { properties: (response.getProperties()?.toJavaScript() ?? {}) as Properties };
    },
    async read(id, properties) {
      const request = new provproto.ReadRequest();
      request.setId(id);
      request.setProperties(toStruct(properties));
      const response = await unary<provproto.ReadRequest, provproto.ReadResponse>(client.read, request);
      return { id: response.getId(), properties: (response.getProperties()?.toJavaScript() ?? {}) as Properties };
    },
    async delete(id, properties) {
      const request = new provproto.DeleteRequest();
      request.setId(id);
      request.setProperties(toStruct(properties));
      await unary(client.delete, request);
    },
    kill() {
      host.child.kill("SIGKILL");
    },
    async stop() {
      client.close();
      await host.stop();
    },
    stderr: () => host.stderr(),
  };
}

/** gRPC errors carry the provider's message in `details`; surface it as the Error's message. */
function hostError(error: grpc.ServiceError): Error {
  const wrapped = new Error(error.details || error.message);
  (wrapped as Error & { grpcCode?: number }).grpcCode = error.code;
  return wrapped;
}
