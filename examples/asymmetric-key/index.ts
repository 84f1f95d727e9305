/**
 * A cluster encrypted with an asymmetric (RSA) key. KMS cannot rotate asymmetric keys, so the
 * key policies call the key "not applicable", and `redshift-cluster-key-rotated` rejects the
 * cluster: its data would stay under the same key material forever.
 */
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("warehouse-key", {
  description: "Redshift warehouse key (asymmetric: cannot rotate)",
  customerMasterKeySpec: "RSA_2048",
  keyUsage: "ENCRYPT_DECRYPT",
  deletionWindowInDays: 30,
});

export const cluster = new aws.redshift.Cluster("warehouse", {
  clusterIdentifier: "example-asymmetric",
  nodeType: "ra3.large",
  numberOfNodes: 1,
  masterUsername: "warehouse_admin",
  manageMasterPassword: true,
  encrypted: "true",
  kmsKeyId: key.arn,
  publiclyAccessible: false,
  skipFinalSnapshot: true,
}).clusterIdentifier;
