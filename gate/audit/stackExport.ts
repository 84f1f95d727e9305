/**
 * Reads a deployed stack's state as `pulumi stack export` writes it (a version-3 deployment:
 * `{ "version": 3, "deployment": { "manifest", "secrets_providers", "resources": [...] } }`) into
 * resource records. Files that are not JSON, are cut short, or come from another tool get an
 * error that says which of these it is.
 *
 * Secrets in state are `{ "4dabf...": "1b47...", "ciphertext": "..." }` (encrypted, as
 * `pulumi stack export` writes them) or `{ ..., "plaintext": "<JSON>" }` (with --show-secrets).
 * Ciphertext cannot be decrypted offline: the value becomes a secret whose content is unknown,
 * so a policy that needs it says so instead of judging a placeholder.
 */
import * as fs from "fs";
import { RESOURCE_TYPES, UNKNOWN_STRING_SENTINEL, isWireSecret, wireSecret } from "../../facts";
import { describeValue } from "../../messages/describe";
import type { ResourceRecord, StackIdentity } from "../resourceRecord";
import { UsageError } from "../usageError";
import { MAX_JSON_DEPTH, jsonProblem, jsonSyntaxProblem, shortPath } from "../jsonInput";

/** The checkpoint versions `pulumi stack export` has written (3 since Pulumi 3). */
export const SUPPORTED_DEPLOYMENT_VERSIONS = [1, 2, 3];

export interface StackExport {
  stack: StackIdentity;
  resources: ResourceRecord[];
  /** 1-based line of each resource's `"urn"` in the file, for reports that point into it. */
  lineOfUrn: Map<string, number>;
  /** Plaintext secret values found in the file (masked in every report). */
  plaintextSecrets: string[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Names the tool that wrote a JSON document that is not a stack export, when it can be told. */
export function otherToolDescription(document: Record<string, unknown>): string | undefined {
  if ("terraform_version" in document || ("lineage" in document && "serial" in document))
    return "a Terraform state file";
  if ("AWSTemplateFormatVersion" in document || ("Resources" in document && !("deployment" in document)))
    return "a CloudFormation template";
  if ("steps" in document && ("changeSummary" in document || "config" in document))
    return "the output of `pulumi preview --json`";
  if ("checkpoint" in document)
    return "a Pulumi backend checkpoint file (use `pulumi stack export` to get the deployment)";
  if ("$schema" in document && "runs" in document) return "a SARIF report";
  if ("resource_changes" in document || "planned_values" in document) return "a Terraform plan";
  return undefined;
}

/** `where` followed by a property path (["inputs", "tags", 3] -> `where.inputs.tags[3]`). */
function describePath(where: string, steps: readonly (string | number)[]): string {
  return steps.reduce<string>(
    (text, step) => (typeof step === "number" ? `${text}[${step}]` : `${text}.${step}`),
    where,
  );
}

/**
 * Turns state secrets into wire-form secrets the pack understands, down to MAX_JSON_DEPTH levels.
 * Copy on write: a value with no secret in it is returned as it is (most of a large export), so
 * the records share the parsed document instead of holding a second copy of it. `steps` is the
 * path from `where`, kept as a stack (no string per value), spelled out only for an error.
 */
function wireValue(value: unknown, plaintextSecrets: string[], where: string, steps: (string | number)[]): unknown {
  if (value === null || typeof value !== "object") return value;
  if (steps.length >= MAX_JSON_DEPTH)
    throw new UsageError(
      `${shortPath(describePath(where, steps), 300)}: nested more than ${MAX_JSON_DEPTH} levels deep, more than keyguard reads (no real stack nests that deep)`,
    );
  if (Array.isArray(value)) {
    let result: unknown[] | undefined;
    value.forEach((element: unknown, index) => {
      steps.push(index);
      const wired = wireValue(element, plaintextSecrets, where, steps);
      steps.pop();
      if (wired !== element) (result ??= [...value])[index] = wired;
    });
    return result ?? value;
  }
  if (!isPlainObject(value)) return value;
  if (isWireSecret(value)) {
    if (typeof value.plaintext === "string") {
      let decoded: unknown;
      try {
        decoded = JSON.parse(value.plaintext);
      } catch (error) {
        // Never the plaintext itself, even when it is not what it should be.
        throw new UsageError(
          `${describePath(where, steps)}: a secret's "plaintext" must be JSON text (\`pulumi stack export --show-secrets\` writes it so), got ${value.plaintext.length} characters that are not JSON (${jsonSyntaxProblem(error, value.plaintext).description})`,
        );
      }
      // Checked for depth before anything else walks it.
      const wired = wireSecret(wireValue(decoded, plaintextSecrets, where, steps));
      plaintextSecrets.push(value.plaintext);
      collectStrings(decoded, plaintextSecrets);
      return wired;
    }
    if ("value" in value) {
      const wired = wireSecret(wireValue(value.value, plaintextSecrets, where, steps));
      collectStrings(value.value, plaintextSecrets);
      return wired;
    }
    return wireSecret(UNKNOWN_STRING_SENTINEL);
  }
  let result: Record<string, unknown> | undefined;
  for (const key in value) {
    const member = value[key];
    steps.push(key);
    const wired = wireValue(member, plaintextSecrets, where, steps);
    steps.pop();
    // defineProperty: a "__proto__" key from JSON is data, never the prototype.
    if (wired !== member)
      Object.defineProperty((result ??= { ...value }), key, {
        value: wired,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return result ?? value;
}

function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") into.push(String(value));
  else if (Array.isArray(value)) value.forEach((element) => collectStrings(element, into));
  else if (isPlainObject(value)) Object.values(value).forEach((member) => collectStrings(member, into));
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((element) => typeof element !== "string")) {
    throw new UsageError(`${where} must be a list of URNs, got ${describeValue(value)}`);
  }
  return value as string[];
}

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>` */
function parseUrn(urn: string): { stack: string; project: string; name: string } | undefined {
  const match = /^urn:pulumi:([^:]+)::([^:]+)::(.+)::([^]*)$/.exec(urn);
  return match ? { stack: match[1], project: match[2], name: match[4] } : undefined;
}

export function parseStackExport(text: string, file: string): StackExport {
  const what = `--stack-export ${file}`;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} ${jsonProblem(error, text)}; expected the JSON that \`pulumi stack export\` writes`);
  }
  if (!isPlainObject(document)) {
    throw new UsageError(
      `${what} holds ${describeValue(document)}, not a \`pulumi stack export\` document ({ "version": 3, "deployment": { "resources": [...] } })`,
    );
  }
  return stackExportFromDocument(document, text, file);
}

