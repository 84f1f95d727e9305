/** The Pulumi twin of test/terraform/fixtures/imported-material-keys/main.tf. */
import * as aws from "@pulumi/aws";

const cluster = {
  nodeType: "ra3.xlplus",
  masterUsername: "regulated_admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
};
const byok = new aws.kms.ExternalKey("aws_kms_external_key.byok", {
  description: "Bring-your-own-key material for the regulated warehouse",
  multiRegion: true,
});
const byokWest = new aws.kms.ReplicaExternalKey("aws_kms_replica_external_key.byok_west", {
  description: "BYOK replica (us-west-2)",
  primaryKeyArn: byok.arn,
});
new aws.redshift.Cluster("aws_redshift_cluster.byok", {
  clusterIdentifier: "regulated",
  kmsKeyId: byok.arn,
  ...cluster,
});
new aws.redshift.Cluster("aws_redshift_cluster.byok_west", {
  clusterIdentifier: "regulated-west",
  kmsKeyId: byokWest.arn,
  ...cluster,
});
