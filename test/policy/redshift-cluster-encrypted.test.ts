/**
 * redshift-cluster-encrypted, called as the engine calls it (test/support/policyArgs.ts), from a
 * compliant baseline (an aws.redshift.Cluster encrypted with a customer-managed key's ARN), one
 * change per case.
 */
import { describe, it, test } from "vitest";
import { RESOURCE_TYPES } from "../../facts";
import { UNKNOWN } from "../../engine";
import { redshiftClusterEncrypted } from "../../policy/policies/redshift-cluster-encrypted";
import { ARN, type Change, type Expected, baselineRunner, expectOutcome } from "../support/policyCases";

const BASELINE = { encrypted: "true", kmsKeyId: ARN("k1") };

const run = baselineRunner(redshiftClusterEncrypted, "c", { type: RESOURCE_TYPES.redshiftCluster, props: BASELINE });

const notEncrypted: Expected = { violation: "is not encrypted" };
const notCustomerManaged: Expected = { violation: "required: a customer-managed KMS key" };

describe("redshift-cluster-encrypted", () => {
  it("passes the baseline: encrypted \"true\" (@pulumi/aws 7's string) with a customer-managed key's ARN", async () => {
    expectOutcome(await run(), "compliant");
  });

  test.each<[string, Change, Expected]>([
    [
      "passes encrypted true with an alias name",
      { props: { encrypted: true, kmsKeyId: "alias/data" } },
      "no violation",
    ],
    [
      "passes an aws-native cluster encrypted true",
      { props: { encrypted: true }, type: RESOURCE_TYPES.nativeRedshiftCluster },
      "no violation",
    ],
    ['rejects encrypted "false"', { props: { encrypted: "false" } }, notEncrypted],
    ["rejects encrypted false", { props: { encrypted: false } }, notEncrypted],
    ['rejects encrypted "yes"', { props: { encrypted: "yes" } }, notEncrypted],
    [
      "rejects an aws-native cluster with encrypted false",
      { props: { encrypted: false }, type: RESOURCE_TYPES.nativeRedshiftCluster },
      notEncrypted,
    ],
    [
      "rejects an aws-native cluster that leaves encrypted out (no provider default)",
      { props: { encrypted: undefined }, type: RESOURCE_TYPES.nativeRedshiftCluster },
      notEncrypted,
    ],
    [
      'takes @pulumi/aws 7\'s default ("true") for an aws.redshift.Cluster that leaves encrypted out, as its Check does',
      { props: { encrypted: undefined } },
      "no violation",
    ],
    ["takes the default for encrypted null too", { props: { encrypted: null } }, "no violation"],
    [
      "rejects a cluster encrypted by default but with no kmsKeyId (the AWS-managed key)",
      { props: { encrypted: undefined, kmsKeyId: undefined } },
      { violation: "has no kmsKeyId" },
    ],
    ["rejects a missing kmsKeyId", { props: { kmsKeyId: undefined } }, notCustomerManaged],
    ["rejects an empty kmsKeyId", { props: { kmsKeyId: "" } }, notCustomerManaged],
    ["rejects alias/aws/redshift", { props: { kmsKeyId: "alias/aws/redshift" } }, notCustomerManaged],
    [
      "rejects alias/aws/redshift with spaces around it",
      { props: { kmsKeyId: " alias/aws/redshift " } },
      notCustomerManaged,
    ],
    [
      "rejects the alias ARN of alias/aws/redshift",
      { props: { kmsKeyId: "arn:aws:kms:eu-west-1:111122223333:alias/aws/redshift" } },
      notCustomerManaged,
    ],
    [
      "rejects the alias ARN of alias/aws/redshift in another partition",
      { props: { kmsKeyId: "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/aws/redshift" } },
      notCustomerManaged,
    ],
    [
      "rejects a Serverless namespace with no kmsKeyId (an AWS-owned key)",
      { props: { encrypted: undefined, kmsKeyId: undefined }, type: RESOURCE_TYPES.redshiftServerlessNamespace },
      { violation: "AWS-owned key" },
    ],
    [
      "passes a Serverless namespace with a customer-managed kmsKeyId",
      { props: { encrypted: undefined }, type: RESOURCE_TYPES.redshiftServerlessNamespace },
      "no violation",
    ],
    [
      "defers a kmsKeyId unknown in preview to redshift-cluster-key-rotated",
      { props: { kmsKeyId: UNKNOWN.string } },
      "no violation",
    ],
    [
      "reports encrypted unknown in preview, at the policy's level",
      { props: { encrypted: UNKNOWN.string } },
      { violation: "encrypted is unknown during preview" },
    ],
    [
      "does not apply to keys",
      { props: { encrypted: undefined, kmsKeyId: undefined }, type: RESOURCE_TYPES.kmsKey },
      { notApplicable: "only Redshift clusters" },
    ],
  ])("%s", async (_title, change, expected) => {
    expectOutcome(await run(change), expected);
  });
});