/** The records of an export already parsed (`text` is its file's text, for the lines reports point at). */
export function stackExportFromDocument(document: Record<string, unknown>, text: string, file: string): StackExport {
  const what = `--stack-export ${file}`;
  if (!("deployment" in document)) {
    const other = otherToolDescription(document);
    throw new UsageError(
      `${what} is ${other ?? "not a `pulumi stack export` file"}: it has no "deployment" (top-level keys: ${Object.keys(document).slice(0, 6).join(", ") || "none"}); expected { "version": 3, "deployment": { "resources": [...] } }`,
    );
  }
  const version = document.version;
  if (typeof version !== "number" || !SUPPORTED_DEPLOYMENT_VERSIONS.includes(version)) {
    throw new UsageError(
      `${what}: "version" is ${describeValue(version)}; keyguard reads stack exports of version ${SUPPORTED_DEPLOYMENT_VERSIONS.join(", ")}`,
    );
  }
  const deployment = document.deployment;
  if (!isPlainObject(deployment))
    throw new UsageError(`${what}: "deployment" must be an object, got ${describeValue(deployment)}`);
  const rawResources = deployment.resources ?? [];
  if (!Array.isArray(rawResources))
    throw new UsageError(`${what}: "deployment.resources" must be a list, got ${describeValue(rawResources)}`);

  const plaintextSecrets: string[] = [];
  const resources: ResourceRecord[] = [];
  let stack: StackIdentity | undefined;
  rawResources.forEach((raw: unknown, index: number) => {
    const where = `${what}: deployment.resources[${index}]`;
    if (!isPlainObject(raw)) throw new UsageError(`${where} must be an object, got ${describeValue(raw)}`);
    const { urn, type } = raw;
    if (typeof urn !== "string" || !parseUrn(urn))
      throw new UsageError(
        `${where}.urn must be a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>), got ${describeValue(urn)}`,
      );
    if (typeof type !== "string" || type.length === 0)
      throw new UsageError(`${where}.type must be a resource type token, got ${describeValue(type)}`);
    // A resource pending deletion is not part of the stack any more.
    if (raw.delete === true) return;
    const parsed = parseUrn(urn)!;
    stack ??= { stack: parsed.stack, project: parsed.project };
    const inputs = raw.inputs ?? {};
    const outputs = raw.outputs ?? {};
    if (!isPlainObject(inputs)) throw new UsageError(`${where}.inputs must be an object, got ${describeValue(inputs)}`);
    if (!isPlainObject(outputs))
      throw new UsageError(`${where}.outputs must be an object, got ${describeValue(outputs)}`);
    const rawPropertyDependencies = raw.propertyDependencies ?? {};
    if (!isPlainObject(rawPropertyDependencies))
      throw new UsageError(
        `${where}.propertyDependencies must be an object, got ${describeValue(rawPropertyDependencies)}`,
      );
    const propertyDependencies: Record<string, string[]> = {};
    for (const [property, urns] of Object.entries(rawPropertyDependencies)) {
      propertyDependencies[property] = stringList(urns, `${where}.propertyDependencies.${property}`);
    }
    if (raw.parent !== undefined && typeof raw.parent !== "string")
      throw new UsageError(`${where}.parent must be a URN, got ${describeValue(raw.parent)}`);
    resources.push({
      urn,
      type,
      name: parsed.name,
      custom: raw.custom === true,
      parent: (raw.parent as string | undefined) || undefined,
      dependencies: stringList(raw.dependencies, `${where}.dependencies`),
      propertyDependencies,
      inputs: wireValue(inputs, plaintextSecrets, where, ["inputs"]) as Record<string, unknown>,
      outputs: wireValue(outputs, plaintextSecrets, where, ["outputs"]) as Record<string, unknown>,
      provider: typeof raw.provider === "string" && raw.provider ? raw.provider : undefined,
      protect: raw.protect === true || undefined,
    });
  });

  // An audit of nothing would pass: a stack never deployed, or destroyed, has no state to judge,
  // and a document without the stack resource is not a stack's state at all.
  if (resources.length === 0) {
    throw new UsageError(
      `${what} has no resources${rawResources.length > 0 ? " that are not pending deletion" : ""}: the stack was never deployed or was destroyed, so there is nothing to audit; export a deployed stack (pulumi stack export --stack <name>)`,
    );
  }
  if (!resources.some((resource) => resource.type === RESOURCE_TYPES.pulumiStack)) {
    throw new UsageError(
      `${what} is not a Pulumi stack's state: none of its ${resources.length} resources is the stack itself (type ${RESOURCE_TYPES.pulumiStack}), which every \`pulumi stack export\` holds`,
    );
  }
  return { stack: stack!, resources, lineOfUrn: urnLines(text, resources), plaintextSecrets };
}

/**
 * The line of each resource's `"urn"` key, in one pass over the text (no copy of it split into
 * lines: a 200,000-resource export has millions of them).
 */
function urnLines(text: string, resources: ResourceRecord[]): Map<string, number> {
  const wanted = new Set(resources.map((resource) => resource.urn));
  const lineOfUrn = new Map<string, number>();
  const urnKey = /"urn"\s*:\s*("(?:[^"\\\n]|\\.)*")/g;
  let line = 1;
  let counted = 0;
  for (let match = urnKey.exec(text); match !== null; match = urnKey.exec(text)) {
    for (
      let newline = text.indexOf("\n", counted);
      newline >= 0 && newline < match.index;
      newline = text.indexOf("\n", newline + 1)
    )
      line++;
    counted = match.index;
    let urn: string;
    try {
      urn = JSON.parse(match[1]) as string;
    } catch {
      continue;
    }
    if (wanted.has(urn) && !lineOfUrn.has(urn)) lineOfUrn.set(urn, line);
  }
  return lineOfUrn;
}

export function readStackExport(file: string): StackExport {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `--stack-export ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  return parseStackExport(text, file);
}
