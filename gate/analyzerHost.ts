/**
 * The engine's side of the `pulumirpc.Analyzer` protocol: launches a policy pack exactly as
 * `pulumi preview --policy-pack <dir>` does and talks to it over gRPC.
 *
 * Used in production by `keyguard check` / `keyguard audit` (the gate feeds resources to the pack
 * through this host, so the rules live only in the pack), by the pack's integration tests and by
 * the benchmarks.
 *
 * How the engine launches a pack (and so how this host does):
 *   `node <@pulumi/pulumi>/cmd/run-policy-pack <engine-address> .` with cwd = the pack directory.
 *   The pack prints its gRPC port on the first line of stdout and serves `pulumirpc.Analyzer` on
 *   127.0.0.1. run-policy-pack drops `<engine-address>` before running the pack (see its index.js:
 *   `argv._.shift()`), and @pulumi/policy never calls the engine, so no Engine server is needed.
 *
 * Values on the wire: resource properties travel as `google.protobuf.Struct`. Unknown values (during
 * preview) are the engine's sentinel strings (`UNKNOWN` below); secrets are
 * `{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value }` (build them with
 * `secret(value)`). `undefined` properties are left out, as the engine does.
 *
 * API (stable; other parts build on it):
 *   startAnalyzer(options) -> Promise<AnalyzerHost>
 *   host.getAnalyzerInfo(), host.configure(config), host.configureStack(stack), host.analyze(resource),
 *   host.analyzeStack(resources), host.remediate(resource), host.close()
 *   secret(value), UNKNOWN, toStruct(props), fromStruct(struct), normalizePolicyPackConfig(config, info)
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import {
  SECRET_SIGNATURE,
  SPECIAL_SIGNATURE_KEY,
  UNKNOWN_ARCHIVE_SENTINEL,
  UNKNOWN_ARRAY_SENTINEL,
  UNKNOWN_ASSET_SENTINEL,
  UNKNOWN_BOOLEAN_SENTINEL,
  UNKNOWN_NUMBER_SENTINEL,
  UNKNOWN_OBJECT_SENTINEL,
  UNKNOWN_STRING_SENTINEL,
} from "../facts";

// ------------------------------------------------------------------------------------------------
// Wire values
// ------------------------------------------------------------------------------------------------

/** The engine's sentinels for values unknown during preview, by the type the value would have. */
export const UNKNOWN = {
  string: UNKNOWN_STRING_SENTINEL,
  boolean: UNKNOWN_BOOLEAN_SENTINEL,
  number: UNKNOWN_NUMBER_SENTINEL,
  array: UNKNOWN_ARRAY_SENTINEL,
  object: UNKNOWN_OBJECT_SENTINEL,
  asset: UNKNOWN_ASSET_SENTINEL,
  archive: UNKNOWN_ARCHIVE_SENTINEL,
} as const;

/** A secret in its wire form: what the engine sends for a value marked secret. */
export interface WireSecret {
  [SPECIAL_SIGNATURE_KEY]: typeof SECRET_SIGNATURE;
  value: unknown;
}

/** Wraps a value as a secret, in the form the engine puts on the wire. */
export function secret(value: unknown): WireSecret {
  return { [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE, value } as WireSecret;
}

/** True when a value is a secret in wire form. */
export function isWireSecret(value: unknown): value is WireSecret {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SPECIAL_SIGNATURE_KEY] === SECRET_SIGNATURE
  );
}

/**
 * Converts a plain JS value to what `Struct.fromJavaScript` accepts, as the engine marshals
 * properties: `undefined` object members are dropped (array holes become null), everything else is
 * kept as is (numbers include -0, NaN, Infinity; strings include the unknown sentinels).
 */
function toWireValue(value: unknown, where: string): JavaScriptValue {
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    return value;
  }
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map((element, index) => toWireValue(element, `${where}[${index}]`));
  if (typeof value === "object") {
    const result: Record<string, JavaScriptValue> = {};
    for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
      if (member !== undefined) result[key] = toWireValue(member, `${where}.${key}`);
    }
    return result;
  }
  throw new TypeError(
    `analyzerHost: property ${where} is a ${typeof value}; only null, booleans, numbers, strings, arrays and plain objects travel on the wire`,
  );
}

/** Plain JS properties (with sentinels and wire secrets) to a `google.protobuf.Struct`. */
export function toStruct(properties: Record<string, unknown> | undefined): Struct {
  if (properties === undefined) return new Struct();
  if (typeof properties !== "object" || properties === null || Array.isArray(properties)) {
    throw new TypeError(`analyzerHost: properties must be a plain object, got ${Array.isArray(properties) ? "an array" : String(properties)}`);
  }
  return Struct.fromJavaScript(toWireValue(properties, "properties") as Record<string, JavaScriptValue>);
}

