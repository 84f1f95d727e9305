/** The Pulumi twin of test/terraform/fixtures/asymmetric-key-cluster/main.tf. */
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("aws_kms_key.rsa", { keyUsage: "ENCRYPT_DECRYPT", customerMasterKeySpec: "RSA_4096" });
new aws.redshift.Cluster("aws_redshift_cluster.lab", {
  clusterIdentifier: "lab",
  kmsKeyId: key.arn,
  nodeType: "ra3.xlplus",
  masterUsername: "admin",
  manageMasterPassword: true,
  encrypted: "true",
  publiclyAccessible: false,
  skipFinalSnapshot: true,
});
