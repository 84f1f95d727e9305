/** The Pulumi twin of test/terraform/fixtures/module-input-key. */
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("aws_kms_key.shared", { enableKeyRotation: true, rotationPeriodInDays: 90 });
new aws.redshift.Cluster("module.warehouse.aws_redshift_cluster.this", {
  clusterIdentifier: "platform-warehouse",
  numberOfNodes: 2,
  clusterType: "multi-node",
  kmsKeyId: key.arn,
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
