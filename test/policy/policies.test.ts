/**
 * Unit tests of every keyguard policy, called with arguments shaped as the engine builds them
 * (test/support/policyArgs.ts: Struct on the wire, @pulumi/policy's deserializer and unknown proxy).
 * Every row of the policy table and every AWS fact, both ways.
 */
import { describe, expect, it } from "vitest";
import { RESOURCE_TYPES, SECRET_SIGNATURE, SPECIAL_SIGNATURE_KEY } from "../../facts";
import { UNKNOWN, isWireSecret, secret, startAnalyzer, toStruct, type AnalyzerStackResource } from "../../engine";
import { PolicyConfigError, TRUSTED_KEY_ARN_PATTERN_SOURCE, findExemption } from "../../policy/config";
import { kmsKeyRotationEnabled } from "../../policy/policies/kms-key-rotation-enabled";
import { kmsKeyRotationPeriod } from "../../policy/policies/kms-key-rotation-period";
import { redshiftClusterEncrypted } from "../../policy/policies/redshift-cluster-encrypted";
import { externalKeyPolicy, isTrustedKeyReference, redshiftClusterExternalKey } from "../../policy/policies/redshift-cluster-external-key";
import type { LiveRotationStatus } from "../../policy/liveRotationStatus";
import { redshiftClusterKeyRotated } from "../../policy/policies/redshift-cluster-key-rotated";
import { redshiftClusterRotationOnKeyChange } from "../../policy/policies/redshift-cluster-rotation-on-key-change";
import { keyguardPolicies } from "../../policy/policies";
import { engineStackResources, runRemediation, runResourcePolicy, runStackPolicy } from "../support/policyArgs";

const STACK = "urn:pulumi:dev::keyguard";
const urnOf = (type: string, name: string) => `${STACK}::${type}::${name}`;
const ARN = (id: string) => `arn:aws:kms:us-east-1:111122223333:key/${id}`;

function resource(type: string, name: string, properties: Record<string, unknown>, links: Partial<AnalyzerStackResource> = {}): AnalyzerStackResource {
  return { urn: urnOf(type, name), type, name, properties, ...links };
}
const key = (name: string, properties: Record<string, unknown>, links?: Partial<AnalyzerStackResource>) => resource(RESOURCE_TYPES.kmsKey, name, properties, links);
const cluster = (name: string, properties: Record<string, unknown>, links?: Partial<AnalyzerStackResource>) =>
  resource(RESOURCE_TYPES.redshiftCluster, name, { clusterIdentifier: name, ...properties }, links);

describe("the pack's policy list", () => {
  it("has exactly the six policies of the issue table, with their kinds and default levels", () => {
    expect(
      keyguardPolicies.map((p) => [p.name, "validateStack" in p ? "stack" : "resource", p.enforcementLevel]),
    ).toEqual([
      ["kms-key-rotation-enabled", "resource", "mandatory"],
      ["kms-key-rotation-period", "resource", "mandatory"],
      ["redshift-cluster-encrypted", "resource", "mandatory"],
      ["redshift-cluster-key-rotated", "stack", "mandatory"],
      ["redshift-cluster-external-key", "stack", "advisory"],
      ["redshift-cluster-rotation-on-key-change", "stack", "advisory"],
    ]);
  });
});

