/**
 * A deployed Terraform (or OpenTofu) state read into resource records for `keyguard audit`
 * (mode "audit": every value known). Two forms, told apart by content (./document):
 *
 * - `terraform show -json` without a plan (hashicorp/terraform internal/command/jsonstate):
 *   `format_version` "0.1"/"1.0", `values.root_module.resources[]` (+ `child_modules`) with `values`,
 *   `sensitive_values` and `depends_on`;
 * - the raw state (`terraform state pull`, internal/states/statefile/version4.go): `version` 4,
 *   `resources[]` with `module`, `mode`, `type`, `name` and `instances[]` (`index_key`,
 *   `attributes`, `sensitive_attributes` as paths of `get_attr`/`index` steps, `dependencies`).
 *
 * A state holds no attribute references: the pack links a cluster to its key by value (key ARN,
 * key id, alias name or ARN), as it does for a `pulumi stack export`. Data sources and deposed
 * objects (pending deletion) are not judged.
 */
import { describeValue } from "../../messages/describe";
import type { StackIdentity } from "../resourceRecord";
import { UsageError } from "../usageError";
import {
  canonicalAddress,
  canonicalKey,
  moduleConfigPath,
  parseResourceAddress,
  within,
  type InstanceKey,
  type ResourceInstanceAddress,
} from "./address";
import { parseFormatVersion } from "./document";
import type { TerraformReadOptions } from "./plan";
import { DEFAULT_TERRAFORM_PROJECT, toRecords, type TerraformInstance, type TerraformRecords } from "./records";

/** The state JSON format majors keyguard reads. */
export const SUPPORTED_STATE_FORMAT_MAJORS = [0, 1];
/** The raw state version keyguard reads (Terraform 0.12 and later, OpenTofu). */
export const SUPPORTED_RAW_STATE_VERSION = 4;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface StateInstance {
  address: string;
  parsed: ResourceInstanceAddress;
  values: Record<string, unknown>;
  sensitive: unknown;
  /** Configuration addresses (`module.m.aws_kms_key.k`, no instance keys) it depends on. */
  dependsOn: string[];
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === "string") : [];
}

/** Records from instances, `depends_on` resolved to every instance of the resources named. */
function recordsOf(
  kind: TerraformRecords["kind"],
  instances: StateInstance[],
  what: string,
  options: TerraformReadOptions,
  terraformVersion: unknown,
): TerraformRecords {
  if (instances.length === 0) {
    throw new UsageError(
      `${what} has no managed resources: the state is empty (never applied, or destroyed), so there is nothing to audit`,
    );
  }
  const byConfigAddress = new Map<string, string[]>();
  for (const instance of instances) {
    const config = within(moduleConfigPath(instance.parsed.modules), `${instance.parsed.type}.${instance.parsed.name}`);
    const list = byConfigAddress.get(config) ?? [];
    list.push(canonicalAddress(instance.parsed));
    byConfigAddress.set(config, list);
  }
  const terraformInstances: TerraformInstance[] = instances.map((instance) => ({
    address: instance.address,
    parsed: instance.parsed,
    values: instance.values,
    marks: { sensitive: instance.sensitive },
    dependsOn: instance.dependsOn.flatMap((dependency) => {
      const parsed = parseResourceAddress(dependency);
      if (!parsed) return [];
      const config = within(moduleConfigPath(parsed.modules), `${parsed.type}.${parsed.name}`);
      return byConfigAddress.get(config) ?? [canonicalAddress(parsed)];
    }),
  }));
  const stack: StackIdentity = { project: options.project ?? DEFAULT_TERRAFORM_PROJECT, stack: "state" };
  const { resources, origins } = toRecords(terraformInstances, stack);
  return {
    kind,
    stack,
    resources,
    origins,
    moduleSources: new Map(),
    ...(typeof terraformVersion === "string" ? { terraformVersion } : {}),
  };
}

