/**
 * redshift-cluster-external-key (stack policy, default level: advisory).
 *
 * What: reports an encrypted Redshift cluster or Serverless namespace whose key is not defined in the
 * stack and not listed in config `trustedKeyArns`. With `verifyExternalKeysLive: true` it asks KMS
 * `GetKeyRotationStatus` (AWS SDK v3, default credential chain and region; the key ARN's region when
 * the reference is an ARN) and reports only keys whose rotation is off or whose period is outside the
 * bounds, and, clearly, every call that fails.
 * Why: a key outside the stack is outside the stack's review; the pack cannot see its rotation, so it
 * says so instead of passing it silently.
 * AWS facts: GetKeyRotationStatus takes a key id or key ARN (an ARN for another account's key), not
 * an alias; it returns KeyRotationEnabled and RotationPeriodInDays (90..2560, default 365).
 * A Multi-Region replica in the stack whose primary is outside it is judged by the primary's ARN.
 * A key taken from another stack's outputs (a StackReference, which the cluster's
 * propertyDependencies.kmsKeyId names) is outside the stack too; when its ARN is not known (the offline
 * gate without the referenced stack's outputs) the verdict says it could not be checked.
 */
import { ALIAS_ARN_PATTERN, KEY_ARN_PATTERN } from "../../facts";
import { describeValue } from "../../messages/describe";
import { type ExternalKeyConfig, externalKeySettings, policyConfig } from "../config";
import { defineStackPolicy } from "../define";
import { CLUSTER_TYPES, encryptionState, resolveClusterKey, rotationPeriodOutOfBounds } from "../keyResolution";
import {
  type LiveRotationStatus,
  type RotationStatusLookup,
  askEachKeyOnce,
  kmsRotationStatusLookup,
} from "../liveRotationStatus";
import { type Verdict, compliant, nonCompliant, notApplicable, resourceLabel, unknownInPreview } from "../verdict";

/** True when a key reference is covered by a trusted ARN (same ARN, its key id, or its alias name). */
export function isTrustedKeyReference(reference: string, trustedKeyArns: readonly string[]): boolean {
  return trustedKeyArns.some((arn) => {
    if (arn === reference) return true;
    if (KEY_ARN_PATTERN.test(arn)) return arn.endsWith(`:key/${reference}`);
    if (ALIAS_ARN_PATTERN.test(arn)) return reference.startsWith("alias/") && arn.endsWith(`:${reference}`);
    return false;
  });
}

/** The verdict on a cluster whose key is outside the stack, once the live status (if asked) is known. */
function judgeExternal(
  label: string,
  reference: string,
  path: string,
  config: ExternalKeyConfig,
  live: LiveRotationStatus | undefined,
): Verdict {
  const key = `key ${describeValue(reference)}`;
  if (isTrustedKeyReference(reference, config.trustedKeyArns)) return compliant;
  if (!config.verifyExternalKeysLive || live === undefined) {
    return nonCompliant({
      found:
        `${label} is encrypted with ${key}${path !== reference ? ` (${path})` : ""}, which is not defined in this stack and not in trustedKeyArns, ` +
        `so its rotation could not be checked`,
      required: "a key from this stack or a trusted, rotating key",
      fix:
        "confirm it rotates (aws kms get-key-rotation-status --key-id <key ARN>) and add its ARN to this policy's trustedKeyArns, " +
        "or set verifyExternalKeysLive: true, or define the key in this stack.",
    });
  }
  if (live.kind === "failed") {
    return nonCompliant({
      found: `${label} is encrypted with ${key}, which is not defined in this stack; verifying it live failed: KMS GetKeyRotationStatus ${live.problem}`,
      required: "a key whose rotation KMS confirms, or a trusted key",
      fix: "make the key readable (kms:GetKeyRotationStatus) with the credentials the preview runs with, or add its ARN to trustedKeyArns.",
    });
  }
  if (!live.keyRotationEnabled) {
    return nonCompliant({
      found: `${label} is encrypted with ${key}, not defined in this stack, whose rotation KMS reports as off (KeyRotationEnabled false)`,
      required: "on",
      fix: "enable rotation on that key (aws kms enable-key-rotation --key-id <key ARN>).",
    });
  }
  const problem =
    live.rotationPeriodInDays === undefined ? undefined : rotationPeriodOutOfBounds(live.rotationPeriodInDays, config);
  if (!problem) return compliant;
  return nonCompliant({
    found: `${label} is encrypted with ${key}, not defined in this stack, whose rotation period KMS reports as out of bounds: RotationPeriodInDays ${problem}`,
    required: `${config.minRotationPeriodInDays} to ${config.maxRotationPeriodInDays} days`,
    fix: "aws kms enable-key-rotation --key-id <key ARN> --rotation-period-in-days <days within the bounds>.",
  });
}

/** The policy, asking KMS through `newLookup()` (one lookup per evaluation; tests pass their own). */
export function externalKeyPolicy(newLookup: () => RotationStatusLookup = kmsRotationStatusLookup) {
  return defineStackPolicy({
    name: "redshift-cluster-external-key",
    description:
      "Encrypted Redshift clusters whose key is outside the stack must use a trusted (or live-verified) rotating key.",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
      "Add the key's ARN to trustedKeyArns once it is known to rotate, enable verifyExternalKeysLive, or define the key in this stack.",
    appliesTo: { types: CLUSTER_TYPES, described: "Redshift clusters and Serverless namespaces" },
    config: policyConfig(externalKeySettings),
    nothingToJudge: "the stack has no encrypted Redshift cluster or namespace whose key is outside the stack",
    evaluate: async (clusters, stack, config) => {
      const resolved = clusters.map((cluster) => ({
        label: resourceLabel(cluster),
        key: encryptionState(cluster).kind === "not-encrypted" ? undefined : resolveClusterKey(cluster, stack),
      }));
      const untrusted = resolved.flatMap(({ key }) =>
        key?.kind === "external" && !isTrustedKeyReference(key.reference, config.trustedKeyArns) ? [key.reference] : [],
      );
      // Each distinct untrusted key id or ARN is asked about once; aliases cannot be.
      const statuses = config.verifyExternalKeysLive
        ? await askEachKeyOnce(untrusted, newLookup())
        : new Map<string, LiveRotationStatus>();
      return resolved.map(({ label, key }): Verdict => {
        if (key === undefined) return notApplicable(`${label} is not encrypted`);
        if (key.kind === "external")
          return judgeExternal(label, key.reference, key.path, config, statuses.get(key.reference));
        if (key.kind === "external-unknown") {
          // pulumi preview reads the referenced stack's outputs; only a run without them gets here.
          return unknownInPreview({
            found: `${label} is encrypted with a key from ${key.source}, outside this stack, whose ARN is not known here, so it could not be checked against trustedKeyArns or verified live`,
            required: "a trusted or live-verified rotating key",
            fix: "give the referenced stack's outputs (keyguard check --stack-outputs FILE), or judge it with pulumi preview --policy-pack.",
          });
        }
        const where =
          key.kind === "in-stack"
            ? "defined in this stack"
            : key.kind === "unknown"
              ? "unknown (redshift-cluster-key-rotated reports it)"
              : "not customer-managed (redshift-cluster-encrypted reports it)";
        return notApplicable(`${label}'s key is ${where}`);
      });
    },
  });
}

export const redshiftClusterExternalKey = externalKeyPolicy();
