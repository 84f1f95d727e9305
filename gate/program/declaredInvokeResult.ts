/**
 * An offline answer for any provider function (data-source lookup) the gate has no answer of its own
 * for: every output its result type declares, read from the installed provider package's own
 * declaration (`@pulumi/aws/route53/getZone.d.ts`, `interface GetZoneResult`), the lookup's arguments
 * where the result echoes them, and everything else unknown, as it would come from AWS. A program
 * reading `zone.zoneId` then goes on with an unknown value instead of a missing one.
 */
import * as fs from "fs";
import * as path from "path";
import {
  UNKNOWN_ARRAY_SENTINEL,
  UNKNOWN_BOOLEAN_SENTINEL,
  UNKNOWN_NUMBER_SENTINEL,
  UNKNOWN_OBJECT_SENTINEL,
  UNKNOWN_STRING_SENTINEL,
} from "../../facts";

/** The unknown sentinel for a TypeScript property type as the code generator writes them. */
function unknownFor(type: string): string {
  const trimmed = type.trim();
  if (trimmed.endsWith("[]") || trimmed.startsWith("Array<")) return UNKNOWN_ARRAY_SENTINEL;
  if (trimmed === "string") return UNKNOWN_STRING_SENTINEL;
  if (trimmed === "number") return UNKNOWN_NUMBER_SENTINEL;
  if (trimmed === "boolean") return UNKNOWN_BOOLEAN_SENTINEL;
  return UNKNOWN_OBJECT_SENTINEL;
}

/** The top-level properties of `interface <name> { ... }` in a generated .d.ts: name -> type text. */
export function declaredProperties(declaration: string, interfaceName: string): Record<string, string> | undefined {
  const start = declaration.indexOf(`export interface ${interfaceName} {`);
  if (start < 0) return undefined;
  const properties: Record<string, string> = {};
  let depth = 0;
  let statement = "";
  for (const line of declaration.slice(start).split("\n").slice(1)) {
    const text = line.trim();
    if (depth === 0 && text === "}") break;
    if (depth === 0 && (text.startsWith("/**") || text.startsWith("*"))) continue;
    statement += ` ${text}`;
    depth += (text.match(/[{<]/g) ?? []).length - (text.match(/[}>]/g) ?? []).length;
    if (depth > 0 || !text.endsWith(";")) continue;
    const match = /^\s*readonly (\w+)\??: (.*);$/.exec(statement);
    if (match) properties[match[1]] = match[2];
    statement = "";
  }
  return properties;
}

/** `aws:route53/getZone:getZone` -> the package, the module's folder and the function's name. */
function parseToken(token: string): { pkg: string; folder: string; fn: string } | undefined {
  const match = /^([\w-]+):([\w/-]+):(\w+)$/.exec(token);
  if (!match) return undefined;
  const module = match[2].split("/")[0];
  return { pkg: match[1], folder: module === "index" ? "" : module, fn: match[3] };
}

const declarationCache = new Map<string, Record<string, string> | undefined>();

/** The result type's properties of a provider function, from the package the program uses; undefined if not found. */
export function resultProperties(token: string, programDir: string): Record<string, string> | undefined {
  if (declarationCache.has(token)) return declarationCache.get(token);
  let properties: Record<string, string> | undefined;
  const parsed = parseToken(token);
  if (parsed) {
    try {
      const packageDir = path.dirname(require.resolve(`@pulumi/${parsed.pkg}/package.json`, { paths: [programDir] }));
      const file = path.join(packageDir, parsed.folder, `${parsed.fn}.d.ts`);
      const name = `${parsed.fn[0].toUpperCase()}${parsed.fn.slice(1)}Result`;
      properties = declaredProperties(fs.readFileSync(file, "utf8"), name);
    } catch {
      properties = undefined;
    }
  }
  declarationCache.set(token, properties);
  return properties;
}

/** The lookup's answer: its arguments where the result echoes them, every other declared output unknown. */
export function declaredInvokeResult(
  token: string,
  inputs: Record<string, unknown>,
  programDir: string,
): Record<string, unknown> | undefined {
  const properties = resultProperties(token, programDir);
  if (!properties) return undefined;
  const result: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(properties))
    result[name] = inputs[name] !== undefined ? inputs[name] : unknownFor(type);
  return result;
}
