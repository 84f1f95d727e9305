/** The Pulumi twin of test/terraform/fixtures/external-key-variable (the variable's value from terraform.tfvars). */
import * as aws from "@pulumi/aws";

new aws.redshift.Cluster("aws_redshift_cluster.ingest", {
  clusterIdentifier: "ingest",
  kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/mrk-0f1e2d3c4b5a69788796a5b4c3d2e1f0",
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
