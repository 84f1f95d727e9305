/**
 * Encodes long protobuf strings with Node's native UTF-8 encoder instead of google-protobuf's
 * JavaScript loop, in the engine side's process only (the gate, the tests, the bench harness).
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

/** The google-protobuf that @pulumi/pulumi's generated messages use (the writer they call). */
function pulumiProtobufWriter(): BinaryWriterPrototype {
  const pulumiDirectory = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  const protobuf = require(require.resolve("google-protobuf", { paths: [pulumiDirectory] })) as { BinaryWriter: { prototype: BinaryWriterPrototype } };
  return protobuf.BinaryWriter.prototype;
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
    if (typeof value === "string" && value.length >= LONG_STRING_CHARS && (value as string & { isWellFormed(): boolean }).isWellFormed()) {
      this.writeBytes(field, utf8(value));
      return;
    }
    encodeInLoop.call(this, field, value);
  };
  writer.__keyguardNativeStrings = true;
}
