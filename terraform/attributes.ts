/**
 * What is not mechanical between a Terraform resource's attributes and the Pulumi resource bridged
 * from it, for the types keyguard judges (./resourceTypes). Everything else is: snake_case names
 * become camelCase (`enable_key_rotation` → `enableKeyRotation`; checked against @pulumi/aws 7's
 * declarations in test/terraform/attributes.test.ts), values stay as they are.
 *
 * Sources: the AWS provider's documentation (registry.terraform.io/providers/hashicorp/aws, the
 * "Argument Reference" and "Attribute Reference" of kms_key, kms_alias, kms_replica_key,
 * kms_external_key, kms_replica_external_key, redshift_cluster, redshiftserverless_namespace; 5.x
 * and 6.x), its schemas' `Sensitive` and `MaxItems: 1`, and @pulumi/aws 7's types (`encrypted` a
 * string, `logging`/`snapshotCopy` objects in @pulumi/aws 6).
 */

export interface MappedAttributes {
  /** Booleans (for the unknown sentinel's kind). */
  readonly booleans: ReadonlySet<string>;
  /** Numbers (for the unknown sentinel's kind). */
  readonly numbers: ReadonlySet<string>;
  /** Lists and sets (for the unknown sentinel's kind). */
  readonly lists: ReadonlySet<string>;
  /** Maps: their keys are the user's (tag names), never renamed. */
  readonly maps: ReadonlySet<string>;
  /** The provider schema marks these Sensitive: secrets in every form of state, even where Terraform does not say so. */
  readonly sensitive: ReadonlySet<string>;
  /** Blocks declared as lists with `MaxItems: 1`: a one-element list in Terraform, one object in Pulumi. */
  readonly singleItemBlocks: ReadonlySet<string>;
  /** Booleans in Terraform that @pulumi/aws 7 types as the strings "true" / "false". */
  readonly stringBooleans: ReadonlySet<string>;
  /**
   * Numbers whose 0 means "no value": the AWS provider (SDKv2) stores an unset integer as 0, e.g. a
   * key whose rotation is off has no rotation period in KMS and `rotation_period_in_days = 0` in state,
   * a value AWS never accepts (90..2560) and the provider's validation refuses in a configuration.
   */
  readonly zeroMeansUnset: ReadonlySet<string>;
}

const set = (...names: string[]): ReadonlySet<string> => new Set(names);
const TAGS = ["tags", "tags_all"];
const NONE = set();

const KEY_COMMON = ["bypass_policy_lockout_safety_check"];

export const MAPPED_ATTRIBUTES: Readonly<Record<string, MappedAttributes>> = {
  aws_kms_key: {
    booleans: set(...KEY_COMMON, "enable_key_rotation", "is_enabled", "multi_region"),
    numbers: set("deletion_window_in_days", "rotation_period_in_days"),
    lists: NONE,
    maps: set(...TAGS),
    sensitive: NONE,
    singleItemBlocks: NONE,
    stringBooleans: NONE,
    zeroMeansUnset: set("rotation_period_in_days"),
  },
  aws_kms_alias: {
    booleans: NONE,
    numbers: NONE,
    lists: NONE,
    maps: NONE,
    sensitive: NONE,
    singleItemBlocks: NONE,
    stringBooleans: NONE,
    zeroMeansUnset: NONE,
  },
  aws_kms_replica_key: {
    booleans: set(...KEY_COMMON, "enabled", "key_rotation_enabled"),
    numbers: set("deletion_window_in_days"),
    lists: NONE,
    maps: set(...TAGS),
    sensitive: NONE,
    singleItemBlocks: NONE,
    stringBooleans: NONE,
    zeroMeansUnset: NONE,
  },
  aws_kms_external_key: {
    booleans: set(...KEY_COMMON, "enabled", "multi_region"),
    numbers: set("deletion_window_in_days"),
    lists: NONE,
    maps: set(...TAGS),
    sensitive: set("key_material_base64"),
    singleItemBlocks: NONE,
    stringBooleans: NONE,
    zeroMeansUnset: NONE,
  },
  aws_kms_replica_external_key: {
    booleans: set(...KEY_COMMON, "enabled"),
    numbers: set("deletion_window_in_days"),
    lists: NONE,
    maps: set(...TAGS),
    sensitive: set("key_material_base64"),
    singleItemBlocks: NONE,
    stringBooleans: NONE,
    zeroMeansUnset: NONE,
  },
  aws_redshift_cluster: {
    booleans: set(
      "allow_version_upgrade",
      "apply_immediately",
      "availability_zone_relocation_enabled",
      "enhanced_vpc_routing",
      "manage_master_password",
      "multi_az",
      "publicly_accessible",
      "skip_final_snapshot",
    ),
    numbers: set(
      "automated_snapshot_retention_period",
      "manual_snapshot_retention_period",
      "master_password_wo_version",
      "number_of_nodes",
      "port",
    ),
    lists: set("cluster_nodes", "iam_roles", "vpc_security_group_ids"),
    maps: set(...TAGS),
    sensitive: set("master_password", "master_password_wo"),
    // AWS provider 5 (MaxItems: 1); provider 6 removed both blocks (aws_redshift_logging, aws_redshift_snapshot_copy).
    singleItemBlocks: set("logging", "snapshot_copy"),
    // A boolean in the AWS provider (default false in 5.x, true in 6.x); @pulumi/aws 7 types it as a string.
    stringBooleans: set("encrypted"),
    zeroMeansUnset: NONE,
  },
  aws_redshiftserverless_namespace: {
    booleans: set("manage_admin_password"),
    numbers: set("admin_user_password_wo_version"),
    lists: set("iam_roles", "log_exports"),
    maps: set(...TAGS),
    sensitive: set("admin_user_password", "admin_user_password_wo", "admin_username"),
    singleItemBlocks: NONE,
    stringBooleans: NONE,
    zeroMeansUnset: NONE,
  },
};

/**
 * Attributes of every Terraform resource that Pulumi's resources do not have: `timeouts` (a block
 * in Terraform; Pulumi's `customTimeouts` is a resource option, not a property).
 */
export const TERRAFORM_ONLY_ATTRIBUTES: ReadonlySet<string> = new Set(["timeouts"]);

/**
 * Terraform's `id`, among every resource's values; Pulumi keeps a resource's id apart from its
 * inputs. It stays among the outputs, where the pack looks a key up by it (as by `arn` and `keyId`).
 */
export const TERRAFORM_ID_ATTRIBUTE = "id";
