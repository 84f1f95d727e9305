/**
 * The key policy of the key EncryptedRedshiftCluster creates.
 *
 * - The account (its root principal) administers the key. Without this statement IAM policies in
 *   the account could not grant anything on the key and a mistake could lock the key out for good
 *   (KMS's default key policy has the same statement).
 * - Redshift may use the key on behalf of principals of the same account, and only through Redshift
 *   in the key's region (kms:ViaService + kms:CallerAccount): this is how Redshift works with a
 *   customer managed key (it acts for the user creating or modifying the cluster and creates grants),
 *   the same shape as the AWS-managed aws/redshift key's policy.
 */

export interface KeyPolicyContext {
  /** aws, aws-cn, aws-us-gov, ... */
  partition: string;
  /** 12-digit account id that owns the key. */
  accountId: string;
  /** Region of the key and the cluster. */
  region: string;
  /** amazonaws.com, amazonaws.com.cn, ... */
  dnsSuffix: string;
}

/** The KMS actions Redshift needs on a cluster key: data-key work, grants for itself, and metadata. */
export const REDSHIFT_KEY_USAGE_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
  "kms:CreateGrant",
  "kms:ListGrants",
  "kms:DescribeKey",
] as const;

export function redshiftClusterKeyPolicy(context: KeyPolicyContext): object {
  return {
    Version: "2012-10-17",
    Id: "keyguard-redshift-cluster-key",
    Statement: [
      {
        Sid: "AccountAdministersTheKey",
        Effect: "Allow",
        Principal: { AWS: `arn:${context.partition}:iam::${context.accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "RedshiftUsesTheKeyForTheAccount",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [...REDSHIFT_KEY_USAGE_ACTIONS],
        Resource: "*",
        Condition: {
          StringEquals: {
            "kms:ViaService": `redshift.${context.region}.${context.dnsSuffix}`,
            "kms:CallerAccount": context.accountId,
          },
        },
      },
    ],
  };
}
