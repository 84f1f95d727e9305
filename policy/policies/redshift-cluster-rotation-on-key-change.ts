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
import type { StackValidationPolicy } from "@pulumi/policy";
import { RESOURCE_TYPES } from "../../facts";
import { type ExemptionsConfig, exemptionReason, exemptionsOnlySchema, findExemption, parseExemptionsConfig } from "../config";
import { PROVISIONED_CLUSTER_TYPES, type ResourceView, encryptionState } from "../keyResolution";
import { type StackArgsLike, type StackVerdict, reportStackVerdicts, stackContext } from "../stack";
import { type Verdict, compliant, nonCompliant, notApplicable, readString, resourceLabel, unknownInPreview } from "../verdict";

export const REDSHIFT_CLUSTER_ROTATION_ON_KEY_CHANGE = "redshift-cluster-rotation-on-key-change";

function dependsOn(resource: ResourceView, urn: string): boolean {
  if (resource.dependencyUrns.includes(urn)) return true;
  return Object.values(resource.propertyDependencyUrns).some((urns) => urns.includes(urn));
}

/** The verdict on one cluster, given the stack's RedshiftKeyRotation resources. */
export function evaluateRotationBound(cluster: ResourceView, rotations: readonly ResourceView[], config: ExemptionsConfig): Verdict {
  if (!PROVISIONED_CLUSTER_TYPES.has(cluster.type)) return notApplicable(`only provisioned Redshift clusters are checked, this is a ${cluster.type}`);
  const exemption = findExemption(config.exemptions, cluster);
  if (exemption) return notApplicable(exemptionReason(exemption));
  const label = resourceLabel(cluster);
  if (encryptionState(cluster).kind === "not-encrypted") return notApplicable(`${label} is not encrypted (redshift-cluster-encrypted reports that)`);
  const identifier = readString(cluster.props, "clusterIdentifier");
  let someIdentifierUnknown = identifier.kind === "unknown";
  for (const rotation of rotations) {
    if (dependsOn(rotation, cluster.urn)) return compliant;
    const bound = readString(rotation.props, "clusterIdentifier");
    if (bound.kind === "unknown") someIdentifierUnknown = true;
    if (identifier.kind === "string" && bound.kind === "string" && bound.value === identifier.value) return compliant;
  }
  if (someIdentifierUnknown && rotations.length > 0) {
    return unknownInPreview(
      `${label}: no RedshiftKeyRotation depends on it, and a clusterIdentifier is unknown during preview, so whether one is bound to it could not be checked; required: a RedshiftKeyRotation bound to it. ` +
        `Fix: create the RedshiftKeyRotation with clusterIdentifier: cluster.clusterIdentifier, so it depends on the cluster.`,
    );
  }
  const found = identifier.kind === "string" ? ` with clusterIdentifier ${JSON.stringify(identifier.value)}` : "";
  return nonCompliant(
    `${label} has no RedshiftKeyRotation (${RESOURCE_TYPES.redshiftKeyRotation}) bound to it (none${found} and none depending on it; found ${rotations.length} in the stack); required: one. ` +
      `Fix: add keyguard's RedshiftKeyRotation with clusterIdentifier: cluster.clusterIdentifier (EncryptedRedshiftCluster adds it), so Redshift re-keys when the KMS key changes.`,
  );
}

export function evaluateStackRotationBound(resources: StackArgsLike["resources"], rawConfig: unknown): StackVerdict[] {
  const config = parseExemptionsConfig(REDSHIFT_CLUSTER_ROTATION_ON_KEY_CHANGE, rawConfig);
  const { views } = stackContext(resources);
  const rotations = views.filter((view) => view.type === RESOURCE_TYPES.redshiftKeyRotation);
  return views.filter((view) => PROVISIONED_CLUSTER_TYPES.has(view.type)).map((resource) => ({ resource, verdict: evaluateRotationBound(resource, rotations, config) }));
}

export const redshiftClusterRotationOnKeyChange: StackValidationPolicy = {
  name: REDSHIFT_CLUSTER_ROTATION_ON_KEY_CHANGE,
  description: "Encrypted Redshift clusters should have a keyguard RedshiftKeyRotation bound to them, so Redshift re-keys when the KMS key changes.",
  enforcementLevel: "advisory",
  severity: "low",
  configSchema: exemptionsOnlySchema(),
  remediationSteps: "Add keyguard's RedshiftKeyRotation for the cluster (clusterIdentifier: cluster.clusterIdentifier).",
  validateStack: (args, reportViolation) => {
    const stackArgs = args as unknown as StackArgsLike;
    const verdicts = evaluateStackRotationBound(stackArgs.resources, args.getConfig());
    reportStackVerdicts(verdicts, stackArgs, reportViolation, "the stack has no encrypted provisioned Redshift cluster");
  },
};
