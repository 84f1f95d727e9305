/**
 * Links between a plan's resources, from its `configuration`: the counterpart of Pulumi's
 * `propertyDependencies`. Terraform's plan JSON keeps no per-attribute dependency list; each
 * attribute's expression lists its `references` instead (module-relative, each traversal prefix
 * repeated: `["aws_kms_key.k[1].arn", "aws_kms_key.k[1]", "aws_kms_key.k"]`). They are followed here:
 *
 * - to a resource in the same module instance: the instance the reference names
 *   (`aws_kms_key.k[1]`, `aws_kms_key.k["analytics"]`); a reference with no key (`aws_kms_key.k`
 *   alone, as Terraform writes `aws_kms_key.k[count.index]` or a splat) links every instance,
 *   because which one is meant is decided only at apply: the pack then judges the cluster against
 *   each of them and reports the worst (or picks the one whose ARN matches, once it is known);
 * - through a module output (`module.keys.key_arn`: the output's expression in the child module
 *   instance, or in every instance of a module with count/for_each unless the reference names one);
 * - through a module input (`var.key_arn` in a child module: the parent's
 *   `module_calls.<name>.expressions.key_arn`, followed in the parent module instance).
 *
 * Everything else is outside the plan's resources: a data source, a root variable, a local value
 * (the configuration JSON does not hold locals), a literal. The pack then judges the value (a key
 * outside the stack when it is a known ARN) or says it could not check it (when it is unknown).
 */
import {
  canonicalAddress,
  canonicalKey,
  moduleInstancePath,
  parseReference,
  within,
  type ModuleInstanceStep,
  type ResourceInstanceAddress,
} from "./address";

/** One module's part of a plan's `configuration` (`root_module` or a `module_calls.<name>.module`). */
interface ModuleConfiguration {
  resources: Map<string, ResourceConfiguration>;
  outputs: Record<string, unknown>;
  variables: Record<string, unknown>;
  calls: Map<string, { expressions: Record<string, unknown>; source?: string; module: ModuleConfiguration }>;
}

export interface ResourceConfiguration {
  expressions: Record<string, unknown>;
  dependsOn: string[];
}

export interface ResourceLinks {
  /** Top-level attribute (Terraform's name) → the canonical addresses of the resources its expression leads to. */
  byAttribute: Map<string, Set<string>>;
  /** Every resource linked by any attribute or by `depends_on`. */
  all: Set<string>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isExpression(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => key === "references" || key === "constant_value");
}

/** Every reference in an attribute's expression, nested blocks' expressions included. */
export function referencesIn(tree: unknown, into: string[] = []): string[] {
  if (Array.isArray(tree)) {
    for (const element of tree) referencesIn(element, into);
  } else if (isPlainObject(tree)) {
    if (isExpression(tree)) {
      if (Array.isArray(tree.references))
        for (const reference of tree.references) if (typeof reference === "string") into.push(reference);
    } else {
      for (const member of Object.values(tree)) referencesIn(member, into);
    }
  }
  return into;
}

function readModule(raw: unknown): ModuleConfiguration {
  const module: ModuleConfiguration = { resources: new Map(), outputs: {}, variables: {}, calls: new Map() };
  if (!isPlainObject(raw)) return module;
  if (Array.isArray(raw.resources)) {
    for (const resource of raw.resources) {
      if (!isPlainObject(resource) || resource.mode === "data") continue;
      if (typeof resource.type !== "string" || typeof resource.name !== "string") continue;
      module.resources.set(`${resource.type}.${resource.name}`, {
        expressions: isPlainObject(resource.expressions) ? resource.expressions : {},
        dependsOn: Array.isArray(resource.depends_on)
          ? resource.depends_on.filter((entry): entry is string => typeof entry === "string")
          : [],
      });
    }
  }
  if (isPlainObject(raw.outputs)) module.outputs = raw.outputs;
  if (isPlainObject(raw.variables)) module.variables = raw.variables;
  if (isPlainObject(raw.module_calls)) {
    for (const [name, call] of Object.entries(raw.module_calls)) {
      if (!isPlainObject(call)) continue;
      module.calls.set(name, {
        expressions: isPlainObject(call.expressions) ? call.expressions : {},
        ...(typeof call.source === "string" ? { source: call.source } : {}),
        module: readModule(call.module),
      });
    }
  }
  return module;
}

/** At most this many module outputs and inputs followed in one chain (Terraform forbids cycles; this bounds a malformed file). */
const MAXIMUM_DEPTH = 64;

/**
 * A plan's configuration, indexed against the resource instances the plan holds (canonical
 * addresses), so each link is a lookup.
 */
