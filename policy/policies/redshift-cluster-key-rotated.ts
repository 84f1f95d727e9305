/**
 * redshift-cluster-key-rotated (stack policy, default level: mandatory).
 *
 * What: rejects an encrypted Redshift cluster or Serverless namespace whose KMS key, defined in the
 * same stack, cannot rotate automatically, has rotation off, or has a rotation period outside AWS's
 * 90..2560 days or the configured bounds (default 90..365).
 * Why: "encrypted" is only as good as the key's rotation; the other tools stop at the key, this one
 * follows the cluster to its key (through aliases and Multi-Region replicas).
 * AWS facts: only symmetric keys with KMS-generated material outside custom key stores rotate
 * automatically, so a cluster encrypted with an asymmetric, HMAC, imported-material or custom-key-store
 * key IS a violation here (while those keys are "not applicable" to the key policies). A replica key
 * rotates with its primary, so a cluster under a replica is judged by the primary when it is in the stack.
 * Unknowns: the key is found through `propertyDependencies.kmsKeyId` first, which works during
 * preview while the key's ARN is unknown; a key reference that is unknown and comes from no key in
 * the stack, or a key property unknown during preview, is reported by name, never passed.
 */
import { type BoundsConfig, boundsSettings, policyConfig } from "../config";
import { defineStackPolicy } from "../define";
import {
  CLUSTER_TYPES,
  type ResourceView,
  checkRotationPeriod,
  encryptionState,
  resolveClusterKey,
  rotationCapability,
  rotationSwitch,
} from "../keyResolution";
import type { StackLookup } from "../stack";
import { DEFAULT_KEY_ROTATION } from "../../facts";
import {
  type Verdict,
  compliant,
  nonCompliant,
  notApplicable,
  resourceLabel,
  shownSetting,
  unknownInPreview,
} from "../verdict";

function judgeKey(clusterLabel: string, key: ResourceView, path: string, config: BoundsConfig): Verdict {
  const via = `${path} (${key.urn})`;
  const encryptedWith = `${clusterLabel} is encrypted with ${via}`;
  const capability = rotationCapability(key.type, key.props);
  if (capability.kind === "cannot-rotate") {
    return nonCompliant({
      found: `${encryptedWith}, which cannot rotate automatically: ${capability.reason}`,
      required:
        "a symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT) with KMS-generated material and rotation on",
      fix: "encrypt the cluster with such a key (keyguard's EncryptedRedshiftCluster creates one).",
    });
  }
  if (capability.kind === "unknown") {
    return unknownInPreview({
      found: `${encryptedWith}, whose ${capability.property} is unknown during preview, so whether that key can rotate could not be checked`,
      required: "a symmetric key with KMS-generated material",
      fix: `give ${capability.property} a value known at preview (or leave it unset for a symmetric key).`,
    });
  }
  if (capability.kind !== "rotatable") {
    return unknownInPreview({
      found: `${clusterLabel}: the key ${via} is a ${key.type} whose rotation this pack cannot judge`,
      required: "a key that rotates",
      fix: "encrypt the cluster with an aws.kms.Key that has enableKeyRotation: true.",
    });
  }
  const switchState = rotationSwitch(key.props);
  const period = checkRotationPeriod(key.props, config);
  const allowedDays = `${config.minRotationPeriodInDays} to ${config.maxRotationPeriodInDays} days`;
  if (switchState.kind === "off") {
    // Both things to fix on the key in one finding: turning rotation on alone would fail the next run.
    const rotation = `whose enableKeyRotation is ${shownSetting(switchState.found, DEFAULT_KEY_ROTATION)}`;
    if (period.kind === "bad") {
      return nonCompliant({
        found: `${encryptedWith}, ${rotation} and whose rotationPeriodInDays ${period.problem}`,
        required: `enableKeyRotation true and rotationPeriodInDays ${allowedDays}`,
        fix: "set enableKeyRotation: true and rotationPeriodInDays within those bounds on that key.",
      });
    }
    return nonCompliant({
      found: `${encryptedWith}, ${rotation}`,
      required: "true",
      fix: "set enableKeyRotation: true on that key.",
    });
  }
  if (switchState.kind === "unknown") {
    return unknownInPreview({
      found: `${encryptedWith}, whose enableKeyRotation is unknown during preview, so its rotation could not be checked`,
      required: "true",
      fix: "set enableKeyRotation: true as a literal on that key.",
    });
  }
  if (period.kind === "bad")
    return nonCompliant({
      found: `${encryptedWith}, whose rotationPeriodInDays ${period.problem}`,
      required: allowedDays,
      fix: "set rotationPeriodInDays on that key within those bounds.",
    });
  if (period.kind === "unknown") {
    return unknownInPreview({
      found: `${encryptedWith}, whose rotationPeriodInDays is unknown during preview, so it could not be checked`,
      required: allowedDays,
      fix: "give rotationPeriodInDays a value known at preview.",
    });
  }
  return compliant;
}

function judgeCluster(cluster: ResourceView, stack: StackLookup, config: BoundsConfig): Verdict {
  const label = resourceLabel(cluster);
  if (encryptionState(cluster).kind === "not-encrypted")
    return notApplicable(`${label} is not encrypted (redshift-cluster-encrypted reports that)`);
  const resolution = resolveClusterKey(cluster, stack);
  switch (resolution.kind) {
    case "none":
    case "aws-managed":
      return notApplicable(`${label} names no customer-managed key (redshift-cluster-encrypted reports that)`);
    case "external":
      return notApplicable(
        `${label}'s key ${resolution.path} is not defined in this stack (redshift-cluster-external-key checks it)`,
      );
    case "external-unknown":
      return notApplicable(
        `${label}'s key comes from ${resolution.source}, not from this stack (redshift-cluster-external-key checks it)`,
      );
    case "unknown":
      return unknownInPreview({
        found: `${label}: the key that encrypts it could not be checked: ${resolution.why}`,
        required: "a kmsKeyId that names a key whose rotation can be checked",
        fix: "set kmsKeyId from a key or alias defined in this stack (e.g. key.arn), or to a literal key ARN.",
      });
    case "in-stack": {
      const verdicts = resolution.keys.map(({ key, path }) => judgeKey(label, key, path, config));
      return (
        verdicts.find((v) => v.kind === "non-compliant") ??
        verdicts.find((v) => v.kind === "unknown-in-preview") ??
        compliant
      );
    }
  }
}

export const redshiftClusterKeyRotated = defineStackPolicy({
  name: "redshift-cluster-key-rotated",
  description:
    "Encrypted Redshift clusters and namespaces must use a key from this stack that rotates within the configured period.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Encrypt the cluster with a symmetric aws.kms.Key that has enableKeyRotation: true and rotationPeriodInDays within the bounds.",
  appliesTo: { types: CLUSTER_TYPES, described: "Redshift clusters and Serverless namespaces" },
  config: policyConfig(boundsSettings),
  nothingToJudge: "the stack has no Redshift cluster or namespace encrypted with a key of this stack",
  evaluate: (clusters, stack, config) => clusters.map((cluster) => judgeCluster(cluster, stack, config)),
});
