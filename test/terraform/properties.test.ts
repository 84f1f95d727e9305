/**
 * terraform/: Terraform attribute values as the property bags the pack reads for the bridged Pulumi
 * resource. The mechanical part (snake_case → camelCase) is checked against @pulumi/aws 7's own
 * declarations; the non-mechanical parts one by one.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import {
  RESOURCE_TYPES,
  SECRET_SIGNATURE,
  SPECIAL_SIGNATURE_KEY,
  UNKNOWN_BOOLEAN_SENTINEL,
  UNKNOWN_NUMBER_SENTINEL,
  UNKNOWN_STRING_SENTINEL,
} from "../../facts";
import {
  MAPPED_ATTRIBUTES,
  TERRAFORM_RESOURCE_TYPES,
  pulumiPropertyName,
  pulumiTypeOf,
  toPulumiProperties,
} from "../../terraform";

const secret = (value: unknown) => ({ [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE, value });

/**
 * Each mapped type's Terraform arguments and attributes (AWS provider 6.x documentation) and the
 * @pulumi/aws 7 module file of the resource bridged from it.
 */
const TERRAFORM_ATTRIBUTES: Record<string, { file: string; attributes: string[] }> = {
  aws_kms_key: {
    file: "kms/key.d.ts",
    attributes:
      "arn bypass_policy_lockout_safety_check custom_key_store_id customer_master_key_spec deletion_window_in_days description enable_key_rotation is_enabled key_id key_usage multi_region policy region rotation_period_in_days tags tags_all xks_key_id".split(
        " ",
      ),
  },
  aws_kms_alias: {
    file: "kms/alias.d.ts",
    attributes: "arn name name_prefix region target_key_arn target_key_id".split(" "),
  },
  aws_kms_replica_key: {
    file: "kms/replicaKey.d.ts",
    attributes:
      "arn bypass_policy_lockout_safety_check deletion_window_in_days description enabled key_id key_rotation_enabled key_spec key_usage policy primary_key_arn region tags tags_all".split(
        " ",
      ),
  },
  aws_kms_external_key: {
    file: "kms/externalKey.d.ts",
    attributes:
      "arn bypass_policy_lockout_safety_check deletion_window_in_days description enabled expiration_model key_material_base64 key_spec key_state key_usage multi_region policy region tags tags_all valid_to".split(
        " ",
      ),
  },
  aws_kms_replica_external_key: {
    file: "kms/replicaExternalKey.d.ts",
    attributes:
      "arn bypass_policy_lockout_safety_check deletion_window_in_days description enabled expiration_model key_id key_material_base64 key_state key_usage policy primary_key_arn region tags tags_all valid_to".split(
        " ",
      ),
  },
  aws_redshift_cluster: {
    file: "redshift/cluster.d.ts",
    attributes:
      "allow_version_upgrade apply_immediately aqua_configuration_status arn automated_snapshot_retention_period availability_zone availability_zone_relocation_enabled cluster_identifier cluster_namespace_arn cluster_nodes cluster_parameter_group_name cluster_public_key cluster_revision_number cluster_subnet_group_name cluster_type cluster_version database_name default_iam_role_arn dns_name elastic_ip encrypted endpoint enhanced_vpc_routing final_snapshot_identifier iam_roles kms_key_id maintenance_track_name manage_master_password manual_snapshot_retention_period master_password master_password_secret_arn master_password_secret_kms_key_id master_password_wo master_password_wo_version master_username multi_az node_type number_of_nodes owner_account port preferred_maintenance_window publicly_accessible region skip_final_snapshot snapshot_arn snapshot_cluster_identifier snapshot_identifier tags tags_all vpc_security_group_ids".split(
        " ",
      ),
  },
  aws_redshiftserverless_namespace: {
    file: "redshiftserverless/namespace.d.ts",
    attributes:
      "admin_password_secret_arn admin_password_secret_kms_key_id admin_user_password admin_user_password_wo admin_user_password_wo_version admin_username arn db_name default_iam_role_arn iam_roles kms_key_id log_exports manage_admin_password namespace_id namespace_name region tags tags_all".split(
        " ",
      ),
  },
};

