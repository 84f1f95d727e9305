/**
 * A stand-in for the hashicorp/aws provider: a tfplugin6 gRPC server that serves the schemas in
 * schemas.ts, plans as the SDKv2 provider does (resourcePlanning.ts) and "creates" resources with
 * deterministic AWS-shaped values (fakeAwsValues.ts), touching no AWS. Terraform reaches it through
 * TF_REATTACH_PROVIDERS (see main.ts and runTerraform.ts), so real `terraform init/plan/apply/show`
 * produce the plan and state JSON keyguard's Terraform support reads.
 *
 * Its plan and apply answers carry `legacy_type_system`, the flag the protocol reserves for SDKv2
 * providers: the AWS provider is one, and only with it does Terraform accept what SDKv2 plans (a
 * Default filled into a non-computed attribute, e.g. `enable_key_rotation = false`).
 */
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { type CtyObject, decodeDynamicValue, encodeDynamicValue, isObject } from "./ctyMsgpack";
import { type AwsContext, appliedState, readDataSource } from "./fakeAwsValues";
import { type ProblemAt, planResource, validateConfig } from "./resourcePlanning";
import {
  type AttributeSchema,
  type BlockSchema,
  DATA_SOURCE_SCHEMAS,
  PROVIDER_SCHEMA,
  RESOURCE_SCHEMAS,
  type ResourceSchema,
} from "./schemas";

type DynamicValue = { msgpack?: Buffer; json?: Buffer };
// The request shapes are the .proto's; each handler reads the few fields it needs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Request = any;
/** `connection` is the caller's address: each provider configuration Terraform opens is its own connection. */
type Handler = (request: Request, connection: string) => object;

const SEVERITY_ERROR = 1;
const NESTING = { single: 1, list: 2 } as const;

export interface StandInProvider {
  readonly address: string;
  stop(): Promise<void>;
}

