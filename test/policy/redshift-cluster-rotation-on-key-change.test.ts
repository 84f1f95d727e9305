/**
 * redshift-cluster-rotation-on-key-change, called as the engine calls AnalyzeStack
 * (test/support/policyArgs.ts), from a compliant baseline (an encrypted cluster and a
 * RedshiftKeyRotation with its clusterIdentifier), one change per case.
 */
import { describe, it, test } from "vitest";
import { RESOURCE_TYPES } from "../../facts";
import { type AnalyzerStackResource, UNKNOWN } from "../../engine";
import { redshiftClusterRotationOnKeyChange } from "../../policy/policies/redshift-cluster-rotation-on-key-change";
import { runStackPolicy } from "../support/policyArgs";
import { ARN, type Expected, type Links, cluster, expectOutcome, resource } from "../support/policyCases";

const c = cluster("c", { encrypted: "true", kmsKeyId: ARN("k") });
const rotation = (properties: Record<string, unknown>, links?: Links) =>
  resource(RESOURCE_TYPES.redshiftKeyRotation, "rot", properties, links);
const run = (resources: AnalyzerStackResource[]) => runStackPolicy(redshiftClusterRotationOnKeyChange, resources);

describe("redshift-cluster-rotation-on-key-change", () => {
  it("passes the baseline: a RedshiftKeyRotation bound by clusterIdentifier", async () => {
    expectOutcome(await run([c, rotation({ clusterIdentifier: "c" })]), "compliant");
  });

  test.each<[string, AnalyzerStackResource[], Expected]>([
    [
      "passes a rotation whose clusterIdentifier is unknown but which depends on the cluster",
      [c, rotation({ clusterIdentifier: UNKNOWN.string }, { dependencies: [c.urn] })],
      "no violation",
    ],
    [
      "passes a rotation bound through propertyDependencies.clusterIdentifier",
      [c, rotation({ clusterIdentifier: UNKNOWN.string }, { propertyDependencies: { clusterIdentifier: [c.urn] } })],
      "no violation",
    ],
    [
      "reports an encrypted cluster with no RedshiftKeyRotation",
      [c],
      {
        violation:
          'no RedshiftKeyRotation (pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation) bound to it (none with clusterIdentifier "c"',
      },
    ],
    [
      "reports a cluster whose only rotation is bound to another cluster",
      [c, rotation({ clusterIdentifier: "other" })],
      { violation: "required: one" },
    ],
    [
      "reports a rotation whose clusterIdentifier is unknown and which does not depend on the cluster",
      [c, rotation({ clusterIdentifier: UNKNOWN.string })],
      { violation: "clusterIdentifier is unknown during preview" },
    ],
    ["does not check an unencrypted cluster", [cluster("c", { encrypted: "false" })], { notApplicable: "" }],
    [
      "does not ask for a rotation on a cluster with no customer-managed key (nothing to re-key on yet)",
      [cluster("c", { encrypted: "true", kmsKeyId: undefined })],
      { notApplicable: "with a customer-managed key" },
    ],
    [
      "does not ask for a rotation on a cluster under the AWS-managed key",
      [cluster("c", { encrypted: "true", kmsKeyId: "alias/aws/redshift" })],
      { notApplicable: "with a customer-managed key" },
    ],
    [
      "does not check a Serverless namespace (RotateEncryptionKey is for provisioned clusters)",
      [resource(RESOURCE_TYPES.redshiftServerlessNamespace, "ns", { kmsKeyId: ARN("k") })],
      { notApplicable: "" },
    ],
  ])("%s", async (_title, resources, expected) => {
    expectOutcome(await run(resources), expected);
  });
});
