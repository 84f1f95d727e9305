/** The AWS and Pulumi facts keyguard relies on, in one place. */
export * from "./aws";
export * from "./kms";
export * from "./redshift";
export * from "./pulumi";
export * from "./credentials";
export * from "./pulumiAwsDefaults";