/** A `google.protobuf.Struct` back to plain JS (secrets stay in wire form, see `isWireSecret`). */
export function fromStruct(struct: Struct | undefined): Record<string, unknown> | undefined {
  return struct === undefined ? undefined : (struct.toJavaScript() as Record<string, unknown>);
}

// ------------------------------------------------------------------------------------------------
// Typed requests and responses
// ------------------------------------------------------------------------------------------------

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export type PolicySeverity = "unspecified" | "low" | "medium" | "high" | "critical";

/** Resource options the engine sends with each resource (all optional here). */
export interface AnalyzerResourceOptions {
  protect?: boolean;
  ignoreChanges?: string[];
  deleteBeforeReplace?: boolean;
  additionalSecretOutputs?: string[];
  aliases?: string[];
  customTimeouts?: { createSeconds?: number; updateSeconds?: number; deleteSeconds?: number };
  /** The parent's URN, as in `opts.parent`. */
  parent?: string;
}

/** The provider resource of a resource, as the engine describes it. */
export interface AnalyzerProvider {
  urn: string;
  type: string;
  name: string;
  properties?: Record<string, unknown>;
}

/** One resource as `Analyze` / `Remediate` receive it (the resource's inputs). */
export interface AnalyzerResource {
  urn: string;
  type: string;
  name: string;
  /** Plain JS values; unknowns as `UNKNOWN.*` sentinels, secrets as `secret(value)`. */
  properties?: Record<string, unknown>;
  options?: AnalyzerResourceOptions;
  provider?: AnalyzerProvider;
}

/** One resource as `AnalyzeStack` receives it (the resource's outputs and its links). */
export interface AnalyzerStackResource extends AnalyzerResource {
  /** The parent's URN. */
  parent?: string;
  /** URNs this resource depends on. */
  dependencies?: string[];
  /** For each property, the URNs of the resources its value came from. */
  propertyDependencies?: Record<string, string[]>;
}

/** One violation (or advisory note) reported by a policy. */
export interface PolicyDiagnostic {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  message: string;
  enforcementLevel: EnforcementLevel;
  /** The resource the diagnostic is about; empty when the pack did not name one. */
  urn: string;
  severity: PolicySeverity;
}

export interface PolicyNotApplicable {
  policyName: string;
  reason: string;
}

export interface AnalyzeResult {
  diagnostics: PolicyDiagnostic[];
  notApplicable: PolicyNotApplicable[];
}

export interface RemediationResult {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  /** The remediated properties (secrets in wire form), when the policy changed the resource. */
  properties?: Record<string, unknown>;
  /** Why the remediation could not run (e.g. an unknown value during preview). */
  diagnostic?: string;
}

export interface RemediateResult {
  remediations: RemediationResult[];
  notApplicable: PolicyNotApplicable[];
}

export interface PolicyInfo {
  name: string;
  displayName: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  policyType: "resource" | "stack" | "unknown";
  severity: PolicySeverity;
  /** The policy's config JSON schema (`properties` and `required`), when it takes config. */
  configSchema?: { properties: Record<string, unknown>; required: string[] };
  remediationSteps: string;
  url: string;
  tags: string[];
}

export interface AnalyzerInfo {
  name: string;
  displayName: string;
  version: string;
  supportsConfig: boolean;
  description: string;
  policies: PolicyInfo[];
  initialConfig: Record<string, { enforcementLevel?: EnforcementLevel; properties?: Record<string, unknown> }>;
}

/**
 * Policy-pack config in the format of `pulumi ... --policy-pack-config <file>`:
 * `{ "all": "advisory", "<policy>": "mandatory" | { "enforcementLevel": "...", "<property>": value } }`.
 */
export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

