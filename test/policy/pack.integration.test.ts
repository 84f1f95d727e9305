/**
 * The pack through its real interface: built with the repository's own build command, launched as
 * `pulumi preview --policy-pack` launches it (`node <@pulumi/pulumi>/cmd/run-policy-pack <addr> .`,
 * cwd = the pack), spoken to over `pulumirpc.Analyzer` gRPC by engine/analyzerHost, with unknowns as
 * the engine's sentinels and secrets in their wire form. KMS is the local AWS endpoint.
 * One pack process for the whole file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESOURCE_TYPES, SECRET_SIGNATURE, SPECIAL_SIGNATURE_KEY } from "../../facts";
import {
  type AnalyzerHost,
  type AnalyzerStackResource,
  UNKNOWN,
  normalizePolicyPackConfig,
  secret,
  startAnalyzer,
} from "../../engine";
import { bundlePolicyPack } from "../../scripts/bundlePolicyPack";
import { type LocalAws, startLocalAws } from "../support/localAws";
import { documentedIamActions } from "../support/docs";

const root = path.resolve(__dirname, "../..");
const STACK = "urn:pulumi:dev::keyguard";
const urnOf = (type: string, name: string) => `${STACK}::${type}::${name}`;
const ARN = (id: string) => `arn:aws:kms:us-east-1:111122223333:key/${id}`;
const PASSWORD = "Sup3r-Secret-Passw0rd";

let packDir: string;
let probeOut: string;
let nativeStringsOut: string;
let host: AnalyzerHost;
let aws: LocalAws;

/** Builds the pack with the package's own build step (scripts/bundlePolicyPack.ts), into a private copy. */
async function buildPackCopy(): Promise<string> {
  const dir = path.join(root, ".keyguard-tmp", `policy-pack-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const file of ["PulumiPolicy.yaml", "package.json"])
    fs.copyFileSync(path.join(root, "policy", file), path.join(dir, file));
  const main: string = JSON.parse(fs.readFileSync(path.join(root, "policy", "package.json"), "utf8")).main;
  await bundlePolicyPack({ outfile: path.join(dir, main) });
  return dir;
}

beforeAll(async () => {
  packDir = await buildPackCopy();
  probeOut = path.join(packDir, "loaded-modules.json");
  nativeStringsOut = path.join(packDir, "native-strings.json");
  const probe = path.join(packDir, "probe.js");
  // Records which modules the pack process loaded, so the test can see no TypeScript was compiled.
  fs.writeFileSync(
    probe,
    `process.on("SIGTERM", () => {
  const fs = require("fs");
  fs.writeFileSync(${JSON.stringify(probeOut)}, JSON.stringify(Object.keys(require.cache)));
  // Whether the pack installed the native decoder of long strings on the google-protobuf @pulumi/pulumi uses.
  const pulumiDirectory = require("path").dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] }));
  const protobuf = require(require.resolve("google-protobuf", { paths: [pulumiDirectory] }));
  const decoder = Object.values(new protobuf.BinaryReader(new Uint8Array(0))).find((member) => member && typeof member.readStringWithLength === "function");
  fs.writeFileSync(${JSON.stringify(nativeStringsOut)}, JSON.stringify(Object.getPrototypeOf(decoder).__keyguardNativeStrings === true));
  process.exit(0);
});\n`,
  );
  aws = await startLocalAws();
  host = await startAnalyzer({
    packDir,
    nodeArgs: ["--require", probe],
    env: { ...process.env, ...aws.clientEnvironment() },
  });
  console.log(`policy pack started in ${host.startupMs.toFixed(0)} ms (spawn to port line)`);
});

afterAll(async () => {
  await host?.close();
  await aws?.stop();
  if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
});

describe("the pack over pulumirpc.Analyzer", () => {
  it("GetAnalyzerInfo: name, version from policy/package.json, the six policies with kinds, levels and config schemas", async () => {
    const info = await host.getAnalyzerInfo();
    expect(info.name).toBe("keyguard");
    expect(info.version).toBe(JSON.parse(fs.readFileSync(path.join(root, "policy/package.json"), "utf8")).version);
    expect(info.supportsConfig).toBe(true);
    expect(info.policies.map((p) => [p.name, p.policyType, p.enforcementLevel])).toEqual([
      ["kms-key-rotation-enabled", "resource", "mandatory"],
      ["kms-key-rotation-period", "resource", "mandatory"],
      ["redshift-cluster-encrypted", "resource", "mandatory"],
      ["redshift-cluster-key-rotated", "stack", "mandatory"],
      ["redshift-cluster-external-key", "stack", "advisory"],
      ["redshift-cluster-rotation-on-key-change", "stack", "advisory"],
    ]);
    const period = info.policies.find((p) => p.name === "kms-key-rotation-period")!;
    expect(period.configSchema?.properties).toMatchObject({
      minRotationPeriodInDays: { type: "integer", minimum: 90, maximum: 2560, default: 90 },
      maxRotationPeriodInDays: { type: "integer", default: 365 },
      exemptions: { type: "array", items: { required: ["resource", "reason"] } },
    });
  });

  it("Analyze: a key with rotation off is a mandatory violation; an unknown enableKeyRotation stays mandatory, in plain words", async () => {
    await host.configure({});
    const keyUrn = urnOf(RESOURCE_TYPES.kmsKey, "k");
    const off = await host.analyze({
      urn: keyUrn,
      type: RESOURCE_TYPES.kmsKey,
      name: "k",
      properties: { enableKeyRotation: false },
    });
    expect(off.diagnostics).toHaveLength(1);
    expect(off.diagnostics[0]).toMatchObject({
      policyName: "kms-key-rotation-enabled",
      enforcementLevel: "mandatory",
      policyPackName: "keyguard",
    });
    expect(off.diagnostics[0].message).toContain("enableKeyRotation is false; required: true");

    const unknown = await host.analyze({
      urn: keyUrn,
      type: RESOURCE_TYPES.kmsKey,
      name: "k",
      properties: { enableKeyRotation: UNKNOWN.boolean, rotationPeriodInDays: UNKNOWN.number },
    });
    expect(unknown.diagnostics.map((d) => [d.policyName, d.enforcementLevel])).toEqual([
      ["kms-key-rotation-enabled", "mandatory"],
      ["kms-key-rotation-period", "mandatory"],
    ]);
    expect(unknown.diagnostics[0].message).toContain("enableKeyRotation is unknown during preview");
    expect(unknown.diagnostics.every((d) => !d.message.includes("can't run policy"))).toBe(true);

    const asymmetric = await host.analyze({
      urn: keyUrn,
      type: RESOURCE_TYPES.kmsKey,
      name: "k",
      properties: { keySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" },
    });
    expect(asymmetric.diagnostics).toEqual([]);
    expect(asymmetric.notApplicable.map((n) => n.policyName)).toEqual(
      expect.arrayContaining(["kms-key-rotation-enabled", "kms-key-rotation-period"]),
    );
  });

  it("Analyze: secrets on the wire are read, and a cluster's secret password never appears in a diagnostic", async () => {
    await host.configure({});
    const result = await host.analyze({
      urn: urnOf(RESOURCE_TYPES.redshiftCluster, "c"),
      type: RESOURCE_TYPES.redshiftCluster,
      name: "c",
      properties: {
        encrypted: secret("false"),
        kmsKeyId: ARN("k"),
        masterPassword: secret(PASSWORD),
        clusterIdentifier: "c",
      },
    });
    expect(result.diagnostics.map((d) => d.policyName)).toEqual(["redshift-cluster-encrypted"]);
    expect(result.diagnostics[0].message).toContain('encrypted is "false"');
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it("Remediate: at level remediate the pack turns rotation on and keeps the rest of the key, secrets in wire form", async () => {
    await host.configure({ "kms-key-rotation-enabled": "remediate" });
    const result = await host.remediate({
      urn: urnOf(RESOURCE_TYPES.kmsKey, "k"),
      type: RESOURCE_TYPES.kmsKey,
      name: "k",
      properties: { enableKeyRotation: false, description: "data", policy: secret("{}"), tags: { team: "data" } },
    });
    expect(result.remediations).toHaveLength(1);
    expect(result.remediations[0].policyName).toBe("kms-key-rotation-enabled");
    expect(result.remediations[0].properties).toEqual({
      enableKeyRotation: true,
      description: "data",
      policy: { [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE, value: "{}" },
      tags: { team: "data" },
    });
    await host.configure({});
    expect(
      (
        await host.remediate({
          urn: urnOf(RESOURCE_TYPES.kmsKey, "k"),
          type: RESOURCE_TYPES.kmsKey,
          name: "k",
          properties: { enableKeyRotation: false },
        })
      ).remediations,
    ).toEqual([]);
  });

  it("AnalyzeStack: follows propertyDependencies while ARNs are unknown, through an alias; secrets everywhere stay out of reports", async () => {
    await host.configure({ "redshift-cluster-key-rotated": { maxRotationPeriodInDays: 180 } });
    const keyUrn = urnOf(RESOURCE_TYPES.kmsKey, "k");
    const aliasUrn = urnOf(RESOURCE_TYPES.kmsAlias, "a");
    const clusterUrn = urnOf(RESOURCE_TYPES.redshiftCluster, "c");
    const resources: AnalyzerStackResource[] = [
      {
        urn: keyUrn,
        type: RESOURCE_TYPES.kmsKey,
        name: "k",
        properties: { enableKeyRotation: true, rotationPeriodInDays: 365, arn: UNKNOWN.string, keyId: UNKNOWN.string },
      },
      {
        urn: aliasUrn,
        type: RESOURCE_TYPES.kmsAlias,
        name: "a",
        properties: { name: "alias/data", targetKeyId: UNKNOWN.string },
        dependencies: [keyUrn],
        propertyDependencies: { targetKeyId: [keyUrn] },
      },
      {
        urn: clusterUrn,
        type: RESOURCE_TYPES.redshiftCluster,
        name: "c",
        parent: `${STACK}::pulumi:pulumi:Stack::keyguard-dev`,
        properties: {
          encrypted: "true",
          kmsKeyId: UNKNOWN.string,
          clusterIdentifier: secret("c"),
          masterPassword: secret(PASSWORD),
        },
        dependencies: [aliasUrn],
        propertyDependencies: { kmsKeyId: [aliasUrn] },
      },
      {
        urn: urnOf(RESOURCE_TYPES.redshiftKeyRotation, "rot"),
        type: RESOURCE_TYPES.redshiftKeyRotation,
        name: "rot",
        properties: { clusterIdentifier: UNKNOWN.string, __provider: secret("serialized provider") },
        dependencies: [clusterUrn],
      },
    ];
    const result = await host.analyzeStack(resources);
    expect(result.diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn])).toEqual([
      ["redshift-cluster-key-rotated", "mandatory", clusterUrn],
    ]);
    expect(result.diagnostics[0].message).toContain('alias "a" -> key "k"');
    expect(result.diagnostics[0].message).toContain("got 365 days; this pack's config allows 90 to 180 days");
    expect(JSON.stringify(result)).not.toContain(PASSWORD);

    await host.configure({});
    const unresolved = await host.analyzeStack([{ ...resources[2], propertyDependencies: {}, dependencies: [] }]);
    expect(unresolved.diagnostics.map((d) => [d.policyName, d.enforcementLevel])).toEqual([
      ["redshift-cluster-key-rotated", "mandatory"],
      ["redshift-cluster-rotation-on-key-change", "advisory"],
    ]);
    expect(unresolved.diagnostics[0].message).toContain(
      "kmsKeyId is unknown during preview and does not come from a KMS key or alias in this stack",
    );
  });

  it("Configure: exemptions skip resources; bad config is a clear error naming policy, setting and value", async () => {
    await host.configure({
      "kms-key-rotation-enabled": { exemptions: [{ resource: "legacy-*", reason: "migrating in SEC-42" }] },
    });
    const exempt = await host.analyze({
      urn: urnOf(RESOURCE_TYPES.kmsKey, "legacy-1"),
      type: RESOURCE_TYPES.kmsKey,
      name: "legacy-1",
      properties: { enableKeyRotation: false },
    });
    expect(exempt.diagnostics).toEqual([]);
    expect(exempt.notApplicable.find((n) => n.policyName === "kms-key-rotation-enabled")?.reason).toContain("SEC-42");

    await host.configure({ "kms-key-rotation-period": { minRotationPeriodInDays: 7 } });
    await expect(
      host.analyze({
        urn: urnOf(RESOURCE_TYPES.kmsKey, "k"),
        type: RESOURCE_TYPES.kmsKey,
        name: "k",
        properties: { enableKeyRotation: true },
      }),
    ).rejects.toThrow(
      /keyguard policy config: kms-key-rotation-period\.minRotationPeriodInDays: got 7; expected a whole number of days from 90 to 2560/,
    );
    const info = await host.getAnalyzerInfo();
    expect(() => normalizePolicyPackConfig({ "kms-rotation": "mandatory" }, info)).toThrow(
      /names policy "kms-rotation", which pack "keyguard" does not have/,
    );
    expect(() => normalizePolicyPackConfig({ all: "strict" as never }, info)).toThrow(
      /enforcement level "strict" is not one of advisory, mandatory, remediate, disabled/,
    );
    expect(
      normalizePolicyPackConfig({ all: "advisory", "kms-key-rotation-period": { enforcementLevel: "disabled" } }, info)[
        "kms-key-rotation-period"
      ].enforcementLevel,
    ).toBe("disabled");
    await host.configure({});
  });

  it("redshift-cluster-external-key asks KMS GetKeyRotationStatus live through the SDK, and reports failures clearly", async () => {
    aws.reset();
    aws.addKey({ keyArn: ARN("on"), rotationEnabled: true, rotationPeriodInDays: 180 });
    aws.addKey({ keyArn: ARN("off"), rotationEnabled: false });
    aws.addKey({ keyArn: ARN("long"), rotationEnabled: true, rotationPeriodInDays: 1000 });
    const clusters: AnalyzerStackResource[] = ["on", "off", "long", "missing"].map((id) => ({
      urn: urnOf(RESOURCE_TYPES.redshiftCluster, id),
      type: RESOURCE_TYPES.redshiftCluster,
      name: id,
      properties: { encrypted: "true", kmsKeyId: ARN(id), clusterIdentifier: id },
    }));
    await host.configure({
      "redshift-cluster-external-key": { verifyExternalKeysLive: true },
      "redshift-cluster-rotation-on-key-change": "disabled",
    });
    const result = await host.analyzeStack(clusters);
    const byUrn = Object.fromEntries(result.diagnostics.map((d) => [d.urn.split("::").pop(), d]));
    expect(Object.keys(byUrn).sort()).toEqual(["long", "missing", "off"]);
    expect(byUrn.off.message).toContain("rotation KMS reports as off");
    expect(byUrn.long.message).toContain("RotationPeriodInDays got 1000 days");
    expect(byUrn.missing.message).toContain("verifying it live failed: KMS GetKeyRotationStatus NotFoundException");
    expect(result.diagnostics.every((d) => d.enforcementLevel === "advisory")).toBe(true);
    // Each distinct key asked about (the SDK may retry a call on a loaded machine, so compare the set).
    expect(
      [...new Set(aws.calls.filter((call) => call.action === "GetKeyRotationStatus").map((call) => call.keyId))].sort(),
    ).toEqual(["long", "missing", "off", "on"].map(ARN).sort());
    // Least privilege: exactly docs/iam.md's row for the pack's live check.
    expect(aws.iamActionsCalled()).toEqual(documentedIamActions("| policy pack with `verifyExternalKeysLive` |"));
    await host.configure({});
  });

  it("runs the precompiled bundle: no TypeScript file is loaded by the pack process", async () => {
    await host.close();
    const loaded: string[] = JSON.parse(fs.readFileSync(probeOut, "utf8"));
    expect(loaded).toContain(path.join(packDir, "dist", "index.js"));
    expect(loaded.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))).toEqual([]);
  });

  it("carries @pulumi/policy inside the bundle, loads only the parts of @pulumi/pulumi it needs, and one google-protobuf and gRPC", async () => {
    await host.close();
    const loaded: string[] = JSON.parse(fs.readFileSync(probeOut, "utf8"));
    const sep = path.sep;
    expect(loaded.filter((file) => file.includes(`${sep}node_modules${sep}@pulumi${sep}policy${sep}`))).toEqual([]);
    // The SDK's index loads the Automation API (and @npmcli/arborist): what the bundle exists to avoid.
    const pulumiRoot = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    expect(loaded).not.toContain(path.join(pulumiRoot, "index.js"));
    expect(loaded.filter((file) => file.startsWith(path.join(pulumiRoot, "automation") + sep))).toEqual([]);
    expect(loaded).toContain(path.join(pulumiRoot, "proto", "analyzer_pb.js"));
    // google-protobuf keeps its message classes in one global namespace: a second copy would replace them.
    expect(loaded.filter((file) => file.endsWith(`${sep}google-protobuf${sep}google-protobuf.js`))).toHaveLength(1);
    expect(loaded.filter((file) => /[\\/]@grpc[\\/]grpc-js[\\/]build[\\/]src[\\/]index\.js$/.test(file))).toHaveLength(
      1,
    );
    // Long strings (each RedshiftKeyRotation's serialized provider) are decoded natively (engine/protobufLongStrings.ts).
    expect(JSON.parse(fs.readFileSync(nativeStringsOut, "utf8"))).toBe(true);
  });
});
