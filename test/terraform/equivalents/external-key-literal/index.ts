/** The Pulumi twin of test/terraform/fixtures/external-key-literal/main.tf. */
import * as aws from "@pulumi/aws";

new aws.redshift.Cluster("aws_redshift_cluster.shared", {
  clusterIdentifier: "shared",
  kmsKeyId: "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
