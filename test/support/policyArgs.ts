/**
 * Calls keyguard's policies in-process with arguments shaped exactly as @pulumi/policy's server
 * builds them from the engine's requests: properties go through `google.protobuf.Struct` (the wire),
 * @pulumi/policy's own `deserializeProperties` and its unknown-checking proxy; stack resources are
 * linked to their parent, dependencies and property dependencies as server.js links them; a thrown
 * `notApplicable` and an `UnknownValueError` are told apart as the server does.
 *
 * Used by the unit tests and the fuzz tests (fast: no process, no gRPC).
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { toStruct, type AnalyzerResource, type AnalyzerStackResource } from "../../engine";

// @pulumi/policy's internals, the same modules server.js uses.
const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
  deserializeProperties(struct: unknown, proxySecrets: boolean): Record<string, unknown>;
};
const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy<T>(value: T): T;
  UnknownValueError: new (...args: never[]) => Error;
};

/** What `notApplicable(reason)` throws here (a plain object: no stack trace to capture, as nobody reads it). */
class NotApplicableSignal {
  constructor(readonly reason: string | undefined) {}
}

/** What a policy did with one call. */
export interface PolicyOutcome {
  violations: { message: string; urn?: string }[];
  /** The reason given to `notApplicable`, when the policy called it. */
  notApplicable?: string;
  /** Set when the policy read an unknown through the proxy (the server would downgrade to advisory). */
  unknownValueError?: string;
}

/**
 * What `Struct.fromJavaScript(...).toJavaScript()` yields, without building protobuf messages:
 * undefined members dropped, undefined array elements null, everything else as is. The fuzz tests
 * use it for speed and check on a sample that it equals the real Struct round trip.
 */
export function wireCopy(value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(wireCopy);
  const result: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    if (member !== undefined) result[key] = wireCopy(member);
  }
  return result;
}

/**
 * Properties as the engine sends them, then as @pulumi/policy hands them to a policy. `viaStruct`
 * (default) builds the real google.protobuf.Struct; false hands the object over as if it had come
 * out of the Struct (callers guarantee that, e.g. with `wireCopy`; the deserializer copies it).
 */
export function engineProps(
  properties: Record<string, unknown> | undefined,
  proxySecrets = false,
  viaStruct = true,
): Record<string, unknown> {
  const struct = viaStruct ? toStruct(properties ?? {}) : { toJavaScript: () => properties ?? {} };
  return unknownCheckingProxy(deserializeProperties(struct, proxySecrets));
}

/** The resource options server.js builds from an engine request with no options set. */
const DEFAULT_OPTIONS = Object.freeze({
  protect: false,
  ignoreChanges: Object.freeze([]),
  aliases: Object.freeze([]),
  customTimeouts: Object.freeze({ createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }),
  additionalSecretOutputs: Object.freeze([]),
});
const NO_STACK_TAGS: ReadonlyMap<string, string> = new Map();

function baseArgs(resource: AnalyzerResource, props: Record<string, unknown>, config: Record<string, unknown>) {
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    props,
    opts: DEFAULT_OPTIONS,
    stackTags: NO_STACK_TAGS,
    getConfig: () => ({ ...config }),
    isType: () => false,
    asType: () => undefined,
    notApplicable: (reason?: string): never => {
      throw new NotApplicableSignal(reason);
    },
  };
}

async function capture(run: (report: (message: string, urn?: string) => void) => unknown): Promise<PolicyOutcome> {
  const outcome: PolicyOutcome = { violations: [] };
  try {
    await run((message, urn) => outcome.violations.push({ message, urn }));
  } catch (error) {
    if (error instanceof NotApplicableSignal) outcome.notApplicable = error.reason ?? "";
    else if (error instanceof UnknownValueError) outcome.unknownValueError = error.message;
    else throw error;
  }
  return outcome;
}