/** The property names of a @pulumi/aws resource's `…State` interface. */
function pulumiStateProperties(file: string): Set<string> {
  const text = fs.readFileSync(path.join(path.dirname(require.resolve("@pulumi/aws/package.json")), file), "utf8");
  const state = /export interface \w+State \{([^]*?)\n\}/.exec(text);
  if (!state) throw new Error(`no State interface in ${file}`);
  return new Set([...state[1].matchAll(/^\s+(\w+)\?:/gm)].map((match) => match[1]));
}

describe("the Terraform ↔ Pulumi mapping", () => {
  it("maps exactly the seven resource types, to tokens @pulumi/aws registers", () => {
    expect(Object.keys(TERRAFORM_RESOURCE_TYPES).sort()).toEqual(Object.keys(TERRAFORM_ATTRIBUTES).sort());
    for (const [terraformType, { file }] of Object.entries(TERRAFORM_ATTRIBUTES)) {
      const javascript = fs.readFileSync(
        path.join(path.dirname(require.resolve("@pulumi/aws/package.json")), file.replace(/\.d\.ts$/, ".js")),
        "utf8",
      );
      expect(javascript).toContain(`__pulumiType = '${pulumiTypeOf(terraformType)}'`);
    }
    expect(pulumiTypeOf("aws_kms_key")).toBe(RESOURCE_TYPES.kmsKey);
    expect(pulumiTypeOf("aws_s3_bucket")).toBe("aws_s3_bucket");
  });

  it.each(Object.entries(TERRAFORM_ATTRIBUTES))(
    "names every %s attribute as @pulumi/aws 7 does (snake_case → camelCase)",
    (_type, { file, attributes }) => {
      const pulumi = pulumiStateProperties(file);
      const missing = attributes.filter((attribute) => !pulumi.has(pulumiPropertyName(attribute)));
      expect(missing).toEqual([]);
      expect(attributes.length).toBe(pulumi.size);
    },
  );

  it("keeps every attribute fact about an attribute of its type", () => {
    for (const [terraformType, facts] of Object.entries(MAPPED_ATTRIBUTES)) {
      const known = new Set([...TERRAFORM_ATTRIBUTES[terraformType].attributes, "logging", "snapshot_copy"]);
      const named = Object.values(facts).flatMap((names: ReadonlySet<string>) => [...names]);
      expect(named.filter((name) => !known.has(name))).toEqual([]);
    }
  });
});

