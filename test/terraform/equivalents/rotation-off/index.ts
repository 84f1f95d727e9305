/** The Pulumi twin of test/terraform/fixtures/rotation-off/main.tf. */
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("aws_kms_key.events", {
  description: "Redshift events cluster key",
  enableKeyRotation: false,
});
new aws.redshift.Cluster("aws_redshift_cluster.events", {
  clusterIdentifier: "events",
  kmsKeyId: key.arn,
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