/** Runs a resource policy's validateResource as the server's Analyze does. */
export function runResourcePolicy(
  policy: ResourceValidationPolicy,
  resource: AnalyzerResource,
  config: Record<string, unknown> = {},
  options: { viaStruct?: boolean; props?: Record<string, unknown> } = {},
): Promise<PolicyOutcome> {
  const validate = policy.validateResource;
  if (!validate || Array.isArray(validate)) throw new Error(`${policy.name} has no single validateResource`);
  const args = baseArgs(
    resource,
    options.props ?? engineProps(resource.properties, false, options.viaStruct ?? true),
    config,
  );
  return capture((report) => validate(args as never, report));
}

/** Runs a resource policy's remediateResource as the server's Remediate does; returns the new properties. */
export async function runRemediation(
  policy: ResourceValidationPolicy,
  resource: AnalyzerResource,
  config: Record<string, unknown> = {},
  viaStruct = true,
): Promise<{ properties?: Record<string, unknown>; notApplicable?: string; unknownValueError?: string }> {
  if (!policy.remediateResource) throw new Error(`${policy.name} has no remediateResource`);
  const { serializeProperties } = require("@pulumi/policy/deserialize") as {
    serializeProperties(value: unknown): Promise<Record<string, unknown>>;
  };
  const args = baseArgs(resource, engineProps(resource.properties, true, viaStruct), config);
  try {
    const result = await policy.remediateResource(args as never);
    return { properties: result ? await serializeProperties(result) : undefined };
  } catch (error) {
    if (error instanceof NotApplicableSignal) return { notApplicable: error.reason ?? "" };
    if (error instanceof UnknownValueError) return { unknownValueError: error.message };
    throw error;
  }
}

/** One PolicyResource as server.js builds it for AnalyzeStack (links filled in afterwards). */
interface EnginePolicyResource {
  type: string;
  name: string;
  urn: string;
  props: Record<string, unknown>;
  opts: typeof DEFAULT_OPTIONS;
  dependencies: EnginePolicyResource[];
  propertyDependencies: Record<string, EnginePolicyResource[]>;
  parent?: EnginePolicyResource;
  isType(resourceClass: unknown): boolean;
  asType(resourceClass: unknown): unknown;
}

function isTypeNever(): boolean {
  return false;
}
function asTypeNever(): undefined {
  return undefined;
}

/** Builds the `resources` of StackValidationArgs as server.js does (links by URN, missing ones dropped). */
export function engineStackResources(
  resources: readonly AnalyzerStackResource[],
  viaStruct = true,
): EnginePolicyResource[] {
  const built: EnginePolicyResource[] = resources.map((resource) => ({
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    props: engineProps(resource.properties, false, viaStruct),
    opts: DEFAULT_OPTIONS,
    dependencies: [],
    propertyDependencies: {},
    // The pack's policies never call isType/asType (they compare type tokens); these keep the shape.
    isType: isTypeNever,
    asType: asTypeNever,
  }));
  const byUrn = new Map<string, EnginePolicyResource>();
  for (const resource of built) byUrn.set(resource.urn, resource);
  resources.forEach((input, index) => {
    const resource = built[index];
    if (input.parent) resource.parent = byUrn.get(input.parent);
    if (input.dependencies) resource.dependencies = input.dependencies.flatMap((urn) => byUrn.get(urn) ?? []);
    for (const [property, urns] of Object.entries(input.propertyDependencies ?? {})) {
      resource.propertyDependencies[property] = urns.flatMap((urn) => byUrn.get(urn) ?? []);
    }
  });
  return built;
}

/**
 * Runs a stack policy's validateStack as the server's AnalyzeStack does. `resources` may be the
 * engine's view (AnalyzerStackResource[]) or already built by `engineStackResources` (shared by
 * several policies: validateStack does not change them).
 */
export function runStackPolicy(
  policy: StackValidationPolicy,
  resources: readonly AnalyzerStackResource[] | { built: ReturnType<typeof engineStackResources> },
  config: Record<string, unknown> = {},
): Promise<PolicyOutcome> {
  const args = {
    resources: "built" in resources ? resources.built : engineStackResources(resources),
    getConfig: () => ({ ...config }),
    stackTags: new Map<string, string>(),
    notApplicable: (reason?: string): never => {
      throw new NotApplicableSignal(reason);
    },
  };
  return capture((report) => policy.validateStack(args as never, report));
}
