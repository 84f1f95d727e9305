/**
 * kms-key-rotation-enabled (resource policy, default level: mandatory; supports "remediate").
 *
 * What: rejects a KMS key that can rotate automatically but whose `enableKeyRotation` is not `true`.
 * Why: a key that never rotates keeps encrypting new data under the same material for years; the
 * cost of a leaked or weakened key grows with every day of data under it.
 * AWS fact: automatic rotation exists only for symmetric encryption keys (SYMMETRIC_DEFAULT,
 * ENCRYPT_DECRYPT) with KMS-generated material outside custom key stores; keys that cannot rotate
 * (asymmetric, HMAC, imported material, custom key store) and Multi-Region replicas (which take
 * rotation from their primary) are "not applicable" here, never violations.
 * Remediation: at level "remediate" the pack sets `enableKeyRotation: true` and leaves every other
 * property of the key as it was.
 */
import { policyConfig } from "../config";
import { defineResourcePolicy } from "../define";
import { KEY_TYPES, rotationCapability, rotationSwitch } from "../keyResolution";
import { DEFAULT_KEY_ROTATION } from "../../facts";
import { compliant, nonCompliant, notApplicable, resourceLabel, shownSetting, unknownInPreview } from "../verdict";

export const kmsKeyRotationEnabled = defineResourcePolicy({
  name: "kms-key-rotation-enabled",
  description: "KMS keys that can rotate automatically must have enableKeyRotation set to true.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set enableKeyRotation: true on the aws.kms.Key.",
  remediationStepBeforeUpdate: `run this policy at enforcement level "remediate".`,
  appliesTo: { types: KEY_TYPES, described: "KMS keys" },
  config: policyConfig(),
  evaluate: (key) => {
    const capability = rotationCapability(key.type, key.props);
    const switchState = rotationSwitch(key.props);
    const label = resourceLabel(key);
    if (capability.kind === "replica") {
      return notApplicable(
        `${label} is a Multi-Region replica key: it takes its rotation from its primary key, which this policy checks`,
      );
    }
    if (capability.kind === "cannot-rotate")
      return notApplicable(`${label} cannot rotate automatically: ${capability.reason}`);
    if (capability.kind === "not-a-key") return notApplicable(`only KMS keys are checked, this is a ${key.type}`);
    if (switchState.kind === "on") return compliant;
    if (capability.kind === "unknown") {
      return unknownInPreview({
        found:
          `${label}: its ${capability.property} is unknown during preview, so whether this key can rotate automatically could not be checked, ` +
          `and enableKeyRotation is ${switchState.kind === "unknown" ? "unknown too" : shownSetting(switchState.found, DEFAULT_KEY_ROTATION)}`,
        required: "true for a key that can rotate",
        fix: `give ${capability.property} a value known at preview, or set enableKeyRotation: true.`,
      });
    }
    if (switchState.kind === "unknown") {
      return unknownInPreview({
        found: `${label}: enableKeyRotation is unknown during preview, so it could not be checked`,
        required: "true",
        fix: "set enableKeyRotation: true as a literal (or a value known at preview).",
      });
    }
    return nonCompliant({
      found: `${label} can rotate automatically but its enableKeyRotation is ${shownSetting(switchState.found, DEFAULT_KEY_ROTATION)}`,
      required: "true",
      fix: "set enableKeyRotation: true on the key (keyguard's EncryptedRedshiftCluster does).",
      fixBeforeUpdate: `set this policy's enforcement level to "remediate" so the pack turns it on.`,
    });
  },
  // Turns rotation on for a rotatable key whose rotation is off (or unknown), and changes nothing else.
  remediate: (key) =>
    rotationCapability(key.type, key.props).kind === "rotatable" && rotationSwitch(key.props).kind !== "on"
      ? { enableKeyRotation: true }
      : undefined,
});
