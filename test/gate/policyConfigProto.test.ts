/**
 * A "__proto__" key in a policy's config is refused like every other key the policy does not take:
 * the gate refuses it at any depth before sending (through the real `keyguard check`), and the pack
 * refuses one that plain assignment turned into the config's prototype. One carried by protobuf's
 * Struct (`pulumi preview --policy-pack-config`) vanishes before the pack could see it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzerHost } from "../../engine";
import type { CliDependencies } from "../../gate/cli";
import { boundsSettings, policyConfig } from "../../policy/config";
import { runCli, startSharedPack } from "./gateHarness";

let host: AnalyzerHost;
let dependencies: CliDependencies;
let directory: string;

beforeAll(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-proto-"));
  ({ host, dependencies } = await startSharedPack());
});
afterAll(async () => {
  await host?.close();
  if (directory) fs.rmSync(directory, { recursive: true, force: true });
});

describe("keyguard check --policy-config with a __proto__ key", () => {
  const cases: [string, string, RegExp][] = [
    [
      "an object under __proto__, which would become the settings' prototype",
      '{"kms-key-rotation-period": {"__proto__": {"maxRotationPeriodInDays": 2000}}}',
      /^keyguard: error: --policy-config: "kms-key-rotation-period"\.__proto__: is not a setting of this policy; it takes .*maxRotationPeriodInDays/,
    ],
    [
      "a number under __proto__, which would vanish",
      '{"kms-key-rotation-period": {"__proto__": 5}}',
      /^keyguard: error: --policy-config: "kms-key-rotation-period"\.__proto__: is not a setting of this policy/,
    ],
    [
      "__proto__ inside an exemption",
      '{"kms-key-rotation-enabled": {"exemptions": [{"resource": "*", "reason": "r", "__proto__": {"x": 1}}]}}',
      /^keyguard: error: --policy-config: "kms-key-rotation-enabled"\.exemptions\[0\]\.__proto__: is not a setting/,
    ],
    [
      "__proto__ as a policy name",
      '{"__proto__": "disabled"}',
      /^keyguard: error: --policy-config: names policy "__proto__", which pack "keyguard" does not have/,
    ],
  ];
  it.each(cases)("%s: exit 2 naming the key", async (_name, json, expected) => {
    const file = path.join(directory, `config-${cases.findIndex((entry) => entry[1] === json)}.json`);
    fs.writeFileSync(file, json);
    const run = await runCli(["check", "--project", "examples/compliant", "--policy-config", file], dependencies);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n").at(-1)).toMatch(expected);
  });
});

describe("the pack's own check", () => {
  /** An object as plain assignment builds it from `json` (Object.assign, as the gate merged settings before): "__proto__" replaces the prototype. */
  const assigned = (json: string): Record<string, unknown> => Object.assign({}, JSON.parse(json));

  it("refuses a __proto__ key that became the config's prototype, instead of reading settings through it", () => {
    const received = assigned('{"__proto__": {"maxRotationPeriodInDays": 2000}}');
    expect(Object.keys(received)).toEqual([]);
    expect(received.maxRotationPeriodInDays).toBe(2000);
    expect(() => policyConfig(boundsSettings).parse("kms-key-rotation-period", received)).toThrow(
      "keyguard policy config: kms-key-rotation-period.__proto__: is not a setting of this policy; it takes minRotationPeriodInDays, maxRotationPeriodInDays, exemptions",
    );
  });

  it("refuses one inside an exemption too, and still takes a config without one", () => {
    const exemption = assigned('{"resource": "*", "reason": "r", "__proto__": {"x": 1}}');
    expect(() => policyConfig().parse("kms-key-rotation-enabled", { exemptions: [exemption] })).toThrow(
      "kms-key-rotation-enabled.exemptions[0].__proto__: is not part of an exemption",
    );
    expect(
      policyConfig().parse("kms-key-rotation-enabled", { exemptions: [{ resource: "*", reason: "r" }] }).exemptions,
    ).toEqual([{ resource: "*", reason: "r" }]);
  });

  it("cannot see one that protobuf's Struct carried (it vanishes on the way), which is why the gate refuses it before sending", () => {
    // What the Pulumi CLI would send: the JavaScript Struct cannot even encode the key, so a stand-in of
    // the same length is encoded and the key written into its bytes.
    const encoded = Buffer.from(
      Struct.fromJavaScript({ __protoX_: { maxRotationPeriodInDays: 2000 }, exemptions: [] }).serializeBinary(),
    );
    encoded.write("__proto__", encoded.indexOf("__protoX_"));
    const received = Struct.deserializeBinary(new Uint8Array(encoded)).toJavaScript();
    expect(Object.keys(received)).toEqual(["exemptions"]);
    expect(Object.getPrototypeOf(received)).toBe(Object.prototype);
  });
});
