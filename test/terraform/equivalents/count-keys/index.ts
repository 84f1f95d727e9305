/** The Pulumi twin of test/terraform/fixtures/count-keys/main.tf: one resource per count instance. */
import * as aws from "@pulumi/aws";

const keys = [
  { name: "legacy", rotate: false },
  { name: "warehouse", rotate: true },
].map(
  (key, index) =>
    new aws.kms.Key(`aws_kms_key.k[${index}]`, {
      description: `${key.name} key`,
      enableKeyRotation: key.rotate,
      rotationPeriodInDays: key.rotate ? 365 : undefined,
    }),
);
new aws.redshift.Cluster("aws_redshift_cluster.main", {
  clusterIdentifier: "main",
  kmsKeyId: keys[1].arn,
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
