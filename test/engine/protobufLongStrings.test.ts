/**
 * The engine side (gate, tests, bench) encodes long protobuf strings natively (engine/protobufLongStrings.ts): the bytes it sends
 * the pack must be exactly those google-protobuf's own encoder writes. This file imports nothing that
 * installs the encoder before the test does, so "before" is google-protobuf's own output.
 */
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { BinaryWriter } from "google-protobuf";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { describe, expect, it } from "vitest";
import { decodeLongProtobufStringsNatively, encodeLongProtobufStringsNatively } from "../../engine/protobufLongStrings";

const provider = `exports.handler = __f0;\n${"function __f0() { return 'rotate'; }\n".repeat(3_000)}`;
const properties = {
  __provider: provider,
  // Multi-byte characters, characters outside the BMP, and a string just at and below the threshold.
  description: `${"é€".repeat(600)}😀${"z".repeat(10)}`,
  atThreshold: "a".repeat(1024),
  belowThreshold: "b".repeat(1023),
  // A lone surrogate is not well-formed UTF-16: left to google-protobuf's encoder.
  malformed: `${"c".repeat(2_000)}\ud800${"d".repeat(10)}`,
  nested: { list: [provider, provider, { again: provider }], short: "x" },
  secret: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "p".repeat(5_000) },
};

function requestBytes(): Uint8Array {
  const request = new analyzerProto.AnalyzeRequest();
  request.setUrn("urn:pulumi:dev::p::pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation::r");
  request.setType("pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation");
  request.setName("r");
  request.setProperties(Struct.fromJavaScript(properties));
  return request.serializeBinary();
}

describe("long protobuf strings decoded natively", () => {
  it("reads the same values as google-protobuf's own decoder, malformed UTF-8 included (left to google-protobuf)", () => {
    const bytes = requestBytes();
    // A stray 0xff inside the long description (its byte length unchanged): not valid UTF-8.
    const malformed = Buffer.from(bytes);
    const at = malformed.indexOf(Buffer.from("z".repeat(10)));
    malformed[at + 3] = 0xff;
    const read = (input: Uint8Array) => analyzerProto.AnalyzeRequest.deserializeBinary(input).toObject();
    const before = [read(bytes), read(malformed)];
    expect(decodeLongProtobufStringsNatively()).toBe(true);
    expect(decodeLongProtobufStringsNatively()).toBe(true);
    expect([read(bytes), read(malformed)]).toEqual(before);
    expect(JSON.stringify(before[1])).not.toEqual(JSON.stringify(before[0]));
  });
});

describe("long protobuf strings encoded natively", () => {
  it("writes the same bytes as google-protobuf's own encoder, twice (the second time from its cache)", () => {
    const before = Buffer.from(requestBytes());
    const ownEncoder = BinaryWriter.prototype.writeString;
    encodeLongProtobufStringsNatively();
    const nativeEncoder = BinaryWriter.prototype.writeString;
    encodeLongProtobufStringsNatively();
    // Installed once, on the writer @pulumi/pulumi's messages use.
    expect(nativeEncoder).not.toBe(ownEncoder);
    expect(BinaryWriter.prototype.writeString).toBe(nativeEncoder);
    const after = Buffer.from(requestBytes());
    const again = Buffer.from(requestBytes());
    expect(after.equals(before)).toBe(true);
    expect(again.equals(before)).toBe(true);
    const decoded = analyzerProto.AnalyzeRequest.deserializeBinary(after).getProperties()?.toJavaScript();
    expect(decoded).toEqual({ ...properties, malformed: decoded?.malformed });
  });
});
