/**
 * A key whose automatic rotation is off, encrypting a Redshift cluster: the commonest finding.
 * `kms-key-rotation-enabled` rejects the key and `redshift-cluster-key-rotated` the cluster.
 */
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("warehouse-key", {
  description: "Redshift warehouse key (rotation forgotten)",
  enableKeyRotation: false,
  deletionWindowInDays: 30,
});

export const cluster = new aws.redshift.Cluster("warehouse", {
  clusterIdentifier: "example-unrotated",
  nodeType: "ra3.large",
  numberOfNodes: 1,
  masterUsername: "warehouse_admin",
  manageMasterPassword: true,
  encrypted: "true",
  kmsKeyId: key.arn,
  publiclyAccessible: false,
  skipFinalSnapshot: true,
}).clusterIdentifier;