/** Starts the server on 127.0.0.1 (a free port); `onCall` hears the name of every RPC Terraform makes. */
export async function startStandInAwsProvider(onCall: (rpc: string) => void = () => {}): Promise<StandInProvider> {
  const definition = protoLoader.loadSync(path.join(__dirname, "tfplugin6.proto"), {
    keepCase: true,
    longs: Number,
    enums: Number,
    defaults: true,
    oneofs: true,
  });
  const proto = grpc.loadPackageDefinition(definition) as unknown as {
    tfplugin6: { Provider: { service: grpc.ServiceDefinition } };
  };
  const server = new grpc.Server();
  const handlers = providerHandlers();
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [rpc, handle] of Object.entries(handlers)) {
    implementation[rpc] = (call: grpc.ServerUnaryCall<Request, object>, callback: grpc.sendUnaryData<object>) => {
      onCall(rpc);
      try {
        callback(null, handle(call.request, call.getPeer()));
      } catch (error) {
        callback({ code: grpc.status.INTERNAL, details: (error as Error).stack ?? String(error) });
      }
    };
  }
  server.addService(proto.tfplugin6.Provider.service, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

interface ProviderConfiguration {
  readonly context: AwsContext;
  readonly defaultTags: Record<string, string>;
}

function providerHandlers(): Record<string, Handler> {
  // Set by ConfigureProvider, per connection: Terraform opens one connection to the reattached
  // server for each provider configuration (e.g. `provider "aws" { alias = "replica" }` in another
  // region) and configures it before planning, so the configurations must not overwrite each other.
  const configurations = new Map<string, ProviderConfiguration>();
  const configurationOf = (connection: string): ProviderConfiguration =>
    configurations.get(connection) ?? { context: { region: "us-east-1" }, defaultTags: {} };

  const resourceSchema = (type: string) => schemaOf(RESOURCE_SCHEMAS, type, "resource");
  const dataSourceSchema = (type: string) => schemaOf(DATA_SOURCE_SCHEMAS, type, "data source");

  return {
    GetMetadata: () => ({
      server_capabilities: serverCapabilities(),
      data_sources: Object.keys(DATA_SOURCE_SCHEMAS).map((type_name) => ({ type_name })),
      resources: Object.keys(RESOURCE_SCHEMAS).map((type_name) => ({ type_name })),
    }),
    GetProviderSchema: () => ({
      provider: toProtoSchema(PROVIDER_SCHEMA),
      resource_schemas: mapValues(RESOURCE_SCHEMAS, toProtoSchema),
      data_source_schemas: mapValues(DATA_SOURCE_SCHEMAS, toProtoSchema),
      server_capabilities: serverCapabilities(),
    }),
    ValidateProviderConfig: () => ({ diagnostics: [] }),
    ValidateResourceConfig: (request) => ({
      diagnostics: diagnostics(validateConfig(resourceSchema(request.type_name), objectOf(request.config))),
    }),
    ValidateDataResourceConfig: (request) => ({
      diagnostics: diagnostics(validateConfig(dataSourceSchema(request.type_name), objectOf(request.config))),
    }),
    ConfigureProvider: (request, connection) => {
      const config = objectOf(request.config);
      const defaultTagsBlock = Array.isArray(config.default_tags) ? (config.default_tags[0] ?? null) : null;
      configurations.set(connection, {
        context: { region: typeof config.region === "string" ? config.region : "us-east-1" },
        defaultTags:
          isObject(defaultTagsBlock) && isObject(defaultTagsBlock.tags ?? null)
            ? (defaultTagsBlock.tags as Record<string, string>)
            : {},
      });
      return { diagnostics: [] };
    },
    UpgradeResourceState: (request) => {
      const schema = resourceSchema(request.type_name);
      const stored = JSON.parse(request.raw_state.json.toString("utf8")) as CtyObject;
      return { upgraded_state: encodeDynamicValue(withEveryAttribute(schema, stored)) };
    },
    // The stand-in's "AWS" never changes behind Terraform's back: a refresh returns what it holds.
    ReadResource: (request) => ({ new_state: request.current_state, private: request.private }),
    PlanResourceChange: (request, connection) => {
      const { planned, requiresReplace } = planResource(
        resourceSchema(request.type_name),
        objectOrNull(request.prior_state),
        objectOrNull(request.proposed_new_state),
        objectOrNull(request.config),
        configurationOf(connection).defaultTags,
      );
      return {
        planned_state: encodeDynamicValue(planned),
        requires_replace: requiresReplace.map((name) => ({ steps: [{ attribute_name: name }] })),
        planned_private: request.prior_private,
        legacy_type_system: true,
      };
    },
    ApplyResourceChange: (request, connection) => {
      const planned = objectOrNull(request.planned_state);
      // A destroy: the resource is gone.
      if (planned === null) return { new_state: encodeDynamicValue(null), legacy_type_system: true };
      const schema = resourceSchema(request.type_name);
      return {
        new_state: encodeDynamicValue(
          appliedState(request.type_name, schema, planned, configurationOf(connection).context),
        ),
        legacy_type_system: true,
      };
    },
    ImportResourceState: (request) => ({
      diagnostics: [
        {
          severity: SEVERITY_ERROR,
          summary: `the stand-in AWS provider does not import resources (asked for ${request.type_name} "${request.id}")`,
        },
      ],
    }),
    ReadDataSource: (request, connection) => {
      const schema = dataSourceSchema(request.type_name);
      const config = objectOf(request.config);
      const { context } = configurationOf(connection);
      return { state: encodeDynamicValue(readDataSource(request.type_name, schema, config, context)) };
    },
    StopProvider: () => ({ Error: "" }),
  };
}

function serverCapabilities() {
  return { plan_destroy: false, get_provider_schema_optional: false, move_resource_state: false };
}

function schemaOf(schemas: Readonly<Record<string, ResourceSchema>>, type: string, kind: string): ResourceSchema {
  const schema = schemas[type];
  if (!schema)
    throw new Error(`the stand-in AWS provider has no ${kind} "${type}"; it has: ${Object.keys(schemas).join(", ")}`);
  return schema;
}

function objectOrNull(value: DynamicValue | null | undefined): CtyObject | null {
  const decoded = decodeDynamicValue(value);
  return isObject(decoded) ? decoded : null;
}

function objectOf(value: DynamicValue | null | undefined): CtyObject {
  return objectOrNull(value) ?? {};
}

/** A stored state as an object with every attribute and block of the current schema (cty needs them all). */
function withEveryAttribute(schema: ResourceSchema, stored: CtyObject): CtyObject {
  const complete: CtyObject = {};
  for (const name of Object.keys(schema.attributes)) complete[name] = stored[name] ?? null;
  for (const [name, block] of Object.entries(schema.blocks ?? {}))
    complete[name] = stored[name] ?? (block.nesting === "list" ? [] : null);
  return complete;
}

function diagnostics(problems: ProblemAt[]) {
  return problems.map((problem) => ({
    severity: SEVERITY_ERROR,
    summary: problem.summary,
    attribute: { steps: [{ attribute_name: problem.attribute }] },
  }));
}

function toProtoSchema(schema: ResourceSchema) {
  return { version: schema.version, block: toProtoBlock(schema.version, schema.attributes, schema.blocks ?? {}) };
}

interface ProtoBlock {
  version: number;
  attributes: object[];
  block_types: { type_name: string; block: ProtoBlock; nesting: number; max_items: number }[];
}

function toProtoBlock(
  version: number,
  attributes: Readonly<Record<string, AttributeSchema>>,
  blocks: Readonly<Record<string, BlockSchema>>,
): ProtoBlock {
  return {
    version,
    attributes: Object.entries(attributes).map(([name, attribute]) => ({
      name,
      type: Buffer.from(JSON.stringify(attribute.type)),
      required: attribute.required ?? false,
      optional: attribute.optional ?? false,
      computed: attribute.computed ?? false,
      sensitive: attribute.sensitive ?? false,
      deprecated: attribute.deprecated ?? false,
    })),
    block_types: Object.entries(blocks).map(([name, block]) => ({
      type_name: name,
      block: toProtoBlock(0, block.attributes, {}),
      nesting: NESTING[block.nesting],
      max_items: block.maxItems ?? 0,
    })),
  };
}

function mapValues<T, U>(record: Readonly<Record<string, T>>, map: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}
