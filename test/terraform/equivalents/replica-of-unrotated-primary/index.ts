/** The Pulumi twin of test/terraform/fixtures/replica-of-unrotated-primary/main.tf. */
import * as aws from "@pulumi/aws";

const primary = new aws.kms.Key("aws_kms_key.primary", { multiRegion: true });
const replica = new aws.kms.ReplicaKey("aws_kms_replica_key.west", { primaryKeyArn: primary.arn });
new aws.redshift.Cluster("aws_redshift_cluster.west", {
  clusterIdentifier: "warehouse-west",
  kmsKeyId: replica.arn,
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
