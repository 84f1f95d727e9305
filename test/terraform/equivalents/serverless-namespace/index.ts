/** The Pulumi twin of test/terraform/fixtures/serverless-namespace/main.tf. */
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("aws_kms_key.serverless", { enableKeyRotation: true });
new aws.redshiftserverless.Namespace("aws_redshiftserverless_namespace.analytics", {
  namespaceName: "analytics",
  dbName: "analytics",
  adminUsername: "analytics_admin",
  manageAdminPassword: true,
  kmsKeyId: key.arn,
  logExports: ["userlog", "connectionlog"],
});
