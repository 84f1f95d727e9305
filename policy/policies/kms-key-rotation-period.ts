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
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { boundsSchema, exemptionReason, findExemption, parseBoundsConfig } from "../config";
import { KEY_TYPES, checkRotationPeriod, rotationCapability, rotationSwitch } from "../keyResolution";
import {
  type ResourceArgsLike,
  type Verdict,
  compliant,
  nonCompliant,
  notApplicable,
  rawProps,
  reportResourceVerdict,
  resourceLabel,
  unknownInPreview,
} from "../verdict";

export const KMS_KEY_ROTATION_PERIOD = "kms-key-rotation-period";

/** The verdict of kms-key-rotation-period on one resource (its inputs, as `Analyze` receives them). */
export function evaluateKeyRotationPeriod(
  resource: { urn: string; type: string; name: string; props: Record<string, unknown> },
  rawConfig: unknown,
): Verdict {
  const config = parseBoundsConfig(KMS_KEY_ROTATION_PERIOD, rawConfig);
  if (!KEY_TYPES.has(resource.type)) return notApplicable(`only KMS keys are checked, this is a ${resource.type}`);
  const exemption = findExemption(config.exemptions, resource);
  if (exemption) return notApplicable(exemptionReason(exemption));
  const label = resourceLabel(resource);
  const capability = rotationCapability(resource.type, resource.props);
  if (capability.kind === "replica") return notApplicable(`${label} is a Multi-Region replica key: its rotation period is its primary key's`);
  if (capability.kind === "cannot-rotate") return notApplicable(`${label} cannot rotate automatically: ${capability.reason}`);
  if (capability.kind === "not-a-key") return notApplicable(`only KMS keys are checked, this is a ${resource.type}`);
  const switchState = rotationSwitch(resource.props);
  // A key with rotation off is kms-key-rotation-enabled's finding; its period does not apply yet.
  if (switchState.kind === "off") return notApplicable(`${label} does not rotate (kms-key-rotation-enabled reports that), so it has no rotation period to check`);
  const period = checkRotationPeriod(resource.props, config);
  if (period.kind === "ok") {
    if (capability.kind === "unknown" && switchState.kind === "unknown") {
      return unknownInPreview(`${label}: its ${capability.property} and enableKeyRotation are unknown during preview, so whether it rotates could not be checked; its period (${period.days} days) is within bounds; required: rotation on. Fix: give ${capability.property} and enableKeyRotation values known at preview.`);
    }
    return compliant;
  }
  if (period.kind === "unknown") {
    return unknownInPreview(
      `${label}: rotationPeriodInDays is unknown during preview, so it could not be checked; required: a whole number of days from ${config.minRotationPeriodInDays} to ${config.maxRotationPeriodInDays}. ` +
        `Fix: give rotationPeriodInDays a value known at preview.`,
    );
  }
  return nonCompliant(
    `${label} has a rotation period that is not allowed: rotationPeriodInDays ${period.problem}; required: ${config.minRotationPeriodInDays} to ${config.maxRotationPeriodInDays} days. ` +
      `Fix: set rotationPeriodInDays to a whole number of days in that range (unset means AWS's default of 365).`,
  );
}

export const kmsKeyRotationPeriod: ResourceValidationPolicy = {
  name: KMS_KEY_ROTATION_PERIOD,
  description: "Rotating KMS keys must rotate within AWS's limits and this pack's configured period bounds.",
  enforcementLevel: "mandatory",
  severity: "medium",
  configSchema: boundsSchema(),
  remediationSteps: "Set rotationPeriodInDays on the aws.kms.Key to a whole number of days within the configured bounds.",
  validateResource: (args, reportViolation) => {
    const resourceArgs = args as unknown as ResourceArgsLike;
    const verdict = evaluateKeyRotationPeriod({ ...resourceArgs, props: rawProps(args.props) }, args.getConfig());
    reportResourceVerdict(verdict, resourceArgs, reportViolation);
  },
};
