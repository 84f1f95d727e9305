/**
 * Defaults the AWS provider's `Check` fills into a resource's inputs before the engine hands them to
 * a policy pack, for the properties keyguard's policies read, where @pulumi/aws 6 and 7 differ.
 * `pulumi preview` judges the checked inputs, so the offline gate fills in the default of the
 * @pulumi/aws major the program registered the resource with (the `version` the package puts in
 * every resource's options), and the pack judges what preview's pack would.
 *
 * Properties the policies read whose default is the same in both majors are not listed: an unset
 * value already reads as that default in the pack (aws:kms/key:Key `enableKeyRotation` false,
 * `keyUsage` ENCRYPT_DECRYPT, `customerMasterKeySpec` SYMMETRIC_DEFAULT: terraform-provider-aws
 * internal/service/kms/key.go, v5 and v6 alike). `publiclyAccessible` on aws:redshift/cluster:Cluster
 * also changed its default (true in provider 5, false in 6) but no policy reads it.
 * @pulumi/aws-native has no default for the properties read (CloudFormation's `Encrypted` has none).
 */
import { RESOURCE_TYPES } from "./pulumi";

export interface ProviderDefault {
  type: string;
  property: string;
  /** @pulumi/aws major -> the value Check fills in when the program leaves the property out. */
  byMajor: Record<number, unknown>;
  source: string;
}

export const PULUMI_AWS_DEFAULTS: readonly ProviderDefault[] = [
  {
    type: RESOURCE_TYPES.redshiftCluster,
    property: "encrypted",
    byMajor: { 6: false, 7: "true" },
    source:
      "@pulumi/aws 6 is bridged from terraform-provider-aws 5, whose aws_redshift_cluster `encrypted` is a bool with " +
      "Default false (internal/service/redshift/cluster.go, v5.x); @pulumi/aws 7 (provider 6) types it as a string and " +
      'documents "Default is `true`" (redshift/cluster.d.ts, @pulumi/aws 7.x; provider 6 upgrade guide: ' +
      '"aws_redshift_cluster: encrypted now defaults to true")',
  },
];

/** The major of a package version such as "6.83.4" or "v7.0.0"; undefined when it is not one. */
export function majorOf(version: string | undefined): number | undefined {
  const match = /^v?(\d+)\./.exec(version ?? "");
  return match ? Number(match[1]) : undefined;
}

/**
 * `inputs` with the defaults Check would fill for `type` under @pulumi/aws `version` (the resource's
 * `version` option), for properties the program left out. Unchanged for other packages and for a
 * version with no row (a major this table does not know: the pack's own reading of an unset value stands).
 */
export function withPulumiAwsDefaults(
  type: string,
  inputs: Record<string, unknown>,
  version: string | undefined,
): Record<string, unknown> {
  if (!type.startsWith("aws:")) return inputs;
  const major = majorOf(version);
  if (major === undefined) return inputs;
  let filled = inputs;
  for (const row of PULUMI_AWS_DEFAULTS) {
    if (row.type !== type || !(major in row.byMajor)) continue;
    if (inputs[row.property] !== undefined && inputs[row.property] !== null) continue;
    filled = { ...filled, [row.property]: row.byMajor[major] };
  }
  return filled;
}
