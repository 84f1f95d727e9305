/**
 * The engine's side of keyguard's component package, for tests: the package's host process started
 * as Pulumi's Node.js language host starts a plugin whose PulumiPlugin.yaml says `runtime: nodejs`
 * (sdk/nodejs/cmd/pulumi-language-nodejs, RunPlugin): `node <@pulumi/pulumi/cmd/run-plugin, resolved
 * from the plugin directory> <plugin directory> <engine address>`, in the project's directory; the
 * host prints its port on stdout's first line and serves `pulumirpc.ResourceProvider`.
 *
 * A fake engine is served here too: `pulumirpc.Engine` (logs, the root resource) and
 * `pulumirpc.ResourceMonitor` (feature support, registrations answered with what AWS would compute,
 * the invokes the component makes), recording every request as it arrived.
 *
 * API:
 *   const engine = await startFakeEngine({ supportsAliasSpecs })
 *   const plugin = await startComponentPackage({ engineAddress: engine.address, projectDirectory })
 *   await plugin.getSchema() / plugin.construct({ type, name, inputs, ... })
 *   engine.registrations, engine.outputs, engine.logs; await plugin.stop(); await engine.stop()
 */
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as resrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import { RESOURCE_TYPES } from "../../facts";
import { computedOutputs, invokeResult } from "./awsAnswers";
import { startPluginProcess } from "./pluginProcess";

export const PLUGIN_DIRECTORY = path.resolve(__dirname, "../../components/plugin");
type Properties = Record<string, unknown>;

/** A RegisterResource request as it reached the monitor. */
export interface Registration {
  type: string;
  name: string;
  urn: string;
  parent: string;
  custom: boolean;
  /** The inputs on the wire: secrets are still wrapped in their signature objects. */
  inputs: Properties;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** Aliases sent as URNs (a monitor without the aliasSpecs feature: the SDK computes them, children included). */
  aliasUrns: string[];
  /** Aliases sent as specs (a monitor with aliasSpecs: the engine computes the children's). */
  aliasSpecs: Array<{ name: string; type: string; parentUrn: string; noParent: boolean }>;
}

export interface FakeEngine {
  readonly address: string;
  readonly registrations: Registration[];
  /** RegisterResourceOutputs, by URN. */
  readonly outputs: Map<string, Properties>;
  /** Every message logged through the engine, with its severity. */
  readonly logs: Array<{ severity: "debug" | "info" | "warning" | "error"; message: string }>;
  stop(): Promise<void>;
}

