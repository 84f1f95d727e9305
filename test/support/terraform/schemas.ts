/**
 * The schemas the stand-in AWS provider serves: the resource types, data sources and provider
 * arguments keyguard's Terraform support reads, as the AWS provider 5.x declares them.
 *
 * Sources: the AWS provider's documentation (registry.terraform.io/providers/hashicorp/aws/5.x/docs:
 * resources/kms_key, kms_alias, kms_replica_key, kms_external_key, kms_replica_external_key,
 * redshift_cluster, redshiftserverless_namespace; data-sources/kms_key, kms_alias, caller_identity;
 * the provider's "Argument Reference"), with Optional/Computed/Default/ForceNew/validation as the
 * provider's SDKv2 schemas declare them (hashicorp/terraform-provider-aws v5:
 * internal/service/kms/key.go, internal/service/redshift/cluster.go, …). Provider 5 is the line where
 * Redshift's `encrypted` is a boolean defaulting to false and `publicly_accessible` defaults to true;
 * `rotation_period_in_days` arrived in 5.x (May 2024). Only the attributes keyguard or the fixtures
 * use are declared, plus the ones every real plan shows (SDKv2's `id`, `tags_all`, `timeouts`).
 */

/** A cty type as Terraform's schema JSON spells it. */
export type CtyType =
  "string" | "number" | "bool" | readonly ["map", "string"] | readonly ["set", "string"] | readonly ["list", "string"];

export interface AttributeSchema {
  readonly type: CtyType;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
  readonly deprecated?: boolean;
  /** SDKv2 `Default`: what the provider plans when the configuration leaves the attribute unset. */
  readonly default?: string | number | boolean;
  /** SDKv2 `ForceNew`: a change plans a replacement. */
  readonly forceNew?: boolean;
  /** SDKv2 `validation.IntBetween(min, max)`. */
  readonly intBetween?: readonly [number, number];
  /** SDKv2 `RequiredWith`: set only together with these attributes. */
  readonly requiredWith?: readonly string[];
  /** SDKv2 `ConflictsWith`. */
  readonly conflictsWith?: readonly string[];
}

export interface BlockSchema {
  readonly nesting: "single" | "list";
  readonly maxItems?: number;
  readonly attributes: Readonly<Record<string, AttributeSchema>>;
}

export interface ResourceSchema {
  readonly version: number;
  readonly attributes: Readonly<Record<string, AttributeSchema>>;
  readonly blocks?: Readonly<Record<string, BlockSchema>>;
}

const string = "string";
const number = "number";
const bool = "bool";
const stringMap = ["map", "string"] as const;
const stringSet = ["set", "string"] as const;
const stringList = ["list", "string"] as const;

const computed = (type: CtyType): AttributeSchema => ({ type, computed: true });
const optional = (type: CtyType, more: Partial<AttributeSchema> = {}): AttributeSchema => ({
  type,
  optional: true,
  ...more,
});
const optionalComputed = (type: CtyType, more: Partial<AttributeSchema> = {}): AttributeSchema => ({
  type,
  optional: true,
  computed: true,
  ...more,
});
const required = (type: CtyType, more: Partial<AttributeSchema> = {}): AttributeSchema => ({
  type,
  required: true,
  ...more,
});

/** SDKv2 gives every resource and data source an `id` (Optional+Computed on resources). */
const sdkId = optionalComputed(string);
const tags = optional(stringMap);
const tagsAll = computed(stringMap);
const timeouts = (...operations: string[]): BlockSchema => ({
  nesting: "single",
  attributes: Object.fromEntries(operations.map((operation) => [operation, optional(string)])),
});

export const PROVIDER_SCHEMA: ResourceSchema = {
  version: 0,
  attributes: {
    access_key: optional(string),
    allowed_account_ids: optional(stringSet),
    forbidden_account_ids: optional(stringSet),
    max_retries: optional(number),
    profile: optional(string),
    region: optional(string),
    secret_key: optional(string, { sensitive: true }),
    shared_config_files: optional(stringList),
    skip_credentials_validation: optional(bool),
    skip_metadata_api_check: optional(string),
    skip_region_validation: optional(bool),
    skip_requesting_account_id: optional(bool),
    token: optional(string, { sensitive: true }),
  },
  blocks: {
    default_tags: { nesting: "list", maxItems: 1, attributes: { tags: optional(stringMap) } },
  },
};

