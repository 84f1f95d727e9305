/**
 * Marshalling between the plain types of `protocol.ts` and the generated `pulumirpc` protobuf
 * messages, field by field as the engine fills them.
 */
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import type {
  AnalyzeResult,
  AnalyzerInfo,
  AnalyzerProvider,
  AnalyzerResource,
  AnalyzerResourceOptions,
  AnalyzerStackResource,
  EnforcementLevel,
  PolicyNotApplicable,
  PolicySeverity,
  RemediateResult,
  StackConfiguration,
} from "./protocol";
import type { ResolvedPolicyConfig } from "./packConfig";
import { encodeLongProtobufStringsNatively } from "./protobufLongStrings";
import { fromStruct, toStruct } from "./wireValues";

// The engine (Go) encodes strings natively; google-protobuf's JavaScript loop made the gate's
// requests for 1,000 components cost seconds (see protobufLongStrings.ts). Same bytes on the wire.
encodeLongProtobufStringsNatively();

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

function optionsToWire(
  options: AnalyzerResourceOptions | undefined,
  parent: string | undefined,
): analyzerProto.AnalyzerResourceOptions {
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

/** `Analyze`'s and `Remediate`'s request: one resource's inputs. */
export function analyzeRequest(resource: AnalyzerResource): analyzerProto.AnalyzeRequest {
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

function notApplicableFromWire(list: analyzerProto.PolicyNotApplicable[]): PolicyNotApplicable[] {
  return list.map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() }));
}

/** `Analyze`'s and `AnalyzeStack`'s response as plain data. */
export function analyzeResultFromWire(response: analyzerProto.AnalyzeResponse): AnalyzeResult {
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
    notApplicable: notApplicableFromWire(response.getNotApplicableList()),
  };
}

/** `GetAnalyzerInfo`'s response as plain data. */
export function analyzerInfoFromWire(response: analyzerProto.AnalyzerInfo): AnalyzerInfo {
  const initialConfig: AnalyzerInfo["initialConfig"] = {};
  response.getInitialconfigMap().forEach((value, key) => {
    initialConfig[key] = {
      enforcementLevel: enforcementLevelFromWire(value.getEnforcementlevel()),
      properties: fromStruct(value.getProperties()),
    };
  });
  return {
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
        configSchema: schema
          ? { properties: fromStruct(schema.getProperties()) ?? {}, required: schema.getRequiredList() }
          : undefined,
        remediationSteps: p.getRemediationSteps(),
        url: p.getUrl(),
        tags: p.getTagsList(),
      };
    }),
  };
}

/** `Configure`'s request: every policy's resolved level and properties. */
export function configureRequest(
  resolved: Record<string, ResolvedPolicyConfig>,
): analyzerProto.ConfigureAnalyzerRequest {
  const request = new analyzerProto.ConfigureAnalyzerRequest();
  const map = request.getPolicyconfigMap();
  for (const [name, policyConfig] of Object.entries(resolved)) {
    const wire = new analyzerProto.PolicyConfig();
    wire.setEnforcementlevel(enforcementLevelToWire(policyConfig.enforcementLevel));
    wire.setProperties(toStruct(policyConfig.properties));
    map.set(name, wire);
  }
  return request;
}

/** `ConfigureStack`'s request. */
export function configureStackRequest(stack: StackConfiguration): analyzerProto.AnalyzerStackConfigureRequest {
  const request = new analyzerProto.AnalyzerStackConfigureRequest();
  request.setStack(stack.stack);
  request.setProject(stack.project);
  request.setOrganization(stack.organization ?? "");
  request.setDryRun(stack.dryRun ?? false);
  const tags = request.getTagsMap();
  for (const [key, value] of Object.entries(stack.tags ?? {})) tags.set(key, value);
  return request;
}

/** One resource of an AnalyzeStack request, encoded. */
function stackResourceBytes(resource: AnalyzerStackResource, where: string): Uint8Array {
  checkResource(resource, where);
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
  return wire.serializeBinary();
}

/**
 * `AnalyzeStack`'s request: every resource's outputs with its parent and dependencies. Each
 * resource is encoded as soon as it is built and only its bytes are kept: the message objects of a
 * whole stack (a Value object per property) take ~14 times the encoded size, which at 200,000
 * resources is gigabytes for the garbage collector to walk again and again.
 */
export function analyzeStackRequest(resources: AnalyzerStackResource[]): analyzerProto.AnalyzeStackRequest {
  if (!Array.isArray(resources))
    throw new TypeError(`analyzerHost: analyzeStack takes an array of resources, got ${String(resources)}`);
  const encoded: Uint8Array[] = [];
  let length = 0;
  resources.forEach((resource, index) => {
    const bytes = stackResourceBytes(resource, `resources[${index}]`);
    // `repeated AnalyzerResource resources = 1`: each element is field 1, length-delimited.
    const header = lengthDelimitedFieldHeader(1, bytes.length);
    encoded.push(header, bytes);
    length += header.length + bytes.length;
  });
  const request = new analyzerProto.AnalyzeStackRequest();
  // The gRPC client sends what serializeBinary() returns: the bytes above, joined, are exactly what
  // the message with every resource set would encode to.
  request.serializeBinary = () => {
    const joined = new Uint8Array(length);
    let offset = 0;
    for (const part of encoded) {
      joined.set(part, offset);
      offset += part.length;
    }
    return joined;
  };
  return request;
}

/** A protobuf field key (field number, wire type 2 = length-delimited) and the length, as varints. */
function lengthDelimitedFieldHeader(field: number, byteLength: number): Uint8Array {
  const bytes = [(field << 3) | 2];
  let remaining = byteLength;
  while (remaining >= 0x80) {
    bytes.push((remaining & 0x7f) | 0x80);
    remaining = Math.floor(remaining / 128);
  }
  bytes.push(remaining);
  return Uint8Array.from(bytes);
}

/** `Remediate`'s response as plain data. */
export function remediateResultFromWire(response: analyzerProto.RemediateResponse): RemediateResult {
  return {
    remediations: response.getRemediationsList().map((r) => ({
      policyName: r.getPolicyname(),
      policyPackName: r.getPolicypackname(),
      policyPackVersion: r.getPolicypackversion(),
      description: r.getDescription(),
      properties: fromStruct(r.getProperties()),
      diagnostic: r.getDiagnostic() || undefined,
    })),
    notApplicable: notApplicableFromWire(response.getNotApplicableList()),
  };
}
