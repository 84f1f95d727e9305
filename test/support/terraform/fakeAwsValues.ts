/**
 * What the stand-in's "AWS" answers when Terraform applies a resource or reads a data source: the
 * computed attributes the real provider reads back from AWS, with AWS's shapes (key ARNs, key ids,
 * alias ARNs, AWS's default key policy, Redshift's AWS-managed key when `encrypted` has no key,
 * Serverless's AWS_OWNED_KMS_KEY) and deterministic values, so regenerated fixtures do not churn:
 * every id is derived from the resource type and its planned known values (resources whose planned
 * values are identical would get the same id, so the fixtures give each one something of its own).
 */
import { createHash } from "node:crypto";
import { type CtyObject, type CtyValue, UNKNOWN, isObject } from "./ctyMsgpack";
import type { AttributeSchema, ResourceSchema } from "./schemas";

/** AWS's documentation account id. */
export const ACCOUNT_ID = "111122223333";

export interface AwsContext {
  readonly region: string;
}

type ComputedValues = (planned: CtyObject, identity: string, context: AwsContext) => Record<string, CtyValue>;

const keyArn = (context: AwsContext, keyId: string) => `arn:aws:kms:${context.region}:${ACCOUNT_ID}:key/${keyId}`;

/** A key reference (id, key ARN, alias name or alias ARN) as the key ARN KMS resolves it to. */
function keyArnOf(reference: string, context: AwsContext): string {
  if (reference.startsWith("arn:aws:kms:") && reference.includes(":key/")) return reference;
  if (reference.startsWith("alias/") || reference.includes(":alias/")) {
    const aliasName = reference.slice(reference.indexOf("alias/"));
    return keyArn(context, uuidFrom("alias-target", aliasName));
  }
  return keyArn(context, reference);
}

/** The key policy KMS gives a key created without one (docs: "Default key policy"). */
function defaultKeyPolicy(): string {
  return JSON.stringify({
    Id: "key-default-1",
    Statement: [
      {
        Action: "kms:*",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
        Resource: "*",
        Sid: "Enable IAM User Permissions",
      },
    ],
    Version: "2012-10-17",
  });
}

