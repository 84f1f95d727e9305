/**
 * redshift-cluster-rotation-on-key-change (stack policy, default level: advisory).
 *
 * What: reports an encrypted Redshift cluster in the stack that has no keyguard `RedshiftKeyRotation`
 * resource (type `pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation`) bound to it: one whose
 * `clusterIdentifier` equals the cluster's, or which depends on the cluster.
 * Why: KMS rotation renews the key material of the KMS key, but Redshift's own cluster and database
 * encryption keys only change on RotateEncryptionKey; the RedshiftKeyRotation resource runs it when
 * the key changes and waits for the cluster to be available again.
 * AWS fact: RotateEncryptionKey works on provisioned clusters (not Serverless namespaces), so only
 * `aws:redshift/cluster:Cluster` and `aws-native:redshift:Cluster` are checked.
 */
import { RESOURCE_TYPES, isAwsManagedRedshiftKeyReference } from "../../facts";
import { policyConfig } from "../config";
import { defineStackPolicy } from "../define";
import { PROVISIONED_CLUSTER_TYPES, type ResourceView, encryptionState } from "../keyResolution";
import type { StackLookup } from "../stack";
import {
  type Verdict,
  compliant,
  nonCompliant,
  notApplicable,
  readString,
  resourceLabel,
  unknownInPreview,
} from "../verdict";

/** The verdict on one cluster, from the stack's RedshiftKeyRotation resources (indexed: see ../stack). */
function judgeCluster(cluster: ResourceView, stack: StackLookup): Verdict {
  const label = resourceLabel(cluster);
  if (encryptionState(cluster).kind === "not-encrypted")
    return notApplicable(`${label} is not encrypted (redshift-cluster-encrypted reports that)`);
  // A RedshiftKeyRotation re-keys on a change of the cluster's customer-managed key: with none, there
  // is nothing to act on yet (redshift-cluster-encrypted asks for the key first).
  const keyId = readString(cluster.props, "kmsKeyId");
  if (keyId.kind === "absent" || (keyId.kind === "string" && isAwsManagedRedshiftKeyReference(keyId.value))) {
    return notApplicable(
      `${label} has no customer-managed key, so there is no key change to re-key on (redshift-cluster-encrypted reports the missing key)`,
    );
  }
  if (stack.rotationsDependingOn(cluster.urn).length > 0) return compliant;
  const identifier = readString(cluster.props, "clusterIdentifier");
  if (identifier.kind === "string" && stack.rotationsWithIdentifier(identifier.value).length > 0) return compliant;
  const rotations = stack.rotationSummary();
  if ((identifier.kind === "unknown" || rotations.someIdentifierUnknown) && rotations.count > 0) {
    return unknownInPreview({
      found: `${label}: no RedshiftKeyRotation depends on it, and a clusterIdentifier is unknown during preview, so whether one is bound to it could not be checked`,
      required: "a RedshiftKeyRotation bound to it",
      fix: "create the RedshiftKeyRotation with clusterIdentifier: cluster.clusterIdentifier, so it depends on the cluster.",
    });
  }
  const withIdentifier =
    identifier.kind === "string" ? ` with clusterIdentifier ${JSON.stringify(identifier.value)}` : "";
  return nonCompliant({
    found: `${label} has no RedshiftKeyRotation (${RESOURCE_TYPES.redshiftKeyRotation}) bound to it (none${withIdentifier} and none depending on it; found ${rotations.count} in the stack)`,
    required: "one",
    fix: "add keyguard's RedshiftKeyRotation with clusterIdentifier: cluster.clusterIdentifier (EncryptedRedshiftCluster adds it), so Redshift re-keys when the KMS key changes.",
  });
}

export const redshiftClusterRotationOnKeyChange = defineStackPolicy({
  name: "redshift-cluster-rotation-on-key-change",
  description:
    "Encrypted Redshift clusters should have a keyguard RedshiftKeyRotation bound to them, so Redshift re-keys when the KMS key changes.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps:
    "Add keyguard's RedshiftKeyRotation for the cluster (clusterIdentifier: cluster.clusterIdentifier).",
  appliesTo: { types: PROVISIONED_CLUSTER_TYPES, described: "provisioned Redshift clusters" },
  config: policyConfig(),
  nothingToJudge: "the stack has no encrypted provisioned Redshift cluster with a customer-managed key",
  evaluate: (clusters, stack) => clusters.map((cluster) => judgeCluster(cluster, stack)),
});