/** What `Configure` carries for one policy: its level and its properties (schema defaults applied). */
export interface ResolvedPolicyConfig {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

function enforcementLevelToWire(level: EnforcementLevel): analyzerProto.EnforcementLevel {
  switch (level) {
    case "advisory":
      return analyzerProto.EnforcementLevel.ADVISORY;
    case "mandatory":
      return analyzerProto.EnforcementLevel.MANDATORY;
    case "remediate":
      return analyzerProto.EnforcementLevel.REMEDIATE;
    case "disabled":
      return analyzerProto.EnforcementLevel.DISABLED;
  }
}

function enforcementLevelFromWire(level: analyzerProto.EnforcementLevel): EnforcementLevel {
  return (["advisory", "mandatory", "disabled", "remediate"] as const)[level] ?? "advisory";
}

function severityFromWire(severity: analyzerProto.PolicySeverity): PolicySeverity {
  return (["unspecified", "low", "medium", "high", "critical"] as const)[severity] ?? "unspecified";
}

/**
 * Resolves a `--policy-pack-config` object against the pack's policies the way the engine does:
 * per policy, the level is the policy's own entry, else `all`, else the pack's initial config, else
 * the policy's default; properties are the schema's top-level `default`s, then the pack's initial
 * config, then the user's values. Unknown policy names and enforcement levels are clear errors.
 * Property values are not schema-validated here: the pack validates its own config.
 */
export function normalizePolicyPackConfig(config: PolicyPackConfig, info: AnalyzerInfo): Record<string, ResolvedPolicyConfig> {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new Error(`policy pack config must be a JSON object keyed by policy name (or "all"), got ${Array.isArray(config) ? "an array" : String(config)}`);
  }
  const known = new Set(info.policies.map((policy) => policy.name));
  const checkLevel = (level: unknown, where: string): EnforcementLevel => {
    if (typeof level !== "string" || !ENFORCEMENT_LEVELS.includes(level as EnforcementLevel)) {
      throw new Error(`policy pack config ${where}: enforcement level ${JSON.stringify(level)} is not one of ${ENFORCEMENT_LEVELS.join(", ")}`);
    }
    return level as EnforcementLevel;
  };
  for (const key of Object.keys(config)) {
    if (key !== "all" && !known.has(key)) {
      throw new Error(
        `policy pack config names policy "${key}", which pack "${info.name}" does not have; its policies are: ${[...known].join(", ")} (or "all")`,
      );
    }
  }
  let allLevel: EnforcementLevel | undefined;
  if (config.all !== undefined) {
    const all = config.all;
    allLevel = typeof all === "string" ? checkLevel(all, `"all"`) : checkLevel(all?.enforcementLevel, `"all".enforcementLevel`);
  }
  const resolved: Record<string, ResolvedPolicyConfig> = {};
  for (const policy of info.policies) {
    const user = config[policy.name];
    const initial = info.initialConfig[policy.name];
    const properties: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      if (schema && typeof schema === "object" && "default" in schema) properties[name] = (schema as { default: unknown }).default;
    }
    Object.assign(properties, initial?.properties ?? {});
    let level: EnforcementLevel = allLevel ?? initial?.enforcementLevel ?? policy.enforcementLevel;
    if (typeof user === "string") {
      level = checkLevel(user, `"${policy.name}"`);
    } else if (user !== undefined) {
      if (typeof user !== "object" || user === null || Array.isArray(user)) {
        throw new Error(`policy pack config "${policy.name}" must be an enforcement level or an object, got ${JSON.stringify(user)}`);
      }
      const { enforcementLevel, ...rest } = user;
      if (enforcementLevel !== undefined) level = checkLevel(enforcementLevel, `"${policy.name}".enforcementLevel`);
      Object.assign(properties, rest);
    }
    resolved[policy.name] = { enforcementLevel: level, properties };
  }
  return resolved;
}

// ------------------------------------------------------------------------------------------------
// The host
// ------------------------------------------------------------------------------------------------

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
}

/** Where the engine's policy-pack launcher lives: `<@pulumi/pulumi>/cmd/run-policy-pack`. */
export function runPolicyPackPath(): string {
  return path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "run-policy-pack");
}

function unary<Req, Res>(
  method: (request: Req, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: (error: grpc.ServiceError | null, response: Res) => void) => grpc.ClientUnaryCall,
  request: Req,
  timeoutMs: number,
  what: string,
  stderr: () => string,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => {
      if (error) {
        const tail = stderr().trim();
        reject(new Error(`policy pack ${what} failed: ${error.details || error.message}${tail ? `\npack stderr:\n${tail.slice(-4000)}` : ""}`, { cause: error }));
      } else {
        resolve(response);
      }
    });
  });
}

function optionsToWire(options: AnalyzerResourceOptions | undefined, parent: string | undefined): analyzerProto.AnalyzerResourceOptions {
  const wire = new analyzerProto.AnalyzerResourceOptions();
  wire.setProtect(options?.protect ?? false);
  wire.setIgnorechangesList(options?.ignoreChanges ?? []);
  if (options?.deleteBeforeReplace !== undefined) {
    wire.setDeletebeforereplace(options.deleteBeforeReplace);
    wire.setDeletebeforereplacedefined(true);
  }
  wire.setAdditionalsecretoutputsList(options?.additionalSecretOutputs ?? []);
  wire.setAliasesList(options?.aliases ?? []);
  if (options?.customTimeouts) {
    const timeouts = new analyzerProto.AnalyzerResourceOptions.CustomTimeouts();
    timeouts.setCreate(options.customTimeouts.createSeconds ?? 0);
    timeouts.setUpdate(options.customTimeouts.updateSeconds ?? 0);
    timeouts.setDelete(options.customTimeouts.deleteSeconds ?? 0);
    wire.setCustomtimeouts(timeouts);
  }
  const parentUrn = options?.parent ?? parent;
  if (parentUrn) wire.setParent(parentUrn);
  return wire;
}