describe("toPulumiProperties", () => {
  it("renames attributes, keeps values and tag keys as written, and leaves id out of the inputs", () => {
    const { inputs, outputs } = toPulumiProperties("aws_kms_key", {
      id: "1234abcd",
      key_id: "1234abcd",
      enable_key_rotation: true,
      rotation_period_in_days: 180,
      customer_master_key_spec: "SYMMETRIC_DEFAULT",
      tags: { cost_center: "data", "team:owner": "warehouse" },
      custom_key_store_id: null,
      timeouts: null,
    });
    expect(outputs).toEqual({
      id: "1234abcd",
      keyId: "1234abcd",
      enableKeyRotation: true,
      rotationPeriodInDays: 180,
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      tags: { cost_center: "data", "team:owner": "warehouse" },
    });
    expect(inputs).not.toHaveProperty("id");
    expect(inputs).toMatchObject({ keyId: "1234abcd", enableKeyRotation: true });
  });

  it("gives Redshift's encrypted as @pulumi/aws 7's string, whether Terraform has a boolean or a string", () => {
    expect(toPulumiProperties("aws_redshift_cluster", { encrypted: true }).outputs.encrypted).toBe("true");
    expect(toPulumiProperties("aws_redshift_cluster", { encrypted: false }).inputs.encrypted).toBe("false");
    expect(toPulumiProperties("aws_redshift_cluster", { encrypted: "true" }).inputs.encrypted).toBe("true");
    // Another type's boolean stays a boolean.
    expect(toPulumiProperties("aws_kms_key", { is_enabled: true }).inputs.isEnabled).toBe(true);
  });

  it("flattens a single-item block (a one-element list in Terraform) into one object, and drops an empty one", () => {
    const { outputs } = toPulumiProperties("aws_redshift_cluster", {
      logging: [{ enable: true, bucket_name: "audit-logs", s3_key_prefix: "warehouse/" }],
      snapshot_copy: [],
      iam_roles: ["arn:aws:iam::111122223333:role/copy"],
    });
    expect(outputs.logging).toEqual({ enable: true, bucketName: "audit-logs", s3KeyPrefix: "warehouse/" });
    expect(outputs).not.toHaveProperty("snapshotCopy");
    expect(outputs.iamRoles).toEqual(["arn:aws:iam::111122223333:role/copy"]);
  });

  it("turns values unknown until apply into the engine's sentinels, of the attribute's kind", () => {
    const { outputs } = toPulumiProperties(
      "aws_kms_key",
      { description: "k" },
      {
        unknown: { enable_key_rotation: true, rotation_period_in_days: true, policy: true },
        isConfigured: () => true,
      },
    );
    expect(outputs).toMatchObject({
      enableKeyRotation: UNKNOWN_BOOLEAN_SENTINEL,
      rotationPeriodInDays: UNKNOWN_NUMBER_SENTINEL,
      policy: UNKNOWN_STRING_SENTINEL,
    });
  });

  it("leaves out what the configuration does not set and the plan shows unknown: the provider's or AWS's default", () => {
    const configured = new Set(["enable_key_rotation"]);
    const { inputs, outputs } = toPulumiProperties(
      "aws_kms_key",
      { enable_key_rotation: true },
      {
        unknown: { rotation_period_in_days: true, arn: true, key_id: true },
        isConfigured: (attribute) => configured.has(attribute),
      },
    );
    expect(outputs).toEqual({ enableKeyRotation: true });
    expect(inputs).toEqual({ enableKeyRotation: true });
  });

  it("keeps an unknown unknown when the configuration is not known", () => {
    const { outputs } = toPulumiProperties("aws_kms_key", {}, { unknown: { rotation_period_in_days: true } });
    expect(outputs.rotationPeriodInDays).toBe(UNKNOWN_NUMBER_SENTINEL);
  });

  it("marks nested unknowns of a set attribute unknown", () => {
    const { outputs } = toPulumiProperties(
      "aws_redshift_cluster",
      { iam_roles: ["arn:aws:iam::111122223333:role/a", null] },
      { unknown: { iam_roles: [false, true] }, isConfigured: () => true },
    );
    expect(outputs.iamRoles).toEqual(["arn:aws:iam::111122223333:role/a", UNKNOWN_STRING_SENTINEL]);
  });

  it("makes sensitive values (Terraform's marks and the provider schema's Sensitive) wire secrets", () => {
    const { inputs } = toPulumiProperties(
      "aws_redshift_cluster",
      { master_password: "Sup3r-Secret-Pw!", cluster_identifier: "warehouse", tags: { owner: "ops" } },
      { sensitive: { tags: { owner: true } } },
    );
    expect(inputs.masterPassword).toEqual(secret("Sup3r-Secret-Pw!"));
    expect(inputs.tags).toEqual({ owner: secret("ops") });
    expect(inputs.clusterIdentifier).toBe("warehouse");
    const namespace = toPulumiProperties("aws_redshiftserverless_namespace", { admin_username: "admin" });
    expect(namespace.inputs.adminUsername).toEqual(secret("admin"));
  });

  it("reads the AWS provider's 0 for an unset rotation period as unset", () => {
    expect(toPulumiProperties("aws_kms_key", { rotation_period_in_days: 0 }).inputs).not.toHaveProperty(
      "rotationPeriodInDays",
    );
    expect(toPulumiProperties("aws_kms_key", { rotation_period_in_days: 90 }).inputs.rotationPeriodInDays).toBe(90);
  });

  it("camelCases only the top-level names of a type it does not map, and keeps Terraform-only ones", () => {
    const { outputs } = toPulumiProperties("aws_s3_bucket", {
      bucket: "b",
      server_side_encryption_configuration: [{ rule: [{ apply_server_side_encryption_by_default: [] }] }],
      timeouts: null,
    });
    expect(outputs).toEqual({
      bucket: "b",
      serverSideEncryptionConfiguration: [{ rule: [{ apply_server_side_encryption_by_default: [] }] }],
    });
  });
});
