/** The Pulumi twin of test/terraform/fixtures/unknown-in-plan/main.tf: values from another key's outputs, unknown in preview. */
import * as aws from "@pulumi/aws";

const primary = new aws.kms.Key("aws_kms_key.primary", { enableKeyRotation: true });
const warehouse = new aws.kms.Key("aws_kms_key.warehouse", {
  enableKeyRotation: true,
  rotationPeriodInDays: primary.rotationPeriodInDays,
});
const ledger = new aws.kms.Key("aws_kms_key.ledger", {
  enableKeyRotation: primary.rotationPeriodInDays.apply((days) => days !== undefined),
});
new aws.redshift.Cluster("aws_redshift_cluster.warehouse", {
  clusterIdentifier: "warehouse",
  kmsKeyId: warehouse.arn,
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
new aws.redshift.Cluster("aws_redshift_cluster.ledger", {
  clusterIdentifier: "ledger",
  kmsKeyId: ledger.arn,
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