/** `terraform show -json` of a state. */
export function readStateJson(
  document: Record<string, unknown>,
  what: string,
  options: TerraformReadOptions = {},
): TerraformRecords {
  const version = parseFormatVersion(document.format_version);
  if (!version || !SUPPORTED_STATE_FORMAT_MAJORS.includes(version[0])) {
    throw new UsageError(
      `${what}: format_version is ${describeValue(document.format_version)}; keyguard reads Terraform state JSON of format 0.x and 1.x`,
    );
  }
  const instances: StateInstance[] = [];
  const walk = (module: unknown, where: string) => {
    if (module === undefined || module === null) return;
    if (!isPlainObject(module))
      throw new UsageError(`${what}: ${where} must be a module object, got ${describeValue(module)}`);
    const resources = module.resources ?? [];
    if (!Array.isArray(resources))
      throw new UsageError(`${what}: ${where}.resources must be a list, got ${describeValue(resources)}`);
    resources.forEach((resource: unknown, index: number) => {
      const at = `${where}.resources[${index}]`;
      if (!isPlainObject(resource))
        throw new UsageError(`${what}: ${at} must be an object, got ${describeValue(resource)}`);
      if (resource.mode !== "managed" || resource.deposed_key !== undefined) return;
      const parsed = typeof resource.address === "string" ? parseResourceAddress(resource.address) : undefined;
      if (!parsed || typeof resource.address !== "string")
        throw new UsageError(
          `${what}: ${at}.address must be a resource address, got ${describeValue(resource.address)}`,
        );
      instances.push({
        address: resource.address,
        parsed,
        values: isPlainObject(resource.values) ? resource.values : {},
        sensitive: resource.sensitive_values,
        dependsOn: stringList(resource.depends_on),
      });
    });
    const children = module.child_modules ?? [];
    if (!Array.isArray(children))
      throw new UsageError(`${what}: ${where}.child_modules must be a list, got ${describeValue(children)}`);
    children.forEach((child: unknown, index: number) => walk(child, `${where}.child_modules[${index}]`));
  };
  const values = document.values;
  if (values !== undefined && values !== null && !isPlainObject(values))
    throw new UsageError(`${what}: "values" must be an object, got ${describeValue(values)}`);
  walk(values?.root_module, "values.root_module");
  return recordsOf("state", instances, what, options, document.terraform_version);
}

/** Raw state's sensitive paths (`[[{"type":"get_attr","value":"master_password"}]]`) as a mask shaped like the values. */
export function sensitiveMaskOf(paths: unknown): unknown {
  if (!Array.isArray(paths)) return undefined;
  let mask: unknown = undefined;
  for (const path of paths) {
    if (!Array.isArray(path) || path.length === 0) continue;
    const steps = path.map((step: unknown) => {
      if (!isPlainObject(step)) return undefined;
      if (step.type === "get_attr" && typeof step.value === "string") return step.value;
      // An index step's value is a typed cty JSON value: {"value": 0, "type": "number"}.
      const key = isPlainObject(step.value) ? step.value.value : step.value;
      return step.type === "index" && (typeof key === "number" || typeof key === "string") ? key : undefined;
    });
    if (steps.some((step) => step === undefined)) continue;
    mask = setMask(mask, steps as (string | number)[]);
  }
  return mask;
}

function setMask(mask: unknown, steps: (string | number)[]): unknown {
  if (mask === true) return true;
  if (steps.length === 0) return true;
  const [step, ...rest] = steps;
  if (typeof step === "number") {
    const list = Array.isArray(mask) ? [...(mask as unknown[])] : [];
    list[step] = setMask(list[step], rest);
    return list;
  }
  const object = isPlainObject(mask) ? { ...mask } : {};
  object[step] = setMask(object[step], rest);
  return object;
}

/** `terraform state pull` (raw state, version 4). */
export function readRawState(
  document: Record<string, unknown>,
  what: string,
  options: TerraformReadOptions = {},
): TerraformRecords {
  if (document.version !== SUPPORTED_RAW_STATE_VERSION) {
    throw new UsageError(
      `${what}: "version" is ${describeValue(document.version)}; keyguard reads raw Terraform state of version ${SUPPORTED_RAW_STATE_VERSION} (Terraform 0.12 and later, OpenTofu); run terraform show -json on it with a current Terraform instead`,
    );
  }
  const instances: StateInstance[] = [];
  (document.resources as unknown[]).forEach((resource, index) => {
    const at = `resources[${index}]`;
    if (!isPlainObject(resource))
      throw new UsageError(`${what}: ${at} must be an object, got ${describeValue(resource)}`);
    if (resource.mode !== "managed") return;
    const module = typeof resource.module === "string" ? resource.module : "";
    if (typeof resource.type !== "string" || typeof resource.name !== "string")
      throw new UsageError(
        `${what}: ${at} must have a resource "type" and "name", got ${describeValue(resource.type)} and ${describeValue(resource.name)}`,
      );
    const list = resource.instances ?? [];
    if (!Array.isArray(list))
      throw new UsageError(`${what}: ${at}.instances must be a list, got ${describeValue(list)}`);
    list.forEach((instance: unknown, position: number) => {
      if (!isPlainObject(instance))
        throw new UsageError(`${what}: ${at}.instances[${position}] must be an object, got ${describeValue(instance)}`);
      if (instance.deposed !== undefined) return;
      const key = instance.index_key as InstanceKey | undefined;
      const address = within(module, `${resource.type}.${resource.name}${canonicalKey(key)}`);
      const parsed = parseResourceAddress(address);
      if (!parsed)
        throw new UsageError(`${what}: ${at}.instances[${position}] has no valid address (${describeValue(address)})`);
      instances.push({
        address,
        parsed,
        values: isPlainObject(instance.attributes) ? instance.attributes : {},
        sensitive: sensitiveMaskOf(instance.sensitive_attributes),
        dependsOn: stringList(instance.dependencies),
      });
    });
  });
  return recordsOf("raw-state", instances, what, options, document.terraform_version);
}