const kmsKey: ResourceSchema = {
  version: 0,
  attributes: {
    arn: computed(string),
    bypass_policy_lockout_safety_check: optional(bool, { default: false }),
    custom_key_store_id: optional(string, { forceNew: true }),
    customer_master_key_spec: optional(string, { forceNew: true, default: "SYMMETRIC_DEFAULT" }),
    deletion_window_in_days: optional(number, { intBetween: [7, 30] }),
    description: optionalComputed(string),
    enable_key_rotation: optional(bool, { default: false }),
    id: sdkId,
    is_enabled: optional(bool, { default: true }),
    key_id: computed(string),
    key_usage: optional(string, { forceNew: true, default: "ENCRYPT_DECRYPT" }),
    multi_region: optionalComputed(bool, { forceNew: true }),
    policy: optionalComputed(string),
    rotation_period_in_days: optionalComputed(number, {
      intBetween: [90, 2560],
      requiredWith: ["enable_key_rotation"],
    }),
    tags,
    tags_all: tagsAll,
    xks_key_id: optional(string, { forceNew: true, requiredWith: ["custom_key_store_id"] }),
  },
  blocks: { timeouts: timeouts("create") },
};

const kmsAlias: ResourceSchema = {
  version: 0,
  attributes: {
    arn: computed(string),
    id: sdkId,
    name: optionalComputed(string, { forceNew: true, conflictsWith: ["name_prefix"] }),
    name_prefix: optionalComputed(string, { forceNew: true, conflictsWith: ["name"] }),
    target_key_arn: computed(string),
    target_key_id: required(string),
  },
};

/** What the replica, external and replica-external keys share (their deletion window defaults to 30 days, unlike aws_kms_key's). */
const keyAttributes: Record<string, AttributeSchema> = {
  arn: computed(string),
  bypass_policy_lockout_safety_check: optional(bool, { default: false }),
  deletion_window_in_days: optional(number, { default: 30, intBetween: [7, 30] }),
  description: optional(string),
  id: sdkId,
  policy: optionalComputed(string),
  tags,
  tags_all: tagsAll,
};

/** The external keys' imported key material. */
const importedMaterialAttributes: Record<string, AttributeSchema> = {
  enabled: optionalComputed(bool),
  expiration_model: computed(string),
  key_material_base64: optional(string, { forceNew: true, sensitive: true }),
  key_state: computed(string),
  valid_to: optional(string),
};

const kmsReplicaKey: ResourceSchema = {
  version: 0,
  attributes: {
    ...keyAttributes,
    enabled: optional(bool, { default: true }),
    key_id: computed(string),
    key_rotation_enabled: computed(bool),
    key_spec: computed(string),
    key_usage: computed(string),
    primary_key_arn: required(string, { forceNew: true }),
  },
};

const kmsExternalKey: ResourceSchema = {
  version: 0,
  attributes: {
    ...keyAttributes,
    ...importedMaterialAttributes,
    key_spec: optional(string, { forceNew: true, default: "SYMMETRIC_DEFAULT" }),
    key_usage: optional(string, { forceNew: true, default: "ENCRYPT_DECRYPT" }),
    multi_region: optionalComputed(bool, { forceNew: true }),
  },
};

const kmsReplicaExternalKey: ResourceSchema = {
  version: 0,
  attributes: {
    ...keyAttributes,
    ...importedMaterialAttributes,
    key_id: computed(string),
    key_usage: computed(string),
    primary_key_arn: required(string, { forceNew: true }),
  },
};

