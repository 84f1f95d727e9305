/** The Pulumi twin of test/terraform/fixtures/key-behind-alias/main.tf. */
import * as aws from "@pulumi/aws";

const reportsKey = new aws.kms.Key("aws_kms_key.reports", { enableKeyRotation: true, rotationPeriodInDays: 180 });
const reports = new aws.kms.Alias("aws_kms_alias.reports", {
  name: "alias/redshift/reports",
  targetKeyId: reportsKey.keyId,
});
const financeKey = new aws.kms.Key("aws_kms_key.finance", { description: "Finance warehouse key" });
const finance = new aws.kms.Alias("aws_kms_alias.finance", {
  name: "alias/redshift/finance",
  targetKeyId: financeKey.arn,
});
new aws.redshift.Cluster("aws_redshift_cluster.reports", {
  clusterIdentifier: "reports",
  kmsKeyId: reports.arn,
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
new aws.redshift.Cluster("aws_redshift_cluster.finance", {
  clusterIdentifier: "finance",
  kmsKeyId: finance.arn,
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