function providerToWire(provider: AnalyzerProvider): analyzerProto.AnalyzerProviderResource {
  const wire = new analyzerProto.AnalyzerProviderResource();
  wire.setUrn(provider.urn);
  wire.setType(provider.type);
  wire.setName(provider.name);
  wire.setProperties(toStruct(provider.properties));
  return wire;
}

function checkResource(resource: AnalyzerResource, where: string): void {
  for (const field of ["urn", "type", "name"] as const) {
    if (typeof resource?.[field] !== "string") {
      throw new TypeError(`analyzerHost: ${where}.${field} must be a string, got ${JSON.stringify(resource?.[field])}`);
    }
  }
}

function analyzeRequest(resource: AnalyzerResource): analyzerProto.AnalyzeRequest {
  checkResource(resource, "resource");
  const request = new analyzerProto.AnalyzeRequest();
  request.setUrn(resource.urn);
  request.setType(resource.type);
  request.setName(resource.name);
  request.setProperties(toStruct(resource.properties));
  request.setOptions(optionsToWire(resource.options, undefined));
  if (resource.provider) request.setProvider(providerToWire(resource.provider));
  return request;
}

function analyzeResultFromWire(response: analyzerProto.AnalyzeResponse): AnalyzeResult {
  return {
    diagnostics: response.getDiagnosticsList().map((d) => ({
      policyName: d.getPolicyname(),
      policyPackName: d.getPolicypackname(),
      policyPackVersion: d.getPolicypackversion(),
      description: d.getDescription(),
      message: d.getMessage(),
      enforcementLevel: enforcementLevelFromWire(d.getEnforcementlevel()),
      urn: d.getUrn(),
      severity: severityFromWire(d.getSeverity()),
    })),
    notApplicable: response.getNotApplicableList().map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
  };
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
    method: (request: Req, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: (error: grpc.ServiceError | null, response: Res) => void) => grpc.ClientUnaryCall,
    request: Req,
    what: string,
  ): Promise<Res> {
    if (this.closed) return Promise.reject(new Error(`policy pack ${what}: the analyzer host is closed`));
    return unary(method.bind(this.client), request, this.callTimeoutMs, what, () => this.stderr());
  }

  /** `GetAnalyzerInfo`: the pack's name, version, policies (with levels and config schemas). Cached. */
  async getAnalyzerInfo(): Promise<AnalyzerInfo> {
    if (this.info) return this.info;
    const response = await this.call<Empty, analyzerProto.AnalyzerInfo>(this.client.getAnalyzerInfo, new Empty(), "GetAnalyzerInfo");
    const initialConfig: AnalyzerInfo["initialConfig"] = {};
    response.getInitialconfigMap().forEach((value, key) => {
      initialConfig[key] = {
        enforcementLevel: enforcementLevelFromWire(value.getEnforcementlevel()),
        properties: fromStruct(value.getProperties()),
      };
    });
    this.info = {
      name: response.getName(),
      displayName: response.getDisplayname(),
      version: response.getVersion(),
      supportsConfig: response.getSupportsconfig(),
      description: response.getDescription(),
      initialConfig,
      policies: response.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        const policyType = p.getPolicyType();
        return {
          name: p.getName(),
          displayName: p.getDisplayname(),
          description: p.getDescription(),
          enforcementLevel: enforcementLevelFromWire(p.getEnforcementlevel()),
          policyType:
            policyType === analyzerProto.PolicyType.POLICY_TYPE_RESOURCE
              ? "resource"
              : policyType === analyzerProto.PolicyType.POLICY_TYPE_STACK
                ? "stack"
                : "unknown",
          severity: severityFromWire(p.getSeverity()),
          configSchema: schema ? { properties: fromStruct(schema.getProperties()) ?? {}, required: schema.getRequiredList() } : undefined,
          remediationSteps: p.getRemediationSteps(),
          url: p.getUrl(),
          tags: p.getTagsList(),
        };
      }),
    };
    return this.info;
  }

  /**
   * `Configure`: sends every policy's level and properties, resolved from a `--policy-pack-config`
   * object as the engine does (see `normalizePolicyPackConfig`). Returns what was sent.
   * `{}` configures every policy with its defaults.
   */
  async configure(config: PolicyPackConfig = {}): Promise<Record<string, ResolvedPolicyConfig>> {
    const resolved = normalizePolicyPackConfig(config, await this.getAnalyzerInfo());
    const request = new analyzerProto.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const [name, policyConfig] of Object.entries(resolved)) {
      const wire = new analyzerProto.PolicyConfig();
      wire.setEnforcementlevel(enforcementLevelToWire(policyConfig.enforcementLevel));
      wire.setProperties(toStruct(policyConfig.properties));
      map.set(name, wire);
    }
    await this.call<analyzerProto.ConfigureAnalyzerRequest, Empty>(this.client.configure, request, "Configure");
    return resolved;
  }

  /** `ConfigureStack`: the stack's name, project and tags (policies may read `stackTags`). */
  async configureStack(stack: { stack: string; project: string; organization?: string; dryRun?: boolean; tags?: Record<string, string> }): Promise<void> {
    const request = new analyzerProto.AnalyzerStackConfigureRequest();
    request.setStack(stack.stack);
    request.setProject(stack.project);
    request.setOrganization(stack.organization ?? "");
    request.setDryRun(stack.dryRun ?? false);
    const tags = request.getTagsMap();
    for (const [key, value] of Object.entries(stack.tags ?? {})) tags.set(key, value);
    await this.call(this.client.configureStack, request, "ConfigureStack");
  }

  /** `Analyze`: resource policies on one resource's inputs. */
  async analyze(resource: AnalyzerResource): Promise<AnalyzeResult> {
    const response = await this.call<analyzerProto.AnalyzeRequest, analyzerProto.AnalyzeResponse>(this.client.analyze, analyzeRequest(resource), `Analyze of ${resource.urn}`);
    return analyzeResultFromWire(response);
  }

  /** `AnalyzeStack`: stack policies on all resources' outputs, with parents and dependencies. */
  async analyzeStack(resources: AnalyzerStackResource[]): Promise<AnalyzeResult> {
    if (!Array.isArray(resources)) throw new TypeError(`analyzerHost: analyzeStack takes an array of resources, got ${String(resources)}`);
    const request = new analyzerProto.AnalyzeStackRequest();
    request.setResourcesList(
      resources.map((resource, index) => {
        checkResource(resource, `resources[${index}]`);
        const wire = new analyzerProto.AnalyzerResource();
        wire.setUrn(resource.urn);
        wire.setType(resource.type);
        wire.setName(resource.name);
        wire.setProperties(toStruct(resource.properties));
        wire.setOptions(optionsToWire(resource.options, resource.parent));
        if (resource.provider) wire.setProvider(providerToWire(resource.provider));
        if (resource.parent) wire.setParent(resource.parent);
        wire.setDependenciesList(resource.dependencies ?? []);
        const propertyDependencies = wire.getPropertydependenciesMap();
        for (const [property, urns] of Object.entries(resource.propertyDependencies ?? {})) {
          const dependencies = new analyzerProto.AnalyzerPropertyDependencies();
          dependencies.setUrnsList(urns);
          propertyDependencies.set(property, dependencies);
        }
        return wire;
      }),
    );
    const response = await this.call<analyzerProto.AnalyzeStackRequest, analyzerProto.AnalyzeResponse>(this.client.analyzeStack, request, "AnalyzeStack");
    return analyzeResultFromWire(response);
  }

  /** `Remediate`: remediations (policies at level `remediate`) on one resource's inputs. */
  async remediate(resource: AnalyzerResource): Promise<RemediateResult> {
    const response = await this.call<analyzerProto.AnalyzeRequest, analyzerProto.RemediateResponse>(this.client.remediate, analyzeRequest(resource), `Remediate of ${resource.urn}`);
    return {
      remediations: response.getRemediationsList().map((r) => ({
        policyName: r.getPolicyname(),
        policyPackName: r.getPolicypackname(),
        policyPackVersion: r.getPolicypackversion(),
        description: r.getDescription(),
        properties: fromStruct(r.getProperties()),
        diagnostic: r.getDiagnostic() || undefined,
      })),
      notApplicable: response.getNotApplicableList().map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
    };
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
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), runPolicyPackPath(), options.engineAddress ?? "127.0.0.1:0", "."], {
    cwd: packDir,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
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
      reject(new Error(`policy pack in ${packDir} ${reason}${tail ? `\npack stderr:\n${tail.slice(-4000)}` : ""}`));
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
