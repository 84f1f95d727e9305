/**
 * Terraform's values on the wire (tfplugin6 DynamicValue.msgpack), as plain JavaScript values.
 *
 * Format: hashicorp/terraform docs/plugin-protocol/object-wire-format.md and go-cty's msgpack
 * package: objects are maps with every attribute present (null when unset), sets and lists are
 * arrays, an unknown value is the extension type 0 (cty writes fixext1 0xd4 0x00 0x00); Terraform
 * 1.6+ may send an unknown with refinements (such as "not null") as the extension type 12, which
 * the stand-in reads as plain unknown.
 */
import { ExtensionCodec, decode, encode } from "@msgpack/msgpack";

/** The one unknown value: Terraform's "(known after apply)". */
export const UNKNOWN: unique symbol = Symbol("unknown");

export type CtyValue = null | string | number | boolean | typeof UNKNOWN | CtyValue[] | { [name: string]: CtyValue };
export type CtyObject = { [name: string]: CtyValue };

const UNKNOWN_EXTENSION = 0;
const REFINED_UNKNOWN_EXTENSION = 12;

const codec = new ExtensionCodec();
codec.register({
  type: UNKNOWN_EXTENSION,
  encode: (value) => (value === UNKNOWN ? new Uint8Array([0]) : null),
  decode: () => UNKNOWN,
});
codec.register({
  type: REFINED_UNKNOWN_EXTENSION,
  encode: () => null,
  decode: () => UNKNOWN,
});

export function decodeDynamicValue(value: { msgpack?: Buffer; json?: Buffer } | null | undefined): CtyValue {
  if (!value) return null;
  if (value.msgpack && value.msgpack.length > 0) return decode(value.msgpack, { extensionCodec: codec }) as CtyValue;
  if (value.json && value.json.length > 0) return JSON.parse(value.json.toString("utf8")) as CtyValue;
  return null;
}

export function encodeDynamicValue(value: CtyValue): { msgpack: Buffer } {
  return { msgpack: Buffer.from(encode(value, { extensionCodec: codec })) };
}

export function isObject(value: CtyValue): value is CtyObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** True when the value or anything inside it is unknown. */
export function containsUnknown(value: CtyValue): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isObject(value)) return Object.values(value).some(containsUnknown);
  return false;
}
