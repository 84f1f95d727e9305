/** The Pulumi twin of test/terraform/fixtures/for-each-keys/main.tf: one resource per for_each key. */
import * as aws from "@pulumi/aws";

const dataKeys: Record<string, { rotate: boolean; periodDays?: number }> = {
  analytics: { rotate: true, periodDays: 180 },
  archive: { rotate: false },
};
const keys = Object.fromEntries(
  Object.entries(dataKeys).map(([name, key]) => [
    name,
    new aws.kms.Key(`aws_kms_key.k["${name}"]`, {
      description: `${name} data key`,
      enableKeyRotation: key.rotate,
      rotationPeriodInDays: key.periodDays,
      tags: { dataset: name },
    }),
  ]),
);
new aws.redshift.Cluster("aws_redshift_cluster.analytics", {
  clusterIdentifier: "analytics",
  kmsKeyId: keys.analytics.arn,
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