function externalKeyValues(planned: CtyObject): Record<string, CtyValue> {
  const hasMaterial = typeof planned.key_material_base64 === "string";
  return {
    enabled: hasMaterial,
    expiration_model: hasMaterial ? (planned.valid_to ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE") : "",
    key_state: hasMaterial ? "Enabled" : "PendingImport",
    key_usage: "ENCRYPT_DECRYPT",
    multi_region: false,
    policy: defaultKeyPolicy(),
  };
}

function replicaValues(planned: CtyObject, context: AwsContext): Record<string, CtyValue> {
  // A replica has its primary's key id, in its own region.
  const primary = String(planned.primary_key_arn);
  const keyId = primary.slice(primary.indexOf(":key/") + ":key/".length);
  return { arn: keyArn(context, keyId), id: keyId, key_id: keyId, policy: defaultKeyPolicy() };
}

const RESOURCE_VALUES: Readonly<Record<string, ComputedValues>> = {
  aws_kms_key: (planned, identity, context) => {
    const keyId = planned.multi_region === true ? `mrk-${identity.replace(/-/g, "")}` : identity;
    return {
      arn: keyArn(context, keyId),
      description: "",
      id: keyId,
      key_id: keyId,
      multi_region: false,
      policy: defaultKeyPolicy(),
      // GetKeyRotationStatus: 365 days when rotation is on without a period, none when it is off.
      rotation_period_in_days: planned.enable_key_rotation === true ? 365 : 0,
    };
  },
  aws_kms_alias: (planned, _identity, context) => {
    const name =
      typeof planned.name === "string" ? planned.name : `${String(planned.name_prefix)}${_identity.slice(0, 8)}`;
    return {
      arn: `arn:aws:kms:${context.region}:${ACCOUNT_ID}:${name}`,
      id: name,
      name,
      target_key_arn: keyArnOf(String(planned.target_key_id), context),
    };
  },
  aws_kms_replica_key: (planned, _identity, context) => ({
    ...replicaValues(planned, context),
    // The stand-in cannot see the primary key's rotation; AWS reports the primary's.
    key_rotation_enabled: false,
    key_spec: "SYMMETRIC_DEFAULT",
    key_usage: "ENCRYPT_DECRYPT",
  }),
  aws_kms_external_key: (planned, identity, context) => ({
    ...externalKeyValues(planned),
    arn: keyArn(context, identity),
    id: identity,
  }),
  aws_kms_replica_external_key: (planned, _identity, context) => ({
    ...externalKeyValues(planned),
    ...replicaValues(planned, context),
  }),
  aws_redshift_cluster: (planned, identity, context) => {
    const clusterId = String(planned.cluster_identifier);
    const dnsName = `${clusterId}.${identity.slice(0, 12)}.${context.region}.redshift.amazonaws.com`;
    return {
      arn: `arn:aws:redshift:${context.region}:${ACCOUNT_ID}:cluster:${clusterId}`,
      availability_zone: `${context.region}a`,
      cluster_namespace_arn: `arn:aws:redshift:${context.region}:${ACCOUNT_ID}:namespace:${identity}`,
      cluster_parameter_group_name: "default.redshift-1.0",
      cluster_subnet_group_name: "default",
      cluster_type:
        typeof planned.number_of_nodes === "number" && planned.number_of_nodes > 1 ? "multi-node" : "single-node",
      database_name: "dev",
      dns_name: dnsName,
      endpoint: `${dnsName}:${String(planned.port)}`,
      enhanced_vpc_routing: false,
      id: clusterId,
      // Encrypted without a key: Redshift uses the AWS-managed key alias/aws/redshift.
      kms_key_id: planned.encrypted === true ? keyArnOf("alias/aws/redshift", context) : "",
      preferred_maintenance_window: "sat:10:00-sat:10:30",
      vpc_security_group_ids: [`sg-${identity.replace(/-/g, "").slice(0, 17)}`],
    };
  },
  aws_redshiftserverless_namespace: (planned, identity, context) => ({
    admin_username: "admin",
    arn: `arn:aws:redshift-serverless:${context.region}:${ACCOUNT_ID}:namespace/${identity}`,
    db_name: "dev",
    id: String(planned.namespace_name),
    // Serverless namespaces are always encrypted: with an AWS-owned key unless kms_key_id is set.
    kms_key_id: "AWS_OWNED_KMS_KEY",
    namespace_id: identity,
  }),
};

const DATA_SOURCE_VALUES: Readonly<Record<string, ComputedValues>> = {
  aws_caller_identity: () => ({
    account_id: ACCOUNT_ID,
    arn: `arn:aws:iam::${ACCOUNT_ID}:user/ci-deployer`,
    id: ACCOUNT_ID,
    user_id: "AIDAKEYGUARDSTANDIN01",
  }),
  aws_kms_alias: (config, _identity, context) => {
    const name = String(config.name);
    const targetKeyArn = keyArnOf(name, context);
    return {
      arn: `arn:aws:kms:${context.region}:${ACCOUNT_ID}:${name}`,
      id: `arn:aws:kms:${context.region}:${ACCOUNT_ID}:${name}`,
      target_key_arn: targetKeyArn,
      target_key_id: targetKeyArn.slice(targetKeyArn.indexOf(":key/") + ":key/".length),
    };
  },
  aws_kms_key: (config, _identity, context) => {
    const arn = keyArnOf(String(config.key_id), context);
    const keyId = arn.slice(arn.indexOf(":key/") + ":key/".length);
    return {
      arn,
      aws_account_id: arn.split(":")[4],
      creation_date: "2024-01-15T09:30:00Z",
      customer_master_key_spec: "SYMMETRIC_DEFAULT",
      deletion_date: "",
      description: "",
      enabled: true,
      expiration_model: "",
      id: keyId,
      key_manager: "CUSTOMER",
      key_spec: "SYMMETRIC_DEFAULT",
      key_state: "Enabled",
      key_usage: "ENCRYPT_DECRYPT",
      multi_region: keyId.startsWith("mrk-"),
      origin: "AWS_KMS",
      pending_deletion_window_in_days: 0,
      valid_to: "",
    };
  },
};

/** The state AWS would hand back after creating or updating the resource. */
export function appliedState(type: string, schema: ResourceSchema, planned: CtyObject, context: AwsContext): CtyObject {
  return fillComputed(schema, planned, RESOURCE_VALUES[type]?.(planned, identityOf(type, planned), context) ?? {});
}

/** The data source's attributes for its configuration. */
export function readDataSource(
  type: string,
  schema: ResourceSchema,
  config: CtyObject,
  context: AwsContext,
): CtyObject {
  const withComputedUnknown: CtyObject = { ...config };
  for (const [name, attribute] of Object.entries(schema.attributes)) {
    if (attribute.computed && (config[name] === null || config[name] === undefined))
      withComputedUnknown[name] = UNKNOWN;
  }
  const values = DATA_SOURCE_VALUES[type]?.(config, identityOf(type, config), context) ?? {};
  return fillComputed(schema, withComputedUnknown, values);
}

function fillComputed(schema: ResourceSchema, planned: CtyObject, values: Record<string, CtyValue>): CtyObject {
  const state: CtyObject = { ...planned };
  for (const [name, attribute] of Object.entries(schema.attributes)) {
    if (state[name] !== UNKNOWN) continue;
    state[name] = name in values ? values[name] : emptyValue(attribute);
  }
  return state;
}

/** What an SDKv2 provider stores for a computed attribute AWS does not return. */
function emptyValue(attribute: AttributeSchema): CtyValue {
  if (attribute.type === "string") return "";
  if (attribute.type === "bool") return false;
  if (attribute.type === "number") return 0;
  return attribute.type[0] === "map" ? {} : [];
}

function identityOf(type: string, values: CtyObject): string {
  return uuidFrom(type, stableText(values));
}

function stableText(value: CtyValue): string {
  if (value === UNKNOWN) return "?";
  if (Array.isArray(value)) return `[${value.map(stableText).join(",")}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((name) => `${name}:${stableText(value[name])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

function uuidFrom(...parts: string[]): string {
  const hex = createHash("sha256").update(parts.join("\n")).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
