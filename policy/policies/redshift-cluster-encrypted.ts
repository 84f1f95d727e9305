/**
 * redshift-cluster-encrypted (resource policy, default level: mandatory).
 *
 * What: rejects a Redshift cluster that is not encrypted, or that names no customer-managed KMS key
 * (no `kmsKeyId`, or the AWS-managed `alias/aws/redshift` as alias name or alias ARN); and a Redshift
 * Serverless namespace with no customer-managed `kmsKeyId`.
 * Why: only a customer-managed key lets the stack decide and prove how the key rotates; the
 * AWS-managed key's rotation is AWS's, and an unencrypted cluster has nothing to rotate.
 * AWS/Pulumi facts: in @pulumi/aws 7 `encrypted` is the string "true"/"false" (aws-native: a boolean);
 * Redshift falls back to the AWS-managed key when `kmsKeyId` is empty; Serverless namespaces are
 * always encrypted, with an AWS-owned key unless `kmsKeyId` is set.
 * Unknowns: `encrypted` unknown during preview is reported (it could not be checked). A `kmsKeyId`
 * unknown during preview is set (to something computed, normally a key's ARN); which key it is and
 * whether that key rotates is decided by redshift-cluster-key-rotated from the stack's dependencies.
 */
import { RESOURCE_TYPES, isAwsManagedRedshiftKeyReference } from "../../facts";
import { describeValue } from "../../messages/describe";
import { policyConfig } from "../config";
import { defineResourcePolicy } from "../define";
import { CLUSTER_TYPES, encryptionState } from "../keyResolution";
import { compliant, nonCompliant, readString, resourceLabel, shown, unknownInPreview } from "../verdict";

export const redshiftClusterEncrypted = defineResourcePolicy({
  name: "redshift-cluster-encrypted",
  description: "Redshift clusters and Serverless namespaces must be encrypted with a customer-managed KMS key.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set encrypted: true and kmsKeyId to a customer-managed KMS key's ARN (not alias/aws/redshift).",
  appliesTo: { types: CLUSTER_TYPES, described: "Redshift clusters and Serverless namespaces" },
  config: policyConfig(),
  evaluate: (cluster) => {
    const label = resourceLabel(cluster);
    const encryption = encryptionState(cluster);
    if (encryption.kind === "not-encrypted") {
      return nonCompliant({
        found: `${label} is not encrypted: encrypted is ${shown(encryption.found)}`,
        required: `${cluster.type === RESOURCE_TYPES.redshiftCluster ? '"true"' : "true"}, with kmsKeyId naming a customer-managed KMS key`,
        fix: "set encrypted: true and kmsKeyId to your key's ARN (keyguard's EncryptedRedshiftCluster does both).",
      });
    }
    const key = readString(cluster.props, "kmsKeyId");
    const fix =
      "set kmsKeyId to the ARN of a customer-managed aws.kms.Key with rotation on (keyguard's EncryptedRedshiftCluster creates one).";
    const customerManaged = "a customer-managed KMS key";
    if (key.kind === "absent") {
      const what =
        cluster.type === RESOURCE_TYPES.redshiftServerlessNamespace
          ? "it is encrypted with an AWS-owned key"
          : "Redshift uses the AWS-managed key alias/aws/redshift";
      return nonCompliant({ found: `${label} has no kmsKeyId, so ${what}`, required: customerManaged, fix });
    }
    if (key.kind === "other")
      return nonCompliant({
        found: `${label} has kmsKeyId ${describeValue(key.value)}`,
        required: "a KMS key ARN, key id, alias name or alias ARN of a customer-managed key",
        fix,
      });
    if (key.kind === "string" && isAwsManagedRedshiftKeyReference(key.value)) {
      return nonCompliant({
        found: `${label} has kmsKeyId ${describeValue(key.value)}, the AWS-managed Redshift key`,
        required: customerManaged,
        fix,
      });
    }
    if (encryption.kind === "unknown") {
      return unknownInPreview({
        found: `${label}: encrypted is unknown during preview, so whether the cluster is encrypted could not be checked`,
        required: '"true"',
        fix: "set encrypted to a literal true (or a value known at preview).",
      });
    }
    return compliant;
  },
});
