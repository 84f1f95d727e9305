/**
 * kms-key-rotation-period, called as the engine calls it (test/support/policyArgs.ts), from a
 * compliant baseline (a rotating aws.kms.Key with AWS's default period), one change per case.
 */
import { describe, expect, it, test } from "vitest";
import { RESOURCE_TYPES } from "../../facts";
import { UNKNOWN } from "../../engine";
import { kmsKeyRotationPeriod } from "../../policy/policies/kms-key-rotation-period";
import { runResourcePolicy } from "../support/policyArgs";
import { type Change, type Expected, baselineRunner, expectOutcome, resource } from "../support/policyCases";

const BASELINE = { enableKeyRotation: true };

const run = baselineRunner(kmsKeyRotationPeriod, "k", { type: RESOURCE_TYPES.kmsKey, props: BASELINE });

const outOfBounds = (problem: string): Expected => ({ violation: [problem, 'aws:kms/key:Key "k"', "Fix:"] });

describe("kms-key-rotation-period", () => {
  it("passes the baseline: rotation on, period unset (AWS's default of 365)", async () => {
    expectOutcome(await run(), "compliant");
  });

  test.each<[string, Change, Expected]>([
    ["accepts a null period (AWS's default)", { props: { rotationPeriodInDays: null } }, "no violation"],
    ["accepts 90 days", { props: { rotationPeriodInDays: 90 } }, "no violation"],
    ["accepts 180 days", { props: { rotationPeriodInDays: 180 } }, "no violation"],
    ["accepts 365 days", { props: { rotationPeriodInDays: 365 } }, "no violation"],
    [
      "accepts 2000 days when the configured maximum is 2560",
      { props: { rotationPeriodInDays: 2000 }, config: { maxRotationPeriodInDays: 2560 } },
      "no violation",
    ],
    [
      "rejects 89 days (below AWS's minimum)",
      { props: { rotationPeriodInDays: 89 } },
      outOfBounds("AWS KMS allows 90 to 2560 days"),
    ],
    [
      "rejects 2561 days (above AWS's maximum) even when the configured maximum is 2560",
      { props: { rotationPeriodInDays: 2561 }, config: { maxRotationPeriodInDays: 2560 } },
      outOfBounds("AWS KMS allows 90 to 2560 days"),
    ],
    ["rejects 100.5 days", { props: { rotationPeriodInDays: 100.5 } }, outOfBounds("whole number")],
    ['rejects the string "180"', { props: { rotationPeriodInDays: "180" } }, outOfBounds("whole number")],
    ["rejects -0.5 days", { props: { rotationPeriodInDays: -0.5 } }, outOfBounds("whole number")],
    [
      "rejects 366 days (above the default maximum)",
      { props: { rotationPeriodInDays: 366 } },
      outOfBounds("allows 90 to 365 days"),
    ],
    [
      "rejects 100 days when the configured minimum is 180",
      { props: { rotationPeriodInDays: 100 }, config: { minRotationPeriodInDays: 180 } },
      outOfBounds("allows 180 to 365 days"),
    ],
    [
      "rejects AWS's default when the configured maximum is 180, and says it is the default",
      { config: { maxRotationPeriodInDays: 180 } },
      outOfBounds("unset, so AWS's default of 365"),
    ],
    [
      "leaves a key that does not rotate, with a period within bounds, to kms-key-rotation-enabled",
      { props: { enableKeyRotation: false, rotationPeriodInDays: 200 } },
      { notApplicable: "does not rotate" },
    ],
    [
      "reports a period out of bounds on a key that does not rotate yet, so one run shows both fixes",
      { props: { enableKeyRotation: undefined, rotationPeriodInDays: 400 } },
      { violation: ["rotationPeriodInDays got 400", "rotation is off too", "required: 90 to 365 days"] },
    ],
    [
      "does not apply to a key that cannot rotate",
      { props: { keySpec: "RSA_2048", rotationPeriodInDays: 5 } },
      { notApplicable: "cannot rotate" },
    ],
    [
      "does not apply to a replica",
      { props: { enableKeyRotation: undefined, rotationPeriodInDays: 5 }, type: RESOURCE_TYPES.kmsReplicaKey },
      { notApplicable: "replica" },
    ],
    [
      "does not apply to imported key material",
      { props: { enableKeyRotation: undefined, rotationPeriodInDays: 5 }, type: RESOURCE_TYPES.kmsExternalKey },
      { notApplicable: "imported" },
    ],
    [
      "reports a period unknown in preview",
      { props: { rotationPeriodInDays: UNKNOWN.number } },
      { violation: "rotationPeriodInDays is unknown during preview" },
    ],
    [
      "judges the period when enableKeyRotation is unknown: out of bounds",
      { props: { enableKeyRotation: UNKNOWN.boolean, rotationPeriodInDays: 5000 } },
      { violation: "AWS KMS allows 90 to 2560 days" },
    ],
    [
      "judges the period when enableKeyRotation is unknown: within bounds",
      { props: { enableKeyRotation: UNKNOWN.boolean, rotationPeriodInDays: 200 } },
      "no violation",
    ],
  ])("%s", async (_title, change, expected) => {
    expectOutcome(await run(change), expected);
  });

  test.each<[string, Record<string, unknown>, RegExp | string]>([
    [
      "a minimum below AWS's",
      { minRotationPeriodInDays: 30 },
      "keyguard policy config: kms-key-rotation-period.minRotationPeriodInDays: got 30; expected a whole number of days from 90 to 2560",
    ],
    ["a maximum that is a string", { maxRotationPeriodInDays: "365" }, /maxRotationPeriodInDays: got "365"/],
    [
      "a minimum above the maximum",
      { minRotationPeriodInDays: 400, maxRotationPeriodInDays: 200 },
      /must not exceed the maximum/,
    ],
    ["exemptions that are not a list", { exemptions: "none" }, /exemptions: got "none"; expected a list/],
  ])("refuses config with %s, naming the setting, the value and the range", async (_title, config, error) => {
    await expect(
      runResourcePolicy(kmsKeyRotationPeriod, resource(RESOURCE_TYPES.kmsKey, "k", {}), config),
    ).rejects.toThrow(error);
  });
});
