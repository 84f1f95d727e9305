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
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { parseExemptionsConfig, exemptionReason, findExemption, exemptionsOnlySchema } from "../config";
import { ROTATION_SETTING_KEY_TYPES, rotationCapability, rotationSwitch, KEY_TYPES } from "../keyResolution";
import {
  type ResourceArgsLike,
  type Verdict,
  compliant,
  nonCompliant,
  notApplicable,
  rawProps,
  reportResourceVerdict,
  resourceLabel,
  shown,
  unknownInPreview,
} from "../verdict";

export const KMS_KEY_ROTATION_ENABLED = "kms-key-rotation-enabled";

/** The verdict of kms-key-rotation-enabled on one resource (its inputs, as `Analyze` receives them). */
export function evaluateKeyRotationEnabled(
  resource: { urn: string; type: string; name: string; props: Record<string, unknown> },
  rawConfig: unknown,
): Verdict {
  const config = parseExemptionsConfig(KMS_KEY_ROTATION_ENABLED, rawConfig);
  if (!KEY_TYPES.has(resource.type)) return notApplicable(`only KMS keys are checked, this is a ${resource.type}`);
  const exemption = findExemption(config.exemptions, resource);
  if (exemption) return notApplicable(exemptionReason(exemption));
  const props = resource.props;
  const capability = rotationCapability(resource.type, props);
  const switchState = rotationSwitch(props);
  const label = resourceLabel(resource);
  switch (capability.kind) {
    case "not-a-key":
      return notApplicable(`only KMS keys are checked, this is a ${resource.type}`);
    case "replica":
      return notApplicable(`${label} is a Multi-Region replica key: it takes its rotation from its primary key, which this policy checks`);
    case "cannot-rotate":
      return notApplicable(`${label} cannot rotate automatically: ${capability.reason}`);
    case "unknown":
      if (switchState.kind === "on") return compliant;
      return unknownInPreview(
        `${label}: its ${capability.property} is unknown during preview, so whether this key can rotate automatically could not be checked, ` +
          `and enableKeyRotation is ${switchState.kind === "unknown" ? "unknown too" : shown(switchState.found)}; required: true for a key that can rotate. ` +
          `Fix: give ${capability.property} a value known at preview, or set enableKeyRotation: true.`,
      );
    case "rotatable":
      break;
  }
  if (switchState.kind === "on") return compliant;
  if (switchState.kind === "unknown") {
    return unknownInPreview(
      `${label}: enableKeyRotation is unknown during preview, so it could not be checked; required: true. ` +
        `Fix: set enableKeyRotation: true as a literal (or a value known at preview).`,
    );
  }
  return nonCompliant(
    `${label} can rotate automatically but has enableKeyRotation = ${shown(switchState.found)}; required: true. ` +
      `Fix: set enableKeyRotation: true on the key (keyguard's EncryptedRedshiftCluster does), ` +
      `or set this policy's enforcement level to "remediate" so the pack turns it on.`,
  );
}

/**
 * The remediation: turns rotation on for a rotatable key whose rotation is off (or unknown), and
 * changes nothing else. The props are edited through @pulumi/policy's secret-preserving proxy, so
 * secret properties stay secret.
 */
export function remediateKeyRotationEnabled(args: ResourceArgsLike): Record<string, unknown> | undefined {
  const config = parseExemptionsConfig(KMS_KEY_ROTATION_ENABLED, args.getConfig());
  if (!ROTATION_SETTING_KEY_TYPES.has(args.type)) return undefined;
  if (findExemption(config.exemptions, args)) return undefined;
  const props = rawProps(args.props);
  if (rotationCapability(args.type, props).kind !== "rotatable") return undefined;
  if (rotationSwitch(props).kind === "on") return undefined;
  // Assign through the proxy: @pulumi/policy's secret-preserving proxy keeps the bag's secrets secret.
  (args.props as Record<string, unknown>).enableKeyRotation = true;
  return args.props;
}

export const kmsKeyRotationEnabled: ResourceValidationPolicy = {
  name: KMS_KEY_ROTATION_ENABLED,
  description: "KMS keys that can rotate automatically must have enableKeyRotation set to true.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: exemptionsOnlySchema(),
  remediationSteps: "Set enableKeyRotation: true on the aws.kms.Key (or run this policy at enforcement level \"remediate\").",
  validateResource: (args, reportViolation) => {
    const resourceArgs = args as unknown as ResourceArgsLike;
    const verdict = evaluateKeyRotationEnabled({ ...resourceArgs, props: rawProps(args.props) }, args.getConfig());
    reportResourceVerdict(verdict, resourceArgs, reportViolation);
  },
  remediateResource: (args) => remediateKeyRotationEnabled(args as unknown as ResourceArgsLike),
};
