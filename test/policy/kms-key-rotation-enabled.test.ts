/**
 * kms-key-rotation-enabled, called as the engine calls it (test/support/policyArgs.ts), from a
 * compliant baseline (a symmetric aws.kms.Key with rotation on), one change per case.
 */
import { describe, expect, it, test } from "vitest";
import { RESOURCE_TYPES, SECRET_SIGNATURE, SPECIAL_SIGNATURE_KEY } from "../../facts";
import { UNKNOWN, secret } from "../../engine";
import { PolicyConfigError } from "../../policy/config";
import { kmsKeyRotationEnabled } from "../../policy/policies/kms-key-rotation-enabled";
import { runRemediation, runResourcePolicy } from "../support/policyArgs";
import { type Change, type Expected, baselineRunner, expectOutcome, resource, urnOf } from "../support/policyCases";

const BASELINE = { enableKeyRotation: true };
const LABEL = `aws:kms/key:Key "k" (${urnOf(RESOURCE_TYPES.kmsKey, "k")})`;

const run = baselineRunner(kmsKeyRotationEnabled, "k", { type: RESOURCE_TYPES.kmsKey, props: BASELINE });

const rotationOff = (found: string): Expected => ({
  violation: [LABEL, `its enableKeyRotation is ${found}`, "required: true", "Fix:"],
});
const cannotRotate: Expected = { notApplicable: "cannot rotate automatically" };