describe("kms-key-rotation-enabled", () => {
  const run = (properties: Record<string, unknown>, type: string = RESOURCE_TYPES.kmsKey, config = {}) =>
    runResourcePolicy(kmsKeyRotationEnabled, resource(type, "k", properties), config);

  it("passes a symmetric key with enableKeyRotation true, and rejects false, unset or the string \"true\"", async () => {
    expect(await run({ enableKeyRotation: true })).toEqual({ violations: [] });
    for (const value of [false, undefined, "true"]) {
      const outcome = await run({ enableKeyRotation: value });
      expect(outcome.violations).toHaveLength(1);
      const message = outcome.violations[0].message;
      expect(message).toContain(`aws:kms/key:Key "k" (${urnOf(RESOURCE_TYPES.kmsKey, "k")})`);
      expect(message).toContain(`enableKeyRotation = ${value === undefined ? "undefined" : JSON.stringify(value)}`);
      expect(message).toContain("required: true");
      expect(message).toContain("Fix:");
    }
  });

  it("treats keys that cannot rotate and replicas as not applicable, never as violations", async () => {
    const cannot: Array<[string, Record<string, unknown>]> = [
      [RESOURCE_TYPES.kmsKey, { keySpec: "RSA_2048", keyUsage: "ENCRYPT_DECRYPT" }],
      [RESOURCE_TYPES.kmsKey, { keySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" }],
      [RESOURCE_TYPES.kmsKey, { keySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" }],
      [RESOURCE_TYPES.kmsKey, { customerMasterKeySpec: "RSA_4096" }],
      [RESOURCE_TYPES.kmsKey, { keyUsage: "SIGN_VERIFY" }],
      [RESOURCE_TYPES.kmsKey, { customKeyStoreId: "cks-1234567890abcdef0" }],
      [RESOURCE_TYPES.kmsKey, { xksKeyId: "ext-key-1" }],
      [RESOURCE_TYPES.kmsExternalKey, {}],
      [RESOURCE_TYPES.nativeKmsKey, { origin: "EXTERNAL" }],
    ];
    for (const [type, properties] of cannot) {
      const outcome = await run({ ...properties, enableKeyRotation: false }, type);
      expect(outcome.violations, `${type} ${JSON.stringify(properties)}`).toEqual([]);
      expect(outcome.notApplicable).toContain("cannot rotate automatically");
    }
    const replica = await run({ enableKeyRotation: false }, RESOURCE_TYPES.kmsReplicaKey);
    expect(replica.violations).toEqual([]);
    expect(replica.notApplicable).toContain("replica");
  });

  it("judges explicit SYMMETRIC_DEFAULT/ENCRYPT_DECRYPT keys and aws-native keys of origin AWS_KMS like any rotatable key", async () => {
    expect((await run({ keySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT", enableKeyRotation: false })).violations).toHaveLength(1);
    expect((await run({ origin: "AWS_KMS", enableKeyRotation: false }, RESOURCE_TYPES.nativeKmsKey)).violations).toHaveLength(1);
    expect((await run({ enableKeyRotation: true }, RESOURCE_TYPES.nativeKmsKey)).violations).toEqual([]);
  });

  it("reports an unknown enableKeyRotation in plain words at the policy's level instead of passing it", async () => {
    const outcome = await run({ enableKeyRotation: UNKNOWN.boolean });
    expect(outcome.unknownValueError).toBeUndefined();
    expect(outcome.violations).toHaveLength(1);
    expect(outcome.violations[0].message).toContain("enableKeyRotation is unknown during preview");
    const unknownSpec = await run({ keySpec: UNKNOWN.string, enableKeyRotation: false });
    expect(unknownSpec.violations[0].message).toContain("keySpec is unknown during preview");
    expect((await run({ keySpec: UNKNOWN.string, enableKeyRotation: true })).violations).toEqual([]);
  });

  it("sees through secrets", async () => {
    expect((await run({ enableKeyRotation: secret(false) })).violations).toHaveLength(1);
    expect((await run({ enableKeyRotation: secret(true) })).violations).toEqual([]);
  });

  it("skips exempted resources by URN or name glob, and requires a reason", async () => {
    const exempt = await run({ enableKeyRotation: false }, RESOURCE_TYPES.kmsKey, { exemptions: [{ resource: "k*", reason: "legacy key, ticket SEC-12" }] });
    expect(exempt.violations).toEqual([]);
    expect(exempt.notApplicable).toContain("SEC-12");
    const byUrn = await run({ enableKeyRotation: false }, RESOURCE_TYPES.kmsKey, { exemptions: [{ resource: urnOf(RESOURCE_TYPES.kmsKey, "k"), reason: "r" }] });
    expect(byUrn.violations).toEqual([]);
    const other = await run({ enableKeyRotation: false }, RESOURCE_TYPES.kmsKey, { exemptions: [{ resource: "other-*", reason: "r" }] });
    expect(other.violations).toHaveLength(1);
    await expect(run({}, RESOURCE_TYPES.kmsKey, { exemptions: [{ resource: "k" }] })).rejects.toThrow(
      /kms-key-rotation-enabled\.exemptions\[0\]\.reason: got undefined; every exemption needs a reason/,
    );
    await expect(run({}, RESOURCE_TYPES.kmsKey, { exemptions: [{ resource: "k", reason: "r", tag: "x" }] })).rejects.toThrow(PolicyConfigError);
    await expect(run({}, RESOURCE_TYPES.kmsKey, { exemptTag: "skip" })).rejects.toThrow(/exemptTag: is not a setting of this policy/);
  });

  it("is not applicable to other resource types", async () => {
    const outcome = await run({ enableKeyRotation: false }, RESOURCE_TYPES.redshiftCluster);
    expect(outcome.violations).toEqual([]);
    expect(outcome.notApplicable).toContain("only KMS keys");
  });

  it("remediates by turning rotation on and leaving the rest of the key, secrets included, as it was", async () => {
    const properties = { enableKeyRotation: false, description: "data key", rotationPeriodInDays: 180, policy: secret("{\"Version\":\"2012-10-17\"}") };
    const remediated = await runRemediation(kmsKeyRotationEnabled, resource(RESOURCE_TYPES.kmsKey, "k", properties));
    expect(remediated.properties).toEqual({
      enableKeyRotation: true,
      description: "data key",
      rotationPeriodInDays: 180,
      policy: { [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE, value: "{\"Version\":\"2012-10-17\"}" },
    });
    expect((await runRemediation(kmsKeyRotationEnabled, resource(RESOURCE_TYPES.kmsKey, "k", { enableKeyRotation: true }))).properties).toBeUndefined();
    expect((await runRemediation(kmsKeyRotationEnabled, resource(RESOURCE_TYPES.kmsKey, "k", { keySpec: "RSA_2048" }))).properties).toBeUndefined();
    expect((await runRemediation(kmsKeyRotationEnabled, resource(RESOURCE_TYPES.kmsExternalKey, "k", {}))).properties).toBeUndefined();
  });
});

describe("kms-key-rotation-period", () => {
  const run = (properties: Record<string, unknown>, config: Record<string, unknown> = {}, type: string = RESOURCE_TYPES.kmsKey) =>
    runResourcePolicy(kmsKeyRotationPeriod, resource(type, "k", properties), config);

  it("accepts AWS's default (unset = 365) and periods inside the default bounds 90..365", async () => {
    for (const rotationPeriodInDays of [undefined, null, 90, 180, 365]) {
      expect((await run({ enableKeyRotation: true, rotationPeriodInDays })).violations, String(rotationPeriodInDays)).toEqual([]);
    }
  });

  it("rejects non-integers, values outside AWS's 90..2560 and values outside the configured bounds", async () => {
    const cases: Array<[unknown, Record<string, unknown>, string]> = [
      [89, {}, "AWS KMS allows 90 to 2560 days"],
      [2561, { maxRotationPeriodInDays: 2560 }, "AWS KMS allows 90 to 2560 days"],
      [100.5, {}, "whole number"],
      ["180", {}, "whole number"],
      [-0.5, {}, "whole number"],
      [366, {}, "allows 90 to 365 days"],
      [100, { minRotationPeriodInDays: 180 }, "allows 180 to 365 days"],
      [undefined, { maxRotationPeriodInDays: 180 }, "unset, so AWS's default of 365"],
    ];
    for (const [rotationPeriodInDays, config, expected] of cases) {
      const outcome = await run({ enableKeyRotation: true, rotationPeriodInDays }, config);
      expect(outcome.violations, JSON.stringify([rotationPeriodInDays, config])).toHaveLength(1);
      expect(outcome.violations[0].message).toContain(expected);
      expect(outcome.violations[0].message).toContain(`aws:kms/key:Key "k"`);
      expect(outcome.violations[0].message).toContain("Fix:");
    }
    expect((await run({ enableKeyRotation: true, rotationPeriodInDays: 2000 }, { maxRotationPeriodInDays: 2560 })).violations).toEqual([]);
  });

  it("leaves keys that do not rotate, cannot rotate, or are replicas to others", async () => {
    expect((await run({ enableKeyRotation: false, rotationPeriodInDays: 5 })).notApplicable).toContain("does not rotate");
    expect((await run({ keySpec: "RSA_2048", rotationPeriodInDays: 5, enableKeyRotation: true })).notApplicable).toContain("cannot rotate");
    expect((await run({ rotationPeriodInDays: 5 }, {}, RESOURCE_TYPES.kmsReplicaKey)).notApplicable).toContain("replica");
    expect((await run({ rotationPeriodInDays: 5 }, {}, RESOURCE_TYPES.kmsExternalKey)).notApplicable).toContain("imported");
  });

  it("reports an unknown period in plain words, and judges a period when enableKeyRotation is unknown", async () => {
    const outcome = await run({ enableKeyRotation: true, rotationPeriodInDays: UNKNOWN.number });
    expect(outcome.violations[0].message).toContain("rotationPeriodInDays is unknown during preview");
    expect((await run({ enableKeyRotation: UNKNOWN.boolean, rotationPeriodInDays: 5000 })).violations).toHaveLength(1);
    expect((await run({ enableKeyRotation: UNKNOWN.boolean, rotationPeriodInDays: 200 })).violations).toEqual([]);
  });

  it("refuses bad config with an error naming the setting, the value and the range", async () => {
    await expect(run({}, { minRotationPeriodInDays: 30 })).rejects.toThrow(
      "keyguard policy config: kms-key-rotation-period.minRotationPeriodInDays: got 30; expected a whole number of days from 90 to 2560",
    );
    await expect(run({}, { maxRotationPeriodInDays: "365" })).rejects.toThrow(/maxRotationPeriodInDays: got "365"/);
    await expect(run({}, { minRotationPeriodInDays: 400, maxRotationPeriodInDays: 200 })).rejects.toThrow(/must not exceed the maximum/);
    await expect(run({}, { exemptions: "none" })).rejects.toThrow(/exemptions: got "none"; expected a list/);
  });
});

describe("redshift-cluster-encrypted", () => {
  const run = (properties: Record<string, unknown>, type: string = RESOURCE_TYPES.redshiftCluster) =>
    runResourcePolicy(redshiftClusterEncrypted, resource(type, "c", properties));

  it("passes encrypted clusters (\"true\" in @pulumi/aws 7, or true) with a customer-managed key", async () => {
    expect((await run({ encrypted: "true", kmsKeyId: ARN("k1") })).violations).toEqual([]);
    expect((await run({ encrypted: true, kmsKeyId: "alias/data" })).violations).toEqual([]);
    expect((await run({ encrypted: true, kmsKeyId: ARN("k1") }, RESOURCE_TYPES.nativeRedshiftCluster)).violations).toEqual([]);
  });

  it("rejects unencrypted clusters, whatever the key", async () => {
    for (const encrypted of ["false", false, "yes"]) {
      const outcome = await run({ encrypted, kmsKeyId: ARN("k1") });
      expect(outcome.violations, String(encrypted)).toHaveLength(1);
      expect(outcome.violations[0].message).toContain("is not encrypted");
    }
    for (const encrypted of [false, undefined]) {
      const outcome = await run({ encrypted, kmsKeyId: ARN("k1") }, RESOURCE_TYPES.nativeRedshiftCluster);
      expect(outcome.violations, String(encrypted)).toHaveLength(1);
      expect(outcome.violations[0].message).toContain("is not encrypted");
    }
  });

  it("takes @pulumi/aws 7's default (encrypted \"true\") for an aws.redshift.Cluster that leaves encrypted out, as its Check does before a real preview", async () => {
    expect((await run({ kmsKeyId: ARN("k1") })).violations).toEqual([]);
    expect((await run({ encrypted: null, kmsKeyId: ARN("k1") })).violations).toEqual([]);
    // Encrypted by default, but still with the AWS-managed key when no kmsKeyId is given.
    expect((await run({})).violations[0].message).toContain("has no kmsKeyId");
    const unrotated = key("k", { enableKeyRotation: false }, { propertyDependencies: {} });
    const rotated = await runStackPolicy(redshiftClusterKeyRotated, [unrotated, cluster("c", { kmsKeyId: UNKNOWN.string }, { propertyDependencies: { kmsKeyId: [unrotated.urn] } })]);
    expect(rotated.violations.map((violation) => violation.message)).toEqual([expect.stringContaining("whose enableKeyRotation is false")]);
  });

  it("rejects a missing kmsKeyId and the AWS-managed alias/aws/redshift in any form", async () => {
    for (const kmsKeyId of [undefined, "", "alias/aws/redshift", " alias/aws/redshift ", "arn:aws:kms:eu-west-1:111122223333:alias/aws/redshift", "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/aws/redshift"]) {
      const outcome = await run({ encrypted: "true", kmsKeyId });
      expect(outcome.violations, String(kmsKeyId)).toHaveLength(1);
      expect(outcome.violations[0].message).toContain("required: a customer-managed KMS key");
    }
  });

  it("checks Serverless namespaces for a customer-managed kmsKeyId", async () => {
    expect((await run({}, RESOURCE_TYPES.redshiftServerlessNamespace)).violations[0].message).toContain("AWS-owned key");
    expect((await run({ kmsKeyId: ARN("k1") }, RESOURCE_TYPES.redshiftServerlessNamespace)).violations).toEqual([]);
  });

  it("defers an unknown kmsKeyId to the stack policy, and reports an unknown encrypted", async () => {
    expect((await run({ encrypted: "true", kmsKeyId: UNKNOWN.string })).violations).toEqual([]);
    const outcome = await run({ encrypted: UNKNOWN.string, kmsKeyId: ARN("k1") });
    expect(outcome.unknownValueError).toBeUndefined();
    expect(outcome.violations[0].message).toContain("encrypted is unknown during preview");
  });

  it("is not applicable to keys", async () => {
    expect((await run({}, RESOURCE_TYPES.kmsKey)).notApplicable).toContain("only Redshift clusters");
  });
});

describe("redshift-cluster-key-rotated", () => {
  const run = (resources: AnalyzerStackResource[], config = {}) => runStackPolicy(redshiftClusterKeyRotated, resources, config);
  const goodKey = (name = "k", extra: Record<string, unknown> = {}) => key(name, { enableKeyRotation: true, rotationPeriodInDays: 365, arn: UNKNOWN.string, keyId: UNKNOWN.string, ...extra });
  const clusterOn = (k: AnalyzerStackResource, extra: Record<string, unknown> = {}) =>
    cluster("c", { encrypted: "true", kmsKeyId: UNKNOWN.string, ...extra }, { propertyDependencies: { kmsKeyId: [k.urn] }, dependencies: [k.urn] });

  it("follows propertyDependencies.kmsKeyId to the key while its ARN is unknown (preview), both ways", async () => {
    expect(await run([goodKey(), clusterOn(goodKey())])).toEqual({ violations: [] });
    const off = key("k", { enableKeyRotation: false, arn: UNKNOWN.string });
    const outcome = await run([off, clusterOn(off)]);
    expect(outcome.violations).toEqual([{ urn: urnOf(RESOURCE_TYPES.redshiftCluster, "c"), message: expect.stringContaining("whose enableKeyRotation is false; required: true") }]);
  });

  it("rejects a cluster whose key cannot rotate automatically (while such keys are not applicable to the key policies)", async () => {
    for (const [type, properties] of [
      [RESOURCE_TYPES.kmsKey, { keySpec: "RSA_2048", enableKeyRotation: false }],
      [RESOURCE_TYPES.kmsKey, { customKeyStoreId: "cks-1" }],
      [RESOURCE_TYPES.kmsExternalKey, {}],
      [RESOURCE_TYPES.nativeKmsKey, { origin: "EXTERNAL", enableKeyRotation: true }],
    ] as const) {
      const k = resource(type, "k", properties);
      const outcome = await run([k, clusterOn(k)]);
      expect(outcome.violations, type).toHaveLength(1);
      expect(outcome.violations[0].message).toContain("cannot rotate automatically");
    }
  });

  it("rejects a key period outside the configured bounds, and honours the configured bounds", async () => {
    const k = goodKey("k", { rotationPeriodInDays: 400 });
    expect((await run([k, clusterOn(k)])).violations[0].message).toContain("allows 90 to 365 days");
    expect((await run([k, clusterOn(k)], { maxRotationPeriodInDays: 400 })).violations).toEqual([]);
  });

  it("resolves kmsKeyId by value: key ARN, key id, alias name and alias ARN (alias -> targetKeyId)", async () => {
    const k = key("k", { enableKeyRotation: false, arn: ARN("1234"), keyId: "1234" });
    const alias = resource(RESOURCE_TYPES.kmsAlias, "a", { name: "alias/data", targetKeyId: "1234", arn: "arn:aws:kms:us-east-1:111122223333:alias/data" });
    for (const kmsKeyId of [ARN("1234"), "1234", "alias/data", "arn:aws:kms:us-east-1:111122223333:alias/data"]) {
      const outcome = await run([k, alias, cluster("c", { encrypted: "true", kmsKeyId })]);
      expect(outcome.violations, kmsKeyId).toHaveLength(1);
      expect(outcome.violations[0].message).toContain("enableKeyRotation is false");
    }
    const good = key("k", { enableKeyRotation: true, arn: ARN("1234"), keyId: "1234" });
    expect((await run([good, alias, cluster("c", { encrypted: "true", kmsKeyId: "alias/data" })])).violations).toEqual([]);
  });

  it("follows an alias's propertyDependencies.targetKeyId, and aws-native aliases and clusters", async () => {
    const k = resource(RESOURCE_TYPES.nativeKmsKey, "k", { enableKeyRotation: false, arn: UNKNOWN.string });
    const alias = resource(RESOURCE_TYPES.nativeKmsAlias, "a", { aliasName: "alias/n", targetKeyId: UNKNOWN.string }, { propertyDependencies: { targetKeyId: [k.urn] } });
    const c = resource(RESOURCE_TYPES.nativeRedshiftCluster, "c", { encrypted: true, kmsKeyId: UNKNOWN.string }, { propertyDependencies: { kmsKeyId: [alias.urn] } });
    const outcome = await run([k, alias, c]);
    expect(outcome.violations).toHaveLength(1);
    expect(outcome.violations[0].message).toContain('alias "a" -> key "k"');
  });

  it("judges a cluster under a replica key by the replica's primary when the primary is in the stack", async () => {
    const primary = key("primary", { enableKeyRotation: false, arn: ARN("mrk-1"), multiRegion: true });
    const replica = resource(RESOURCE_TYPES.kmsReplicaKey, "replica", { primaryKeyArn: ARN("mrk-1"), arn: UNKNOWN.string });
    const outcome = await run([primary, replica, clusterOn(replica)]);
    expect(outcome.violations).toHaveLength(1);
    expect(outcome.violations[0].message).toContain('replica key "replica" (replica of key "primary")');
    const goodPrimary = key("primary", { enableKeyRotation: true, arn: ARN("mrk-1") });
    expect((await run([goodPrimary, replica, clusterOn(replica)])).violations).toEqual([]);
    // Primary outside the stack: an external key, for redshift-cluster-external-key.
    expect((await run([replica, clusterOn(replica)])).notApplicable).toBeDefined();
  });

  it("never passes an unknown kmsKeyId that comes from no key in the stack", async () => {
    const outcome = await run([cluster("c", { encrypted: "true", kmsKeyId: UNKNOWN.string })]);
    expect(outcome.violations).toHaveLength(1);
    expect(outcome.violations[0].message).toContain("kmsKeyId is unknown during preview and does not come from a KMS key or alias in this stack");
  });

  it("falls back to a single key among the cluster's dependencies when kmsKeyId is unknown and has no property dependencies", async () => {
    const off = key("k", { enableKeyRotation: false });
    const outcome = await run([off, cluster("c", { encrypted: "true", kmsKeyId: UNKNOWN.string }, { dependencies: [off.urn] })]);
    expect(outcome.violations[0].message).toContain("enableKeyRotation is false");
  });

  it("reports a key property unknown during preview by name", async () => {
    const k = key("k", { enableKeyRotation: true, rotationPeriodInDays: UNKNOWN.number });
    expect((await run([k, clusterOn(k)])).violations[0].message).toContain("rotationPeriodInDays is unknown during preview");
  });

  it("checks Serverless namespaces, skips unencrypted/AWS-managed/external ones, and honours exemptions", async () => {
    const off = key("k", { enableKeyRotation: false });
    const namespace = resource(RESOURCE_TYPES.redshiftServerlessNamespace, "ns", { kmsKeyId: UNKNOWN.string }, { propertyDependencies: { kmsKeyId: [off.urn] } });
    expect((await run([off, namespace])).violations).toHaveLength(1);
    expect((await run([off, clusterOn(off, { encrypted: "false" })])).violations).toEqual([]);
    expect((await run([cluster("c", { encrypted: "true", kmsKeyId: "alias/aws/redshift" })])).notApplicable).toContain("no Redshift cluster");
    expect((await run([cluster("c", { encrypted: "true", kmsKeyId: ARN("elsewhere") })])).violations).toEqual([]);
    expect((await run([off, clusterOn(off)], { exemptions: [{ resource: "c", reason: "decommissioned next sprint" }] })).violations).toEqual([]);
    expect((await run([off])).notApplicable).toBeDefined();
  });
});

describe("redshift-cluster-external-key", () => {
  const run = (resources: AnalyzerStackResource[], config = {}) => runStackPolicy(redshiftClusterExternalKey, resources, config);
  const external = cluster("c", { encrypted: "true", kmsKeyId: ARN("outside") });

  it("reports a key that is neither in the stack nor trusted, and passes trusted ones (by ARN, key id or alias)", async () => {
    const outcome = await run([external]);
    expect(outcome.violations).toHaveLength(1);
    expect(outcome.violations[0].message).toContain(`key "${ARN("outside")}", which is not defined in this stack and not in trustedKeyArns`);
    expect(outcome.violations[0].urn).toBe(external.urn);
    expect((await run([external], { trustedKeyArns: [ARN("outside")] })).violations).toEqual([]);
    expect((await run([cluster("c", { encrypted: "true", kmsKeyId: "outside" })], { trustedKeyArns: [ARN("outside")] })).violations).toEqual([]);
    expect((await run([cluster("c", { encrypted: "true", kmsKeyId: "alias/shared" })], { trustedKeyArns: ["arn:aws:kms:us-east-1:111122223333:alias/shared"] })).violations).toEqual([]);
    expect(isTrustedKeyReference("other", [ARN("outside")])).toBe(false);
  });

  it("does not report keys defined in the stack", async () => {
    const k = key("k", { enableKeyRotation: true, arn: ARN("inside") });
    expect((await run([k, cluster("c", { encrypted: "true", kmsKeyId: ARN("inside") })])).violations).toEqual([]);
  });

  it("refuses a trustedKeyArns entry that is not a key or alias ARN (the config schema's pattern says the same)", async () => {
    const pattern = new RegExp(TRUSTED_KEY_ARN_PATTERN_SOURCE);
    expect([ARN("1234abcd"), "arn:aws:kms:us-east-1:111122223333:alias/shared"].every((arn) => pattern.test(arn))).toBe(true);
    expect(["1234abcd", "alias/shared", `${ARN("x")} `, "arn:aws:s3:::bucket"].some((arn) => pattern.test(arn))).toBe(false);
    await expect(run([external], { trustedKeyArns: ["1234abcd"] })).rejects.toThrow(/trustedKeyArns\[0\]: got "1234abcd"; expected a KMS key ARN/);
    await expect(run([external], { verifyExternalKeysLive: "yes" })).rejects.toThrow(/verifyExternalKeysLive: got "yes"; expected true or false/);
  });

  it("with verifyExternalKeysLive reports only keys whose rotation is off or out of bounds, and failed calls", async () => {
    const answers: Record<string, LiveRotationStatus> = {
      [ARN("on")]: { kind: "status", keyRotationEnabled: true, rotationPeriodInDays: 365 },
      [ARN("off")]: { kind: "status", keyRotationEnabled: false },
      [ARN("long")]: { kind: "status", keyRotationEnabled: true, rotationPeriodInDays: 2000 },
      [ARN("missing")]: { kind: "failed", problem: "NotFoundException: Key does not exist" },
    };
    const asked: string[] = [];
    const lookup = async (reference: string) => {
      asked.push(reference);
      return answers[reference];
    };
    const clusters = Object.keys(answers).map((arn, i) => cluster(`c${i}`, { encrypted: "true", kmsKeyId: arn }));
    clusters.push(cluster("viaAlias", { encrypted: "true", kmsKeyId: "alias/elsewhere" }));
    const verdicts = await externalKeyPolicy(() => lookup).verdicts(engineStackResources(clusters), { verifyExternalKeysLive: true });
    const byName = Object.fromEntries(verdicts.map((v) => [v.resource.name, v.verdict]));
    expect(byName.c0).toEqual({ kind: "compliant" });
    expect(byName.c1).toMatchObject({ kind: "non-compliant", message: expect.stringContaining("rotation KMS reports as off") });
    expect(byName.c2).toMatchObject({ kind: "non-compliant", message: expect.stringContaining("got 2000 days; this pack's config allows 90 to 365 days") });
    expect(byName.c3).toMatchObject({ kind: "non-compliant", message: expect.stringContaining("verifying it live failed: KMS GetKeyRotationStatus NotFoundException") });
    expect(byName.viaAlias).toMatchObject({ kind: "non-compliant", message: expect.stringContaining("cannot be asked about an alias") });
    expect(asked.sort()).toEqual(Object.keys(answers).sort());
  });
});

describe("redshift-cluster-rotation-on-key-change", () => {
  const run = (resources: AnalyzerStackResource[]) => runStackPolicy(redshiftClusterRotationOnKeyChange, resources);
  const c = cluster("c", { encrypted: "true", kmsKeyId: ARN("k") });
  const rotation = (properties: Record<string, unknown>, links?: Partial<AnalyzerStackResource>) => resource(RESOURCE_TYPES.redshiftKeyRotation, "rot", properties, links);

  it("passes a cluster with a RedshiftKeyRotation bound by clusterIdentifier or by dependency", async () => {
    expect((await run([c, rotation({ clusterIdentifier: "c" })])).violations).toEqual([]);
    expect((await run([c, rotation({ clusterIdentifier: UNKNOWN.string }, { dependencies: [c.urn] })])).violations).toEqual([]);
    expect((await run([c, rotation({ clusterIdentifier: UNKNOWN.string }, { propertyDependencies: { clusterIdentifier: [c.urn] } })])).violations).toEqual([]);
  });

  it("reports an encrypted cluster with no RedshiftKeyRotation, or one bound to another cluster", async () => {
    const none = await run([c]);
    expect(none.violations).toHaveLength(1);
    expect(none.violations[0].message).toContain('no RedshiftKeyRotation (pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation) bound to it (none with clusterIdentifier "c"');
    expect((await run([c, rotation({ clusterIdentifier: "other" })])).violations).toHaveLength(1);
    const unknown = await run([c, rotation({ clusterIdentifier: UNKNOWN.string })]);
    expect(unknown.violations[0].message).toContain("clusterIdentifier is unknown during preview");
  });

  it("does not check unencrypted clusters or Serverless namespaces", async () => {
    expect((await run([cluster("c", { encrypted: "false" })])).notApplicable).toBeDefined();
    expect((await run([resource(RESOURCE_TYPES.redshiftServerlessNamespace, "ns", { kmsKeyId: ARN("k") })])).notApplicable).toBeDefined();
  });
});

describe("exemption matching", () => {
  it("matches exact URNs and names, and * / ? globs, nothing else", () => {
    const target = { urn: urnOf(RESOURCE_TYPES.kmsKey, "data-key"), name: "data-key" };
    expect(findExemption([{ resource: "data-key", reason: "r" }], target)).toBeDefined();
    expect(findExemption([{ resource: "data-?ey", reason: "r" }], target)).toBeDefined();
    expect(findExemption([{ resource: "*::aws:kms/key:Key::*", reason: "r" }], target)).toBeDefined();
    expect(findExemption([{ resource: "data", reason: "r" }], target)).toBeUndefined();
    expect(findExemption([{ resource: "data.key", reason: "r" }], target)).toBeUndefined();
  });
});

describe("engine wire helpers", () => {
  it("puts unknowns, secrets, -0 and NaN on the wire as the engine does, dropping undefined members", () => {
    const wire = toStruct({ a: UNKNOWN.string, s: secret({ n: -0 }), nan: NaN, gone: undefined, list: [undefined, 1] }).toJavaScript();
    expect(wire).toEqual({ a: UNKNOWN.string, s: { [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE, value: { n: -0 } }, nan: NaN, list: [null, 1] });
    expect(Object.is((wire.s as { value: { n: number } }).value.n, -0)).toBe(true);
    expect(isWireSecret(wire.s)).toBe(true);
    expect(isWireSecret({ value: 1 })).toBe(false);
  });

  it("refuses values that cannot travel, naming the property", () => {
    expect(() => toStruct({ outer: { fn: () => 1 } })).toThrow("analyzerHost: property properties.outer.fn is a function");
    expect(() => toStruct([] as never)).toThrow("properties must be a plain object, got an array");
  });

  it("reports a pack directory that does not exist, naming it", async () => {
    await expect(startAnalyzer({ packDir: "/nonexistent/keyguard-pack", startTimeoutMs: 5_000 })).rejects.toThrow(/policy pack in \/nonexistent\/keyguard-pack could not be started/);
  });
});
