/**
 * kms-key-rotation-period (resource policy, default level: mandatory).
 *
 * What: rejects a rotating KMS key whose effective rotation period (`rotationPeriodInDays`, AWS's
 * default of 365 days when unset) is not a whole number, is outside AWS's 90..2560 days, or is
 * outside this pack's configured `minRotationPeriodInDays` (default 90) .. `maxRotationPeriodInDays`
 * (default 365).
 * Why: "rotation on" alone says nothing about how long one key material protects data; a 2560-day
 * period is seven years. Out-of-range values also fail only at apply time, after review.
 * AWS fact: EnableKeyRotation's RotationPeriodInDays is an integer in 90..2560, default 365. Keys that
 * cannot rotate and Multi-Region replicas are "not applicable"; a key with rotation off is left to
 * kms-key-rotation-enabled.
 */
import { boundsSettings, policyConfig } from "../config";
import { defineResourcePolicy } from "../define";
import { KEY_TYPES, checkRotationPeriod, rotationCapability, rotationSwitch } from "../keyResolution";
import { type Verdict, compliant, nonCompliant, notApplicable, resourceLabel, unknownInPreview } from "../verdict";

export const kmsKeyRotationPeriod = defineResourcePolicy({
  name: "kms-key-rotation-period",
  description: "Rotating KMS keys must rotate within AWS's limits and this pack's configured period bounds.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Set rotationPeriodInDays on the aws.kms.Key to a whole number of days within the configured bounds.",
  appliesTo: { types: KEY_TYPES, described: "KMS keys" },
  config: policyConfig(boundsSettings),
  evaluate: (key, bounds) => {
    const label = resourceLabel(key);
    const capability = rotationCapability(key.type, key.props);
    if (capability.kind === "replica")
      return notApplicable(`${label} is a Multi-Region replica key: its rotation period is its primary key's`);
    if (capability.kind === "cannot-rotate")
      return notApplicable(`${label} cannot rotate automatically: ${capability.reason}`);
    if (capability.kind === "not-a-key") return notApplicable(`only KMS keys are checked, this is a ${key.type}`);
    const switchState = rotationSwitch(key.props);
    const period = checkRotationPeriod(key.props, bounds);
    const allowed = `${bounds.minRotationPeriodInDays} to ${bounds.maxRotationPeriodInDays}`;
    const periodNotAllowed = (problem: string, note = ""): Verdict =>
      nonCompliant({
        found: `${label} has a rotation period that is not allowed: rotationPeriodInDays ${problem}${note}`,
        required: `${allowed} days`,
        fix: "set rotationPeriodInDays to a whole number of days in that range (unset means AWS's default of 365).",
      });
    // Rotation off is kms-key-rotation-enabled's finding. A period that will be wrong once rotation
    // is on is reported now too, so one run shows every fix the key needs.
    if (switchState.kind === "off") {
      if (period.kind !== "bad")
        return notApplicable(
          `${label} does not rotate (kms-key-rotation-enabled reports that), and its rotation period is within bounds`,
        );
      return periodNotAllowed(period.problem, " (its rotation is off too: kms-key-rotation-enabled reports that)");
    }
    if (period.kind === "ok") {
      if (capability.kind !== "unknown" || switchState.kind !== "unknown") return compliant;
      return unknownInPreview({
        found: `${label}: its ${capability.property} and enableKeyRotation are unknown during preview, so whether it rotates could not be checked; its period (${period.days} days) is within bounds`,
        required: "rotation on",
        fix: `give ${capability.property} and enableKeyRotation values known at preview.`,
      });
    }
    if (period.kind === "unknown") {
      return unknownInPreview({
        found: `${label}: rotationPeriodInDays is unknown during preview, so it could not be checked`,
        required: `a whole number of days from ${allowed}`,
        fix: "give rotationPeriodInDays a value known at preview.",
      });
    }
    return periodNotAllowed(period.problem);
  },
});