describe("kms-key-rotation-enabled", () => {
  it("passes the baseline: a symmetric key with enableKeyRotation true", async () => {
    expectOutcome(await run(), "compliant");
  });

  test.each<[string, Change, Expected]>([
    ["rejects enableKeyRotation false", { props: { enableKeyRotation: false } }, rotationOff("false")],
    [
      "rejects enableKeyRotation unset",
      { props: { enableKeyRotation: undefined } },
      rotationOff("not set (AWS's default: rotation off)"),
    ],
    ['rejects enableKeyRotation the string "true"', { props: { enableKeyRotation: "true" } }, rotationOff('"true"')],
    [
      "rejects rotation off on an explicit SYMMETRIC_DEFAULT/ENCRYPT_DECRYPT key",
      { props: { keySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT", enableKeyRotation: false } },
      rotationOff("false"),
    ],
    [
      "rejects rotation off on an aws-native key of origin AWS_KMS",
      { props: { origin: "AWS_KMS", enableKeyRotation: false }, type: RESOURCE_TYPES.nativeKmsKey },
      { violation: "enableKeyRotation is false" },
    ],
    ["passes an aws-native key with rotation on", { type: RESOURCE_TYPES.nativeKmsKey }, "no violation"],
    [
      "does not apply to an RSA_2048 key",
      { props: { keySpec: "RSA_2048", keyUsage: "ENCRYPT_DECRYPT", enableKeyRotation: false } },
      cannotRotate,
    ],
    [
      "does not apply to an HMAC key",
      { props: { keySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC", enableKeyRotation: false } },
      cannotRotate,
    ],
    [
      "does not apply to an ECC signing key",
      { props: { keySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY", enableKeyRotation: false } },
      cannotRotate,
    ],
    [
      "does not apply to an asymmetric customerMasterKeySpec",
      { props: { customerMasterKeySpec: "RSA_4096", enableKeyRotation: false } },
      cannotRotate,
    ],
    ["does not apply to a signing key", { props: { keyUsage: "SIGN_VERIFY", enableKeyRotation: false } }, cannotRotate],
    [
      "does not apply to a key in a custom key store",
      { props: { customKeyStoreId: "cks-1234567890abcdef0", enableKeyRotation: false } },
      cannotRotate,
    ],
    [
      "does not apply to an external key store key",
      { props: { xksKeyId: "ext-key-1", enableKeyRotation: false } },
      cannotRotate,
    ],
    [
      "does not apply to imported material (aws.kms.ExternalKey)",
      { props: { enableKeyRotation: false }, type: RESOURCE_TYPES.kmsExternalKey },
      cannotRotate,
    ],
    [
      "does not apply to a replica of imported material (aws.kms.ReplicaExternalKey)",
      { props: { enableKeyRotation: false }, type: RESOURCE_TYPES.kmsReplicaExternalKey },
      cannotRotate,
    ],
    [
      "does not apply to an aws-native key of origin EXTERNAL",
      { props: { origin: "EXTERNAL", enableKeyRotation: false }, type: RESOURCE_TYPES.nativeKmsKey },
      cannotRotate,
    ],
    [
      "does not apply to a replica (its primary rotates it)",
      { props: { enableKeyRotation: false }, type: RESOURCE_TYPES.kmsReplicaKey },
      { notApplicable: "replica" },
    ],
    [
      "does not apply to other resource types",
      { props: { enableKeyRotation: false }, type: RESOURCE_TYPES.redshiftCluster },
      { notApplicable: "only KMS keys" },
    ],
    [
      "reports enableKeyRotation unknown in preview, at the policy's level",
      { props: { enableKeyRotation: UNKNOWN.boolean } },
      { violation: "enableKeyRotation is unknown during preview" },
    ],
    [
      "reports a keySpec unknown in preview when rotation is off",
      { props: { keySpec: UNKNOWN.string, enableKeyRotation: false } },
      { violation: "keySpec is unknown during preview" },
    ],
    ["passes a keySpec unknown in preview when rotation is on", { props: { keySpec: UNKNOWN.string } }, "no violation"],
    ["sees through a secret false", { props: { enableKeyRotation: secret(false) } }, { violation: "required: true" }],
    ["sees through a secret true", { props: { enableKeyRotation: secret(true) } }, "no violation"],
    [
      "skips a resource exempted by name glob, with the reason",
      {
        props: { enableKeyRotation: false },
        config: { exemptions: [{ resource: "k*", reason: "legacy key, ticket SEC-12" }] },
      },
      { notApplicable: "SEC-12" },
    ],
    [
      "skips a resource exempted by URN",
      {
        props: { enableKeyRotation: false },
        config: { exemptions: [{ resource: urnOf(RESOURCE_TYPES.kmsKey, "k"), reason: "r" }] },
      },
      "no violation",
    ],
    [
      "still judges a resource no exemption matches",
      { props: { enableKeyRotation: false }, config: { exemptions: [{ resource: "other-*", reason: "r" }] } },
      { violation: "required: true" },
    ],
  ])("%s", async (_title, change, expected) => {
    expectOutcome(await run(change), expected);
  });

  test.each<[string, Record<string, unknown>, RegExp | typeof PolicyConfigError]>([
    [
      "an exemption without a reason",
      { exemptions: [{ resource: "k" }] },
      /kms-key-rotation-enabled\.exemptions\[0\]\.reason: got undefined; every exemption needs a reason/,
    ],
    [
      "an exemption with a field it does not have",
      { exemptions: [{ resource: "k", reason: "r", tag: "x" }] },
      PolicyConfigError,
    ],
    ["a setting the policy does not take", { exemptTag: "skip" }, /exemptTag: is not a setting of this policy/],
  ])("refuses config with %s", async (_title, config, error) => {
    await expect(
      runResourcePolicy(kmsKeyRotationEnabled, resource(RESOURCE_TYPES.kmsKey, "k", {}), config),
    ).rejects.toThrow(error);
  });

  describe("remediation", () => {
    it("turns rotation on and leaves the rest of the key, secrets included, as it was", async () => {
      const properties = {
        enableKeyRotation: false,
        description: "data key",
        rotationPeriodInDays: 180,
        policy: secret('{"Version":"2012-10-17"}'),
      };
      const remediated = await runRemediation(kmsKeyRotationEnabled, resource(RESOURCE_TYPES.kmsKey, "k", properties));
      expect(remediated.properties).toEqual({
        enableKeyRotation: true,
        description: "data key",
        rotationPeriodInDays: 180,
        policy: { [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE, value: '{"Version":"2012-10-17"}' },
      });
    });

    test.each<[string, string, Record<string, unknown>]>([
      ["a key whose rotation is on", RESOURCE_TYPES.kmsKey, { enableKeyRotation: true }],
      ["a key that cannot rotate", RESOURCE_TYPES.kmsKey, { keySpec: "RSA_2048" }],
      ["imported key material", RESOURCE_TYPES.kmsExternalKey, {}],
      ["a replica of an external key", RESOURCE_TYPES.kmsReplicaExternalKey, { enableKeyRotation: false }],
    ])("leaves %s unchanged", async (_title, type, properties) => {
      expect((await runRemediation(kmsKeyRotationEnabled, resource(type, "k", properties))).properties).toBeUndefined();
    });
  });
});
