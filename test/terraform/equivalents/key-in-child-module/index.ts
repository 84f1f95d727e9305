/** The Pulumi twin of test/terraform/fixtures/key-in-child-module: the module's resources, named by their addresses. */
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("module.warehouse_key.aws_kms_key.this", {
  description: "warehouse data key",
  enableKeyRotation: false,
  deletionWindowInDays: 30,
});
new aws.kms.Alias("module.warehouse_key.aws_kms_alias.this", { name: "alias/warehouse", targetKeyId: key.keyId });
new aws.redshift.Cluster("aws_redshift_cluster.warehouse", {
  clusterIdentifier: "warehouse",
  numberOfNodes: 2,
  kmsKeyId: key.arn,
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