export class ConfigurationLinks {
  private readonly root: ModuleConfiguration;
  /** `<module instance path>|<type>.<name>` → its instances: canonical address and canonical key. */
  private readonly instancesOfResource = new Map<string, { address: string; key: string }[]>();
  /** `<parent module instance path>|<call name>` → the module instances of that call. */
  private readonly instancesOfCall = new Map<string, ModuleInstanceStep[][]>();
  private readonly memo = new Map<string, Set<string>>();

  /**
   * @param rootVariables the plan's `variables` (`{ name: { value } }`): the root module's inputs.
   */
  constructor(
    configuration: unknown,
    instances: readonly ResourceInstanceAddress[],
    private readonly rootVariables: Record<string, unknown> = {},
  ) {
    this.root = readModule(isPlainObject(configuration) ? configuration.root_module : undefined);
    const seenModules = new Set<string>();
    for (const instance of instances) {
      const key = `${moduleInstancePath(instance.modules)}|${instance.type}.${instance.name}`;
      const entry = { address: canonicalAddress(instance), key: canonicalKey(instance.key) };
      const list = this.instancesOfResource.get(key);
      if (list) list.push(entry);
      else this.instancesOfResource.set(key, [entry]);
      for (let depth = 1; depth <= instance.modules.length; depth++) {
        const modules = instance.modules.slice(0, depth);
        const path = moduleInstancePath(modules);
        if (seenModules.has(path)) continue;
        seenModules.add(path);
        const callKey = `${moduleInstancePath(modules.slice(0, -1))}|${modules[depth - 1].name}`;
        const calls = this.instancesOfCall.get(callKey);
        if (calls) calls.push(modules);
        else this.instancesOfCall.set(callKey, [modules]);
      }
    }
  }

  /** True when the configuration has any module (a plan made without one has no links to follow). */
  get known(): boolean {
    return this.root.resources.size > 0 || this.root.calls.size > 0;
  }

  /** The module calls' sources, by module path (`module.a.module.b`), for finding their `.tf` files. */
  moduleSources(): Map<string, string> {
    const sources = new Map<string, string>();
    const walk = (module: ModuleConfiguration, path: string) => {
      for (const [name, call] of module.calls) {
        const childPath = within(path, `module.${name}`);
        if (call.source !== undefined) sources.set(childPath, call.source);
        walk(call.module, childPath);
      }
    };
    walk(this.root, "");
    return sources;
  }

  private moduleAt(modules: readonly ModuleInstanceStep[]): ModuleConfiguration | undefined {
    let module: ModuleConfiguration | undefined = this.root;
    for (const step of modules) module = module?.calls.get(step.name)?.module;
    return module;
  }

  /** The resource block an instance comes from; undefined when the configuration does not have it. */
  resourceConfiguration(instance: ResourceInstanceAddress): ResourceConfiguration | undefined {
    return this.moduleAt(instance.modules)?.resources.get(`${instance.type}.${instance.name}`);
  }

  /**
   * Whether the configuration sets an attribute of the instance: an expression that is not a literal
   * null. Undefined when the configuration does not have the resource (nothing is known then).
   */
  isConfigured(instance: ResourceInstanceAddress, attribute: string): boolean | undefined {
    if (!this.known) return undefined;
    const resource = this.resourceConfiguration(instance);
    if (!resource) return undefined;
    return !this.isNullExpression(resource.expressions[attribute], instance.modules, 0);
  }

  /**
   * True when an expression is absent or certainly null: a literal null, or nothing but a variable
   * that is null (a module input the caller leaves out, whose default is null, is the common case:
   * `rotation_period_in_days = var.rotation_period_in_days`). Anything else may be a value.
   */
  private isNullExpression(expression: unknown, modules: readonly ModuleInstanceStep[], depth: number): boolean {
    if (expression === undefined) return true;
    if (!isPlainObject(expression) || !isExpression(expression) || depth > MAXIMUM_DEPTH) return false;
    const references = Array.isArray(expression.references) ? expression.references : [];
    if (references.length === 0) return expression.constant_value === null;
    const variable = references.length === 1 ? parseReference(String(references[0])) : undefined;
    if (variable?.kind !== "variable" || references[0] !== `var.${variable.name}`) return false;
    if (modules.length === 0) {
      const given = this.rootVariables[variable.name];
      return isPlainObject(given) && given.value === null;
    }
    const parent = modules.slice(0, -1);
    const call = this.moduleAt(parent)?.calls.get(modules[modules.length - 1].name);
    if (!call) return false;
    if (call.expressions[variable.name] !== undefined)
      return this.isNullExpression(call.expressions[variable.name], parent, depth + 1);
    // Not passed by the caller: the variable's default (a variable without one must be passed).
    const declared = call.module.variables[variable.name];
    return isPlainObject(declared) && "default" in declared && declared.default === null;
  }

