/** The Pulumi twin of test/terraform/fixtures/period-out-of-bounds/main.tf. */
import * as aws from "@pulumi/aws";

const billing = new aws.kms.Key("aws_kms_key.billing", { enableKeyRotation: true, rotationPeriodInDays: 730 });
new aws.kms.Key("aws_kms_key.archive", { enableKeyRotation: true, rotationPeriodInDays: 2560 });
new aws.redshift.Cluster("aws_redshift_cluster.billing", {
  clusterIdentifier: "billing",
  kmsKeyId: billing.arn,
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
