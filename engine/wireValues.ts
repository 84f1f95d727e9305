/**
 * Values on the engine's wire: resource properties travel as `google.protobuf.Struct`. Unknown
 * values (during preview) are the engine's sentinel strings (`UNKNOWN`); secrets are
 * `{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value }` (build them with
 * `secret(value)`). `undefined` properties are left out, as the engine does.
 */
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import {
  UNKNOWN_ARCHIVE_SENTINEL,
  UNKNOWN_ARRAY_SENTINEL,
  UNKNOWN_ASSET_SENTINEL,
  UNKNOWN_BOOLEAN_SENTINEL,
  UNKNOWN_NUMBER_SENTINEL,
  UNKNOWN_OBJECT_SENTINEL,
  UNKNOWN_STRING_SENTINEL,
} from "../facts";

// The secret's wire form is a Pulumi fact; the engine side names its constructor `secret`.
export { isWireSecret, wireSecret as secret, type WireSecret } from "../facts";

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
    throw new TypeError(
      `analyzerHost: properties must be a plain object, got ${Array.isArray(properties) ? "an array" : String(properties)}`,
    );
  }
  return Struct.fromJavaScript(toWireValue(properties, "properties") as Record<string, JavaScriptValue>);
}

/** A `google.protobuf.Struct` back to plain JS (secrets stay in wire form, see `isWireSecret`). */
export function fromStruct(struct: Struct | undefined): Record<string, unknown> | undefined {
  return struct === undefined ? undefined : (struct.toJavaScript() as Record<string, unknown>);
}