/** The URN the engine gives a resource: the parent's type chain, except the stack's, before its type. */
function urnOf(stack: string, project: string, parent: string, type: string, name: string): string {
  const parentType = parent ? parent.split("::")[2] : "";
  const qualified = parentType && parentType !== RESOURCE_TYPES.pulumiStack ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

const toStruct = (properties: Properties) =>
  structproto.Struct.fromJavaScript(properties as Record<string, structproto.JavaScriptValue>);

export async function startFakeEngine(options: {
  project: string;
  stack: string;
  supportsAliasSpecs: boolean;
}): Promise<FakeEngine> {
  const registrations: Registration[] = [];
  const outputs = new Map<string, Properties>();
  const logs: FakeEngine["logs"] = [];
  const severities = {
    [engineproto.LogSeverity.DEBUG]: "debug",
    [engineproto.LogSeverity.INFO]: "info",
    [engineproto.LogSeverity.WARNING]: "warning",
    [engineproto.LogSeverity.ERROR]: "error",
  } as const;
  const features: Record<string, boolean> = {
    secrets: true,
    resourceReferences: true,
    deletedWith: true,
    aliasSpecs: options.supportsAliasSpecs,
  };

  const server = new grpc.Server();
  server.addService(resrpc.ResourceMonitorService, {
    supportsFeature(
      call: grpc.ServerUnaryCall<resproto.SupportsFeatureRequest, resproto.SupportsFeatureResponse>,
      callback: grpc.sendUnaryData<resproto.SupportsFeatureResponse>,
    ) {
      callback(null, new resproto.SupportsFeatureResponse().setHassupport(features[call.request.getId()] ?? false));
    },
    registerResource(
      call: grpc.ServerUnaryCall<resproto.RegisterResourceRequest, resproto.RegisterResourceResponse>,
      callback: grpc.sendUnaryData<resproto.RegisterResourceResponse>,
    ) {
      const request = call.request;
      const inputs = (request.getObject()?.toJavaScript() ?? {}) as Properties;
      const urn = urnOf(options.stack, options.project, request.getParent(), request.getType(), request.getName());
      const propertyDependencies: Record<string, string[]> = {};
      request.getPropertydependenciesMap().forEach((entry, key) => (propertyDependencies[key] = entry.getUrnsList()));
      registrations.push({
        type: request.getType(),
        name: request.getName(),
        urn,
        parent: request.getParent(),
        custom: request.getCustom(),
        inputs,
        dependencies: request.getDependenciesList(),
        propertyDependencies,
        aliasUrns: request.getAliasurnsList(),
        aliasSpecs: request.getAliasesList().flatMap((alias) => {
          const spec = alias.getSpec();
          return spec
            ? [
                {
                  name: spec.getName(),
                  type: spec.getType(),
                  parentUrn: spec.getParenturn(),
                  noParent: spec.getNoparent(),
                },
              ]
            : [];
        }),
      });
      const response = new resproto.RegisterResourceResponse().setUrn(urn);
      if (request.getCustom()) {
        response
          .setId(`${request.getName()}-id`)
          .setObject(toStruct({ ...inputs, ...computedOutputs(request.getType(), request.getName(), inputs) }));
      }
      callback(null, response);
    },
    registerResourceOutputs(
      call: grpc.ServerUnaryCall<resproto.RegisterResourceOutputsRequest, emptyproto.Empty>,
      callback: grpc.sendUnaryData<emptyproto.Empty>,
    ) {
      outputs.set(call.request.getUrn(), (call.request.getOutputs()?.toJavaScript() ?? {}) as Properties);
      callback(null, new emptyproto.Empty());
    },
    invoke(
      call: grpc.ServerUnaryCall<resproto.ResourceInvokeRequest, provproto.InvokeResponse>,
      callback: grpc.sendUnaryData<provproto.InvokeResponse>,
    ) {
      try {
        const result = invokeResult(
          call.request.getTok(),
          (call.request.getArgs()?.toJavaScript() ?? {}) as Properties,
        );
        callback(null, new provproto.InvokeResponse().setReturn(toStruct(result)));
      } catch (error) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: (error as Error).message }, null);
      }
    },
  });
  server.addService(enginerpc.EngineService, {
    log(
      call: grpc.ServerUnaryCall<engineproto.LogRequest, emptyproto.Empty>,
      callback: grpc.sendUnaryData<emptyproto.Empty>,
    ) {
      logs.push({ severity: severities[call.request.getSeverity()], message: call.request.getMessage() });
      callback(null, new emptyproto.Empty());
    },
    getRootResource(_call: unknown, callback: grpc.sendUnaryData<engineproto.GetRootResourceResponse>) {
      callback(
        null,
        new engineproto.GetRootResourceResponse().setUrn(
          urnOf(options.stack, options.project, "", RESOURCE_TYPES.pulumiStack, `${options.project}-${options.stack}`),
        ),
      );
    },
    setRootResource(_call: unknown, callback: grpc.sendUnaryData<engineproto.SetRootResourceResponse>) {
      callback(null, new engineproto.SetRootResourceResponse());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    registrations,
    outputs,
    logs,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

export interface ConstructRequest {
  project: string;
  stack: string;
  monitorEndpoint: string;
  type: string;
  name: string;
  parent: string;
  /** On the wire: wrap secrets in their signature objects; unknowns are the engine's sentinels. */
  inputs: Properties;
  /** A preview (`pulumi preview`) rather than an update. */
  dryRun?: boolean;
}

export interface ConstructResult {
  urn: string;
  state: Properties;
}

export interface ComponentPackageHost {
  readonly port: number;
  getSchema(): Promise<Properties>;
  construct(request: ConstructRequest): Promise<ConstructResult>;
  stop(): Promise<void>;
  stderr(): string;
}

export async function startComponentPackage(options: {
  engineAddress: string;
  projectDirectory: string;
  env?: Record<string, string>;
}): Promise<ComponentPackageHost> {
  const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [PLUGIN_DIRECTORY] });
  const host = await startPluginProcess([runPlugin, PLUGIN_DIRECTORY, options.engineAddress], {
    cwd: options.projectDirectory,
    env: options.env,
    what: "component package host",
  });
  const port = host.port;
  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const unary = <Request, Response>(
    method: (request: Request, callback: (error: grpc.ServiceError | null, response: Response) => void) => unknown,
    request: Request,
  ) =>
    new Promise<Response>((resolve, reject) => {
      method.call(client, request, (error, response) =>
        error ? reject(new Error(error.details || error.message)) : resolve(response),
      );
    });

  return {
    port,
    async getSchema() {
      const response = await unary<provproto.GetSchemaRequest, provproto.GetSchemaResponse>(
        client.getSchema,
        new provproto.GetSchemaRequest().setVersion(0),
      );
      return JSON.parse(response.getSchema()) as Properties;
    },
    async construct(request) {
      const wire = new provproto.ConstructRequest()
        .setProject(request.project)
        .setStack(request.stack)
        .setOrganization("organization")
        .setDryrun(request.dryRun ?? false)
        .setParallel(4)
        .setMonitorendpoint(request.monitorEndpoint)
        .setType(request.type)
        .setName(request.name)
        .setParent(request.parent)
        .setInputs(toStruct(request.inputs))
        .setAcceptsOutputValues(true);
      const response = await unary<provproto.ConstructRequest, provproto.ConstructResponse>(client.construct, wire);
      return { urn: response.getUrn(), state: (response.getState()?.toJavaScript() ?? {}) as Properties };
    },
    async stop() {
      client.close();
      await host.stop();
    },
    stderr: () => host.stderr(),
  };
}
