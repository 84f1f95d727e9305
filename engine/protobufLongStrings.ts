/**
 * Encodes (and decodes) long protobuf strings with Node's native UTF-8 code instead of google-protobuf's
 * JavaScript loops: encoding in the engine side's process (the gate, the tests, the bench harness),
 * decoding in the policy pack's process (the shipped bundle installs it, see scripts/bundlePolicyPack.ts).
 *
 * Why: google-protobuf's `BinaryWriter.writeString` encodes a string one character at a time and
 * pushes every byte onto a JavaScript array. Every `RedshiftKeyRotation` carries its serialized
 * provider (`__provider`, ~100 KB of code) in its inputs and outputs, so `keyguard check` on 1,000
 * EncryptedRedshiftClusters sent ~200 MB through that loop (Analyze and AnalyzeStack): 6 of the
 * gate's 16 CPU seconds in a profile. The same text repeats for every rotation resource, so its
 * bytes are encoded once and reused.
 *
 * The bytes on the wire do not change: a protobuf string is a length-delimited field holding the
 * string's UTF-8 bytes, which is exactly what `writeBytes` writes for the same field number. Only
 * well-formed strings take this path (a lone surrogate is left to google-protobuf's own encoder),
 * and only long ones (short strings are cheaper in the loop than in a native call).
 */
import { isUtf8 } from "node:buffer";
import * as path from "node:path";

/** Strings shorter than this go through google-protobuf's own encoder. */
const LONG_STRING_CHARS = 1024;
/** Distinct long strings whose bytes are kept (the serialized provider repeats; most others do not). */
const CACHED_STRINGS = 32;

interface BinaryWriterPrototype {
  writeString(field: number, value: string | null | undefined): void;
  writeBytes(field: number, value: Uint8Array): void;
  __keyguardNativeStrings?: true;
}

interface GoogleProtobuf {
  BinaryWriter: { prototype: BinaryWriterPrototype };
  BinaryReader: new (bytes: Uint8Array) => object;
}

/** The google-protobuf that @pulumi/pulumi's generated messages use (the writer and reader they call). */
function pulumiProtobuf(): GoogleProtobuf {
  const pulumiDirectory = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  return require(require.resolve("google-protobuf", { paths: [pulumiDirectory] })) as GoogleProtobuf;
}

function pulumiProtobufWriter(): BinaryWriterPrototype {
  return pulumiProtobuf().BinaryWriter.prototype;
}

export function encodeLongProtobufStringsNatively(): void {
  const writer = pulumiProtobufWriter();
  if (writer.__keyguardNativeStrings) return;
  const encodeInLoop = writer.writeString;
  const cache = new Map<string, Uint8Array>();
  const utf8 = (value: string): Uint8Array => {
    let bytes = cache.get(value);
    if (!bytes) {
      const buffer = Buffer.from(value, "utf8");
      // A plain Uint8Array: google-protobuf copies any other kind of byte array.
      bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      if (cache.size >= CACHED_STRINGS) cache.clear();
      cache.set(value, bytes);
    }
    return bytes;
  };
  writer.writeString = function (this: BinaryWriterPrototype, field, value) {
    if (
      typeof value === "string" &&
      value.length >= LONG_STRING_CHARS &&
      (value as string & { isWellFormed(): boolean }).isWellFormed()
    ) {
      this.writeBytes(field, utf8(value));
      return;
    }
    encodeInLoop.call(this, field, value);
  };
  writer.__keyguardNativeStrings = true;
}

type DecodeString = (this: Record<string, unknown>, length: number) => string;

/**
 * Decodes long protobuf strings natively in this process: google-protobuf's `BinaryDecoder` builds a
 * string from an array of char codes, one byte at a time. The policy pack decodes every
 * RedshiftKeyRotation's ~100 KB `__provider` in Analyze and again in AnalyzeStack (in a real preview
 * too): ~2 of its CPU seconds at 1,000 components.
 *
 * The decoder is not public API: its class is reached through a `BinaryReader`, its byte array and
 * cursor are found by behaviour (the cursor is the field a decode moves), and the native decoder is
 * installed only if it returns exactly what google-protobuf's own does on a probe with 1-, 2-, 3- and
 * 4-byte characters; otherwise nothing changes. Only long, valid UTF-8 takes the native path (for
 * malformed bytes google-protobuf's loop and Node's decoder differ, and the engine never sends them).
 * Returns whether it was installed.
 */
export function decodeLongProtobufStringsNatively(): boolean {
  const probeText = `${"a".repeat(LONG_STRING_CHARS)}é€😀${"b".repeat(10)}`;
  const probeBytes = new Uint8Array(Buffer.from(probeText, "utf8"));
  const protobuf = pulumiProtobuf();
  const reader = new protobuf.BinaryReader(probeBytes) as Record<string, unknown>;
  const decoder = Object.values(reader).find(
    (member): member is Record<string, unknown> =>
      typeof member === "object" &&
      member !== null &&
      typeof (member as { readStringWithLength?: unknown }).readStringWithLength === "function",
  );
  if (!decoder) return false;
  const prototype = Object.getPrototypeOf(decoder) as Record<string, unknown> & { __keyguardNativeStrings?: true };
  if (prototype.__keyguardNativeStrings) return true;
  const decodeInLoop = prototype.readString as DecodeString;
  // Every name the decoder's own readString goes by (BinaryReader calls it by its internal name).
  const names = Object.getOwnPropertyNames(prototype).filter((name) => prototype[name] === decodeInLoop);
  const bytesField = Object.keys(decoder).find(
    (key) =>
      decoder[key] === probeBytes ||
      (decoder[key] instanceof Uint8Array && (decoder[key] as Uint8Array).buffer === probeBytes.buffer),
  );
  const before = Object.fromEntries(Object.entries(decoder).filter(([, value]) => typeof value === "number"));
  const expected = decodeInLoop.call(decoder, probeBytes.length);
  const cursorField = Object.keys(before).find((key) => before[key] === 0 && decoder[key] === probeBytes.length);
  if (!bytesField || !cursorField || names.length === 0 || expected !== probeText) return false;
  const decodeNatively: DecodeString = function (length) {
    const bytes = this[bytesField] as Uint8Array;
    const start = this[cursorField] as number;
    if (length >= LONG_STRING_CHARS && start + length <= bytes.length) {
      const slice = bytes.subarray(start, start + length);
      if (isUtf8(slice)) {
        this[cursorField] = start + length;
        return Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength).toString("utf8");
      }
    }
    return decodeInLoop.call(this, length);
  };
  const check = new protobuf.BinaryReader(probeBytes) as Record<string, unknown>;
  const checkDecoder = Object.values(check).find(
    (member) => member && Object.getPrototypeOf(member) === prototype,
  ) as Record<string, unknown>;
  if (
    decodeNatively.call(checkDecoder, probeBytes.length) !== probeText ||
    checkDecoder[cursorField] !== probeBytes.length
  )
    return false;
  for (const name of names) prototype[name] = decodeNatively;
  prototype.__keyguardNativeStrings = true;
  return true;
}
