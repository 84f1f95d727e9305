/** The Pulumi twin of test/terraform/fixtures/hmac-key-unused/main.tf. */
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("aws_kms_key.webhook_signing", {
  keyUsage: "GENERATE_VERIFY_MAC",
  customerMasterKeySpec: "HMAC_256",
  deletionWindowInDays: 7,
});
new aws.kms.Alias("aws_kms_alias.webhook_signing", { name: "alias/webhook-signing", targetKeyId: key.keyId });
