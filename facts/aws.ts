/**
 * What the AWS General Reference and IAM User Guide say about names every service shares, written
 * once: region names, ARNs, IAM role ARNs.
 */

/** A region name: us-east-1, eu-west-1, ap-southeast-2, us-gov-west-1, ... */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** arn:<partition>:iam::<account>:role/<path and name>; the path and name take 1..512 of letters, digits and +=,.@_/- */
export const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** The parts of an ARN: arn:<partition>:<service>:<region>:<account>:<resource>. */
export interface ArnParts {
  partition: string;
  service: string;
  /** Empty for global resources (IAM). */
  region: string;
  /** Empty for resources that belong to no account (S3 buckets). */
  accountId: string;
  /** The rest, colons included (key/<id>, namespace:<id>, role/<name>). */
  resource: string;
}

/** The parts of a value that starts with "arn:", or undefined; parts the value lacks are empty. */
export function parseArn(arn: unknown): ArnParts | undefined {
  if (typeof arn !== "string" || !arn.startsWith("arn:")) return undefined;
  const [, partition = "", service = "", region = "", accountId = "", ...resource] = arn.split(":");
  return { partition, service, region, accountId, resource: resource.join(":") };
}