  /** The resources each attribute of the instance (and its depends_on) leads to. */
  links(instance: ResourceInstanceAddress): ResourceLinks {
    const byAttribute = new Map<string, Set<string>>();
    const all = new Set<string>();
    const resource = this.resourceConfiguration(instance);
    if (!resource) return { byAttribute, all };
    const self = canonicalAddress(instance);
    for (const [attribute, tree] of Object.entries(resource.expressions)) {
      const linked = this.resolve(referencesIn(tree), instance.modules, 0);
      linked.delete(self);
      if (linked.size === 0) continue;
      byAttribute.set(attribute, linked);
      for (const address of linked) all.add(address);
    }
    for (const address of this.resolve(resource.dependsOn, instance.modules, 0, true))
      if (address !== self) all.add(address);
    return { byAttribute, all };
  }

  /** The resource instances a set of references (written in the module instance `modules`) leads to. */
  private resolve(
    references: readonly string[],
    modules: readonly ModuleInstanceStep[],
    depth: number,
    wholeModules = false,
  ): Set<string> {
    const result = new Set<string>();
    if (depth > MAXIMUM_DEPTH || references.length === 0) return result;
    const path = moduleInstancePath(modules);
    const resources = new Map<string, Set<string>>();
    const calls = new Map<string, { keys: Set<string>; outputs: Set<string> }>();
    for (const reference of references) {
      const parsed = parseReference(reference);
      if (parsed.kind === "resource") {
        const keys = resources.get(`${parsed.type}.${parsed.name}`) ?? new Set<string>();
        if (parsed.key !== undefined) keys.add(canonicalKey(parsed.key));
        resources.set(`${parsed.type}.${parsed.name}`, keys);
      } else if (parsed.kind === "module-output") {
        const call = calls.get(parsed.name) ?? { keys: new Set<string>(), outputs: new Set<string>() };
        if (parsed.key !== undefined) call.keys.add(canonicalKey(parsed.key));
        if (parsed.output !== undefined) call.outputs.add(parsed.output);
        calls.set(parsed.name, call);
      } else if (parsed.kind === "variable" && modules.length > 0) {
        for (const address of this.variable(modules, parsed.name, depth)) result.add(address);
      }
    }
    for (const [resource, keys] of resources) {
      for (const instance of this.instancesOfResource.get(`${path}|${resource}`) ?? []) {
        // The instance the reference names; every instance when none is named.
        if (keys.size === 0 || keys.has(instance.key)) result.add(instance.address);
      }
    }
    for (const [name, call] of calls) {
      for (const child of this.instancesOfCall.get(`${path}|${name}`) ?? []) {
        if (call.keys.size > 0 && !call.keys.has(canonicalKey(child[child.length - 1].key))) continue;
        if (wholeModules) {
          // `depends_on = [module.m]`: every resource of the module instance.
          const childPath = moduleInstancePath(child);
          for (const [key, entries] of this.instancesOfResource)
            if (key.startsWith(`${childPath}.`) || key.startsWith(`${childPath}|`))
              for (const entry of entries) result.add(entry.address);
          continue;
        }
        for (const output of call.outputs) for (const address of this.output(child, output, depth)) result.add(address);
      }
    }
    return result;
  }

  private output(modules: readonly ModuleInstanceStep[], name: string, depth: number): Set<string> {
    const key = `${moduleInstancePath(modules)}|output|${name}`;
    const known = this.memo.get(key);
    if (known) return known;
    this.memo.set(key, new Set());
    const output = this.moduleAt(modules)?.outputs[name];
    const expression = isPlainObject(output) ? output.expression : undefined;
    const result = this.resolve(referencesIn(expression), modules, depth + 1);
    this.memo.set(key, result);
    return result;
  }

  private variable(modules: readonly ModuleInstanceStep[], name: string, depth: number): Set<string> {
    const key = `${moduleInstancePath(modules)}|var|${name}`;
    const known = this.memo.get(key);
    if (known) return known;
    this.memo.set(key, new Set());
    const parent = modules.slice(0, -1);
    const call = this.moduleAt(parent)?.calls.get(modules[modules.length - 1].name);
    const result = this.resolve(referencesIn(call?.expressions[name]), parent, depth + 1);
    this.memo.set(key, result);
    return result;
  }
}
