/**
 * redshift-cluster-external-key, called as the engine calls AnalyzeStack (test/support/policyArgs.ts),
 * from a baseline of one cluster encrypted with a key outside the stack (reported unless trusted),
 * one change per case; live verification against a recorded KMS.
 */
import { describe, expect, it, test } from "vitest";
import { TRUSTED_KEY_ARN_PATTERN_SOURCE } from "../../policy/config";
import type { LiveRotationStatus } from "../../policy/liveRotationStatus";
import {
  externalKeyPolicy,
  isTrustedKeyReference,
  redshiftClusterExternalKey,
} from "../../policy/policies/redshift-cluster-external-key";
import { engineStackResources, runStackPolicy } from "../support/policyArgs";
import { RESOURCE_TYPES } from "../../facts";
import { UNKNOWN } from "../../engine";
import { ALIAS_ARN, ARN, type Expected, cluster, expectOutcome, key, resource } from "../support/policyCases";

const external = cluster("c", { encrypted: "true", kmsKeyId: ARN("outside") });
const fromStackReference = resource(RESOURCE_TYPES.stackReference, "security", {
  name: "acme/security/prod",
  outputs: UNKNOWN.string,
});
const run = (resources = [external], config: Record<string, unknown> = {}) =>
  runStackPolicy(redshiftClusterExternalKey, resources, config);

describe("redshift-cluster-external-key", () => {
  it("reports the baseline: a key neither in the stack nor trusted, against the cluster", async () => {
    expectOutcome(await run(), {
      violation: `key "${ARN("outside")}", which is not defined in this stack and not in trustedKeyArns`,
      urn: external.urn,
    });
  });

  test.each<[string, Parameters<typeof run>[0], Record<string, unknown>, Expected]>([
    ["passes a key trusted by its ARN", [external], { trustedKeyArns: [ARN("outside")] }, "no violation"],
    [
      "passes a key id whose ARN is trusted",
      [cluster("c", { encrypted: "true", kmsKeyId: "outside" })],
      { trustedKeyArns: [ARN("outside")] },
      "no violation",
    ],
    [
      "passes an alias name whose alias ARN is trusted",
      [cluster("c", { encrypted: "true", kmsKeyId: "alias/shared" })],
      { trustedKeyArns: [ALIAS_ARN("alias/shared")] },
      "no violation",
    ],
    [
      "says a key from another stack's outputs whose ARN is unknown (offline, without the outputs) could not be checked, as an unknown, never a pass",
      [
        fromStackReference,
        cluster(
          "c",
          { encrypted: "true", kmsKeyId: UNKNOWN.string },
          { propertyDependencies: { kmsKeyId: [fromStackReference.urn] } },
        ),
      ],
      {},
      {
        violation:
          "encrypted with a key from an output of stack acme/security/prod (a StackReference), outside this stack, whose ARN is not known here",
      },
    ],
    [
      "judges a key from another stack's outputs by its ARN when it is known",
      [
        fromStackReference,
        cluster(
          "c",
          { encrypted: "true", kmsKeyId: ARN("outside") },
          { propertyDependencies: { kmsKeyId: [fromStackReference.urn] } },
        ),
      ],
      { trustedKeyArns: [ARN("outside")] },
      "no violation",
    ],
    [
      "does not report a key defined in the stack",
      [
        key("k", { enableKeyRotation: true, arn: ARN("inside") }),
        cluster("c", { encrypted: "true", kmsKeyId: ARN("inside") }),
      ],
      {},
      "no violation",
    ],
  ])("%s", async (_title, resources, config, expected) => {
    expectOutcome(await run(resources, config), expected);
  });

  it("does not take another key's ARN as trust", () => {
    expect(isTrustedKeyReference("other", [ARN("outside")])).toBe(false);
  });

  test.each([ARN("1234abcd"), ALIAS_ARN("alias/shared")])(
    "the config schema's trustedKeyArns pattern accepts %s",
    (arn) => {
      expect(new RegExp(TRUSTED_KEY_ARN_PATTERN_SOURCE).test(arn)).toBe(true);
    },
  );
  test.each(["1234abcd", "alias/shared", `${ARN("x")} `, "arn:aws:s3:::bucket"])(
    "the config schema's trustedKeyArns pattern refuses %j",
    (arn) => {
      expect(new RegExp(TRUSTED_KEY_ARN_PATTERN_SOURCE).test(arn)).toBe(false);
    },
  );

  test.each<[string, Record<string, unknown>, RegExp]>([
    [
      "a trustedKeyArns entry that is not a key or alias ARN",
      { trustedKeyArns: ["1234abcd"] },
      /trustedKeyArns\[0\]: got "1234abcd"; expected a KMS key ARN/,
    ],
    [
      "verifyExternalKeysLive that is not a boolean",
      { verifyExternalKeysLive: "yes" },
      /verifyExternalKeysLive: got "yes"; expected true or false/,
    ],
  ])("refuses config with %s", async (_title, config, error) => {
    await expect(run([external], config)).rejects.toThrow(error);
  });

  describe("with verifyExternalKeysLive", () => {
    const answers: Record<string, LiveRotationStatus> = {
      [ARN("on")]: { kind: "status", keyRotationEnabled: true, rotationPeriodInDays: 365 },
      [ARN("off")]: { kind: "status", keyRotationEnabled: false },
      [ARN("long")]: { kind: "status", keyRotationEnabled: true, rotationPeriodInDays: 2000 },
      [ARN("missing")]: { kind: "failed", problem: "NotFoundException: Key does not exist" },
    };
    const judged = async () => {
      const asked: string[] = [];
      const lookup = async (reference: string) => {
        asked.push(reference);
        return answers[reference];
      };
      const clusters = Object.keys(answers).map((arn, i) => cluster(`c${i}`, { encrypted: "true", kmsKeyId: arn }));
      clusters.push(cluster("viaAlias", { encrypted: "true", kmsKeyId: "alias/elsewhere" }));
      const verdicts = await externalKeyPolicy(() => lookup).verdicts(engineStackResources(clusters), {
        verifyExternalKeysLive: true,
      });
      return { asked, byName: Object.fromEntries(verdicts.map((v) => [v.resource.name, v.verdict])) };
    };

    test.each<[string, string, object]>([
      ["passes a key KMS reports as rotating within bounds", "c0", { kind: "compliant" }],
      [
        "reports a key whose rotation KMS reports as off",
        "c1",
        { kind: "non-compliant", message: expect.stringContaining("rotation KMS reports as off") },
      ],
      [
        "reports a key whose period KMS reports out of bounds",
        "c2",
        {
          kind: "non-compliant",
          message: expect.stringContaining("got 2000 days; this pack's config allows 90 to 365 days"),
        },
      ],
      [
        "reports a failed KMS call",
        "c3",
        {
          kind: "non-compliant",
          message: expect.stringContaining("verifying it live failed: KMS GetKeyRotationStatus NotFoundException"),
        },
      ],
      [
        "reports an alias, which KMS cannot be asked about",
        "viaAlias",
        { kind: "non-compliant", message: expect.stringContaining("cannot be asked about an alias") },
      ],
    ])("%s", async (_title, name, verdict) => {
      expect((await judged()).byName[name]).toMatchObject(verdict);
    });

    it("asks KMS once about each key id or ARN, and never about an alias", async () => {
      expect((await judged()).asked.sort()).toEqual(Object.keys(answers).sort());
    });
  });
});