const redshiftCluster: ResourceSchema = {
  version: 0,
  attributes: {
    allow_version_upgrade: optional(bool, { default: true }),
    apply_immediately: optional(bool, { default: false }),
    arn: computed(string),
    automated_snapshot_retention_period: optional(number, { default: 1 }),
    availability_zone: optionalComputed(string),
    cluster_identifier: required(string, { forceNew: true }),
    cluster_namespace_arn: computed(string),
    cluster_parameter_group_name: optionalComputed(string),
    cluster_subnet_group_name: optionalComputed(string, { forceNew: true }),
    cluster_type: optionalComputed(string),
    cluster_version: optional(string, { default: "1.0" }),
    database_name: optionalComputed(string),
    default_iam_role_arn: optionalComputed(string),
    dns_name: computed(string),
    encrypted: optional(bool, { default: false }),
    endpoint: optionalComputed(string),
    enhanced_vpc_routing: optionalComputed(bool),
    final_snapshot_identifier: optional(string),
    iam_roles: optionalComputed(stringSet),
    id: sdkId,
    kms_key_id: optionalComputed(string),
    manage_master_password: optional(bool, { conflictsWith: ["master_password"] }),
    master_password: optional(string, { sensitive: true, conflictsWith: ["manage_master_password"] }),
    master_password_secret_arn: computed(string),
    master_password_secret_kms_key_id: optionalComputed(string),
    master_username: optional(string, { forceNew: true }),
    node_type: required(string),
    number_of_nodes: optional(number, { default: 1 }),
    port: optional(number, { default: 5439 }),
    preferred_maintenance_window: optionalComputed(string),
    publicly_accessible: optional(bool, { default: true }),
    skip_final_snapshot: optional(bool, { default: false }),
    tags,
    tags_all: tagsAll,
    vpc_security_group_ids: optionalComputed(stringSet),
  },
  blocks: { timeouts: timeouts("create", "delete", "update") },
};

const redshiftServerlessNamespace: ResourceSchema = {
  version: 0,
  attributes: {
    admin_password_secret_arn: computed(string),
    admin_password_secret_kms_key_id: optionalComputed(string),
    admin_user_password: optional(string, { sensitive: true, conflictsWith: ["manage_admin_password"] }),
    admin_username: optionalComputed(string, { sensitive: true }),
    arn: computed(string),
    db_name: optionalComputed(string),
    default_iam_role_arn: optional(string),
    iam_roles: optionalComputed(stringSet),
    id: sdkId,
    kms_key_id: optionalComputed(string),
    log_exports: optional(stringSet),
    manage_admin_password: optional(bool, { conflictsWith: ["admin_user_password"] }),
    namespace_id: computed(string),
    namespace_name: required(string, { forceNew: true }),
    tags,
    tags_all: tagsAll,
  },
};

export const RESOURCE_SCHEMAS: Readonly<Record<string, ResourceSchema>> = {
  aws_kms_alias: kmsAlias,
  aws_kms_external_key: kmsExternalKey,
  aws_kms_key: kmsKey,
  aws_kms_replica_external_key: kmsReplicaExternalKey,
  aws_kms_replica_key: kmsReplicaKey,
  aws_redshift_cluster: redshiftCluster,
  aws_redshiftserverless_namespace: redshiftServerlessNamespace,
};

export const DATA_SOURCE_SCHEMAS: Readonly<Record<string, ResourceSchema>> = {
  aws_caller_identity: {
    version: 0,
    attributes: { account_id: computed(string), arn: computed(string), id: sdkId, user_id: computed(string) },
  },
  aws_kms_alias: {
    version: 0,
    attributes: {
      arn: computed(string),
      id: sdkId,
      name: required(string),
      target_key_arn: computed(string),
      target_key_id: computed(string),
    },
  },
  aws_kms_key: {
    version: 0,
    attributes: {
      arn: computed(string),
      aws_account_id: computed(string),
      creation_date: computed(string),
      customer_master_key_spec: computed(string),
      deletion_date: computed(string),
      description: computed(string),
      enabled: computed(bool),
      expiration_model: computed(string),
      grant_tokens: optional(stringList),
      id: sdkId,
      key_id: required(string),
      key_manager: computed(string),
      key_spec: computed(string),
      key_state: computed(string),
      key_usage: computed(string),
      multi_region: computed(bool),
      origin: computed(string),
      pending_deletion_window_in_days: computed(number),
      valid_to: computed(string),
    },
  },
};
