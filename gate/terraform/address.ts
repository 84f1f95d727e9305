/**
 * Terraform's resource addresses (`module.warehouse["eu"].aws_kms_key.k[1]`) and the reference
 * strings of a configuration's expressions (`aws_kms_key.k["analytics"].arn`, `module.keys.key_arn`,
 * `var.key_arn`), parsed into their parts. Instance keys are written as Terraform writes them (Go's
 * %q for strings, plain digits for numbers), and compared in one canonical form.
 */

export type InstanceKey = number | string;

export interface ModuleInstanceStep {
  name: string;
  key?: InstanceKey;
}

export interface ResourceInstanceAddress {
  modules: ModuleInstanceStep[];
  mode: "managed" | "data";
  type: string;
  name: string;
  key?: InstanceKey;
}

/** What an expression's reference names. */
export type Reference =
  | { kind: "resource"; type: string; name: string; key?: InstanceKey }
  | { kind: "module-output"; name: string; key?: InstanceKey; output?: string }
  | { kind: "variable"; name: string }
  /** data sources, locals, count/each, path, terraform, self: nothing a resource link can follow. */
  | { kind: "other" };

type Step = { attribute: string } | { index: InstanceKey | "*" };

const GO_ESCAPES: Record<string, string> = { a: "\u0007", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\u000b" };

/** A Go-quoted string's content (strconv.Quote: JSON's escapes plus \a \v \xNN \UNNNNNNNN). */
function unquote(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_all, escape: string) => {
    if (/^[xuU]/.test(escape) && escape.length > 1) return String.fromCodePoint(parseInt(escape.slice(1), 16));
    return GO_ESCAPES[escape] ?? escape;
  });
}

/** The traversal steps of an address or reference, or undefined when it is not one. */
function steps(text: string): Step[] | undefined {
  const result: Step[] = [];
  let position = 0;
  while (position < text.length) {
    if (text[position] === "[") {
      const close = (value: InstanceKey | "*", end: number): boolean => {
        if (text[end] !== "]") return false;
        result.push({ index: value });
        position = end + 1;
        return true;
      };
      if (text[position + 1] === '"') {
        let end = position + 2;
        while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
        if (!close(unquote(text.slice(position + 2, end)), end + 1)) return undefined;
        continue;
      }
      const number = /^(-?\d+|\*)/.exec(text.slice(position + 1));
      if (!number || !close(number[1] === "*" ? "*" : Number(number[1]), position + 1 + number[1].length))
        return undefined;
      continue;
    }
    if (result.length > 0) {
      if (text[position] !== ".") return undefined;
      position++;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(position));
    if (!name) return undefined;
    result.push({ attribute: name[0] });
    position += name[0].length;
  }
  return result;
}

function keyOf(step: Step | undefined): InstanceKey | undefined {
  return step && "index" in step && step.index !== "*" ? step.index : undefined;
}

/** `[0]` or `["analytics"]`: the one form keys are compared in. */
export function canonicalKey(key: InstanceKey | undefined): string {
  return key === undefined ? "" : `[${JSON.stringify(key)}]`;
}

/** `module.a["x"].module.b` for a module instance path; "" for the root module. */
export function moduleInstancePath(modules: readonly ModuleInstanceStep[]): string {
  return modules.map((step) => `module.${step.name}${canonicalKey(step.key)}`).join(".");
}

/** `module.a.module.b`: the module's place in the configuration, instance keys left out. */
export function moduleConfigPath(modules: readonly ModuleInstanceStep[]): string {
  return modules.map((step) => `module.${step.name}`).join(".");
}

/** Joins a module path and a relative address. */
export function within(modulePath: string, relative: string): string {
  return modulePath ? `${modulePath}.${relative}` : relative;
}

/** A resource instance's absolute address, parsed; undefined when the text is not one. */
export function parseResourceAddress(address: string): ResourceInstanceAddress | undefined {
  const parts = steps(address);
  if (!parts) return undefined;
  const modules: ModuleInstanceStep[] = [];
  let index = 0;
  const attributeAt = (at: number) => {
    const step = parts[at];
    return step && "attribute" in step ? step.attribute : undefined;
  };
  while (attributeAt(index) === "module") {
    const name = attributeAt(index + 1);
    if (name === undefined) return undefined;
    const key = keyOf(parts[index + 2]);
    modules.push(key === undefined ? { name } : { name, key });
    index += key === undefined ? 2 : 3;
  }
  const mode = attributeAt(index) === "data" ? "data" : "managed";
  if (mode === "data") index++;
  const type = attributeAt(index);
  const name = attributeAt(index + 1);
  if (type === undefined || name === undefined) return undefined;
  const key = keyOf(parts[index + 2]);
  // `[*]`: a deferred instance whose key is not known yet (a plan's `index_unknown`).
  const wildcard = parts[index + 2] !== undefined && "index" in parts[index + 2] && key === undefined;
  if (parts.length !== index + (key === undefined && !wildcard ? 2 : 3)) return undefined;
  return { modules, mode, type, name, ...(key === undefined ? {} : { key }) };
}

/** The canonical form of a resource instance's absolute address (keys as canonicalKey writes them). */
export function canonicalAddress(address: ResourceInstanceAddress): string {
  const resource = `${address.mode === "data" ? "data." : ""}${address.type}.${address.name}${canonicalKey(address.key)}`;
  return within(moduleInstancePath(address.modules), resource);
}

const OTHER_ROOTS = new Set(["data", "local", "count", "each", "path", "terraform", "self", "ephemeral", "action"]);

/** What one of an expression's `references` names (module-relative, as Terraform writes them). */
export function parseReference(reference: string): Reference {
  const parts = steps(reference);
  const root = parts?.[0] && "attribute" in parts[0] ? parts[0].attribute : undefined;
  if (!parts || root === undefined || OTHER_ROOTS.has(root)) return { kind: "other" };
  const second = parts[1] && "attribute" in parts[1] ? parts[1].attribute : undefined;
  if (second === undefined) return { kind: "other" };
  if (root === "var") return { kind: "variable", name: second };
  const key = keyOf(parts[2]);
  const after = parts[key === undefined ? 2 : 3];
  const attribute = after && "attribute" in after ? after.attribute : undefined;
  if (root === "module")
    return {
      kind: "module-output",
      name: second,
      ...(key === undefined ? {} : { key }),
      ...(attribute === undefined ? {} : { output: attribute }),
    };
  return { kind: "resource", type: root, name: second, ...(key === undefined ? {} : { key }) };
}
