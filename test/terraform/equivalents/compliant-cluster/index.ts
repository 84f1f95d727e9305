/** The Pulumi twin of test/terraform/fixtures/compliant-cluster/main.tf. */
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("aws_kms_key.warehouse", {
  description: "Redshift key",
  enableKeyRotation: true,
  deletionWindowInDays: 30,
});
new aws.kms.Alias("aws_kms_alias.warehouse", { name: "alias/analytics-prod", targetKeyId: key.keyId });
new aws.redshift.Cluster("aws_redshift_cluster.warehouse", {
  clusterIdentifier: "analytics-prod",
  numberOfNodes: 2,
  kmsKeyId: key.arn,
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
