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
import { toStruct, type AnalyzerResource, type AnalyzerStackResource } from "../../gate/analyzerHost";

// @pulumi/policy's internals, the same modules server.js uses.
const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
  deserializeProperties(struct: unknown, proxySecrets: boolean): Record<string, unknown>;
};
const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy<T>(value: T): T;
  UnknownValueError: new (...args: never[]) => Error;
};

class NotApplicableSignal extends Error {
  constructor(readonly reason: string | undefined) {
    super(reason ?? "not applicable");
  }
}

/** What a policy did with one call. */
export interface PolicyOutcome {
  violations: { message: string; urn?: string }[];
  /** The reason given to `notApplicable`, when the policy called it. */
  notApplicable?: string;
  /** Set when the policy read an unknown through the proxy (the server would downgrade to advisory). */
  unknownValueError?: string;
}

/** Properties as the engine sends them, then as @pulumi/policy hands them to a policy. */
export function engineProps(properties: Record<string, unknown> | undefined, proxySecrets = false): Record<string, unknown> {
  return unknownCheckingProxy(deserializeProperties(toStruct(properties ?? {}), proxySecrets));
}

function baseArgs(resource: AnalyzerResource, props: Record<string, unknown>, config: Record<string, unknown>) {
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    props,
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    stackTags: new Map<string, string>(),
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
export function runResourcePolicy(policy: ResourceValidationPolicy, resource: AnalyzerResource, config: Record<string, unknown> = {}): Promise<PolicyOutcome> {
  const validate = policy.validateResource;
  if (!validate || Array.isArray(validate)) throw new Error(`${policy.name} has no single validateResource`);
  const args = baseArgs(resource, engineProps(resource.properties), config);
  return capture((report) => validate(args as never, report));
}

/** Runs a resource policy's remediateResource as the server's Remediate does; returns the new properties. */
export async function runRemediation(
  policy: ResourceValidationPolicy,
  resource: AnalyzerResource,
  config: Record<string, unknown> = {},
): Promise<{ properties?: Record<string, unknown>; notApplicable?: string; unknownValueError?: string }> {
  if (!policy.remediateResource) throw new Error(`${policy.name} has no remediateResource`);
  const { serializeProperties } = require("@pulumi/policy/deserialize") as { serializeProperties(value: unknown): Promise<Record<string, unknown>> };
  const args = baseArgs(resource, engineProps(resource.properties, true), config);
  try {
    const result = await policy.remediateResource(args as never);
    return { properties: result ? await serializeProperties(result) : undefined };
  } catch (error) {
    if (error instanceof NotApplicableSignal) return { notApplicable: error.reason ?? "" };
    if (error instanceof UnknownValueError) return { unknownValueError: error.message };
    throw error;
  }
}

/** Builds the `resources` of StackValidationArgs as server.js does (links by URN, missing ones dropped). */
export function engineStackResources(resources: readonly AnalyzerStackResource[]) {
  const built = resources.map((resource) => ({
    resource: {
      ...baseArgs(resource, engineProps(resource.properties), {}),
      dependencies: [] as { urn: string }[],
      propertyDependencies: {} as Record<string, { urn: string }[]>,
      parent: undefined as { urn: string } | undefined,
    },
    input: resource,
  }));
  const byUrn = new Map(built.map((entry) => [entry.resource.urn, entry.resource]));
  for (const { resource, input } of built) {
    if (input.parent && byUrn.has(input.parent)) resource.parent = byUrn.get(input.parent);
    resource.dependencies = (input.dependencies ?? []).flatMap((urn) => byUrn.get(urn) ?? []);
    for (const [property, urns] of Object.entries(input.propertyDependencies ?? {})) {
      resource.propertyDependencies[property] = urns.flatMap((urn) => byUrn.get(urn) ?? []);
    }
  }
  return built.map((entry) => entry.resource);
}

/** Runs a stack policy's validateStack as the server's AnalyzeStack does. */
export function runStackPolicy(policy: StackValidationPolicy, resources: readonly AnalyzerStackResource[], config: Record<string, unknown> = {}): Promise<PolicyOutcome> {
  const args = {
    resources: engineStackResources(resources),
    getConfig: () => ({ ...config }),
    stackTags: new Map<string, string>(),
    notApplicable: (reason?: string): never => {
      throw new NotApplicableSignal(reason);
    },
  };
  return capture((report) => policy.validateStack(args as never, report));
}
