/**
 * A rotating key whose period, 730 days, AWS accepts (90..2560) but the pack's default bound
 * (maxRotationPeriodInDays 365) does not: `kms-key-rotation-period` rejects the key and
 * `redshift-cluster-key-rotated` the cluster it encrypts.
 */
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("warehouse-key", {
  description: "Redshift warehouse key (rotates every two years)",
  enableKeyRotation: true,
  rotationPeriodInDays: 730,
  deletionWindowInDays: 30,
});

export const cluster = new aws.redshift.Cluster("warehouse", {
  clusterIdentifier: "example-slow-rotation",
  nodeType: "ra3.large",
  numberOfNodes: 1,
  masterUsername: "warehouse_admin",
  manageMasterPassword: true,
  encrypted: "true",
  kmsKeyId: key.arn,
  publiclyAccessible: false,
  skipFinalSnapshot: true,
}).clusterIdentifier;
