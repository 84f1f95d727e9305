// The Terraform phase's plans: a platform team's root module calling one module per team
// (`module.team["team-00001"]`, for_each), each instance with ten resources, written as
// `terraform show -json plan.out` writes a plan (one compact line; the keys and nesting of the
// real-terraform fixtures in test/terraform/fixtures: variables, planned_values, resource_changes,
// prior_state, configuration with expressions, references and module_calls, relevant_attributes),
// with the .tf files beside it so the gate finds each resource block as it does in a user's repository.
//
// Per team: a key that rotates (period 180 days, or unset: AWS's default), an alias on it, a cluster
// on the alias; three `count` shard keys (the third of every fifth team does not rotate) and three
// clusters each on `aws_kms_key.shard[count.index]` (a reference Terraform writes without an index,
// so each links every shard instance of its module); a Serverless namespace on shard 0. Three teams
// in four exist already (no-op, known ARNs, in prior_state); every fourth is new (ARNs unknown).
// Deterministic: every run judges the same plan.
import * as fs from "node:fs";
import * as path from "node:path";

export const RESOURCES_PER_TEAM = 10;
/** Bumped when the generator changes, so a plan from an older generator is written again. */
const GENERATOR_VERSION = "1";
const SHARDS = 3;
const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const PROVIDER = "registry.terraform.io/hashicorp/aws";
const TERRAFORM_VERSION = "1.11.4";
const KEY_POLICY = JSON.stringify({
  Id: "key-default-1",
  Statement: [
    {
      Action: "kms:*",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Resource: "*",
      Sid: "Enable IAM User Permissions",
    },
  ],
  Version: "2012-10-17",
});

type Values = Record<string, unknown>;

interface PlannedResource {
  /** Module-relative: `aws_kms_key.shard[1]`. */
  local: string;
  type: string;
  name: string;
  index?: number;
  /** Every value once applied (what prior_state holds for a team that exists). */
  known: Values;
  /** The attributes a plan shows unknown until apply when the resource is new. */
  computed: string[];
  sensitive: Values;
}

interface Team {
  key: string;
  module: string;
  exists: boolean;
  rotationPeriodInDays: number | null;
  shardRotation: boolean[];
  resources: PlannedResource[];
}

const hex = (value: number, width: number) => value.toString(16).padStart(width, "0").slice(-width);
const uuid = (team: number, slot: number) =>
  `${hex(team, 8)}-${hex(slot, 4)}-4${hex(team >> 4, 3)}-8${hex(slot, 3)}-${hex(team * 16 + slot, 12)}`;

/** A key; its rotation period is unknown in a plan that creates it when the configuration leaves it unset. */
function kmsKey(
  local: string,
  name: string,
  index: number | undefined,
  id: string,
  values: Values,
  periodUnset: boolean,
): PlannedResource {
  return {
    local,
    type: "aws_kms_key",
    name,
    ...(index === undefined ? {} : { index }),
    known: {
      arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`,
      bypass_policy_lockout_safety_check: false,
      custom_key_store_id: null,
      customer_master_key_spec: "SYMMETRIC_DEFAULT",
      deletion_window_in_days: 30,
      id,
      is_enabled: true,
      key_id: id,
      key_usage: "ENCRYPT_DECRYPT",
      multi_region: false,
      policy: KEY_POLICY,
      tags: null,
      tags_all: {},
      timeouts: null,
      xks_key_id: null,
      ...values,
    },
    computed: ["arn", "id", "key_id", "multi_region", "policy", ...(periodUnset ? ["rotation_period_in_days"] : [])],
    sensitive: { tags_all: {} },
  };
}

function cluster(
  local: string,
  name: string,
  index: number | undefined,
  identifier: string,
  keyArn: string,
  namespace: string,
) {
  return {
    local,
    type: "aws_redshift_cluster",
    name,
    ...(index === undefined ? {} : { index }),
    known: {
      allow_version_upgrade: true,
      apply_immediately: false,
      arn: `arn:aws:redshift:${REGION}:${ACCOUNT}:cluster:${identifier}`,
      automated_snapshot_retention_period: 1,
      availability_zone: `${REGION}a`,
      cluster_identifier: identifier,
      cluster_namespace_arn: `arn:aws:redshift:${REGION}:${ACCOUNT}:namespace:${namespace}`,
      cluster_parameter_group_name: "default.redshift-1.0",
      cluster_subnet_group_name: "default",
      cluster_type: "multi-node",
      cluster_version: "1.0",
      database_name: "analytics",
      default_iam_role_arn: "",
      dns_name: `${identifier}.${namespace.slice(0, 12)}.${REGION}.redshift.amazonaws.com`,
      encrypted: true,
      endpoint: `${identifier}.${namespace.slice(0, 12)}.${REGION}.redshift.amazonaws.com:5439`,
      enhanced_vpc_routing: false,
      final_snapshot_identifier: null,
      iam_roles: [],
      id: identifier,
      kms_key_id: keyArn,
      manage_master_password: true,
      master_password: null,
      master_password_secret_arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:redshift!${identifier}-admin`,
      master_password_secret_kms_key_id: "alias/aws/secretsmanager",
      master_username: "warehouse_admin",
      node_type: "ra3.xlplus",
      number_of_nodes: 2,
      port: 5439,
      preferred_maintenance_window: "sat:10:00-sat:10:30",
      publicly_accessible: false,
      skip_final_snapshot: true,
      tags: null,
      tags_all: {},
      timeouts: null,
      vpc_security_group_ids: [`sg-${namespace.replace(/-/g, "").slice(0, 17)}`],
    },
    computed: [
      "arn",
      "availability_zone",
      "cluster_namespace_arn",
      "cluster_parameter_group_name",
      "cluster_subnet_group_name",
      "cluster_type",
      "default_iam_role_arn",
      "dns_name",
      "endpoint",
      "enhanced_vpc_routing",
      "iam_roles",
      "id",
      "kms_key_id",
      "master_password_secret_arn",
      "master_password_secret_kms_key_id",
      "preferred_maintenance_window",
      "vpc_security_group_ids",
    ],
    sensitive: { iam_roles: [], master_password: true, tags_all: {}, vpc_security_group_ids: [] },
  } satisfies PlannedResource;
}

function teamOf(team: number): Team {
  const key = `team-${String(team).padStart(5, "0")}`;
  const rotationPeriodInDays = team % 2 === 0 ? 180 : null;
  const shardRotation = Array.from({ length: SHARDS }, (_, shard) => !(shard === SHARDS - 1 && team % 5 === 0));
  const keyId = uuid(team, 0);
  const mainKey = kmsKey(
    "aws_kms_key.this",
    "this",
    undefined,
    keyId,
    {
      description: `${key} warehouse key`,
      enable_key_rotation: true,
      rotation_period_in_days: rotationPeriodInDays ?? 365,
    },
    rotationPeriodInDays === null,
  );
  const aliasName = `alias/redshift/${key}`;
  const alias: PlannedResource = {
    local: "aws_kms_alias.this",
    type: "aws_kms_alias",
    name: "this",
    known: {
      arn: `arn:aws:kms:${REGION}:${ACCOUNT}:${aliasName}`,
      id: aliasName,
      name: aliasName,
      name_prefix: "",
      target_key_arn: mainKey.known.arn,
      target_key_id: keyId,
    },
    computed: ["arn", "id", "name_prefix", "target_key_arn", "target_key_id"],
    sensitive: {},
  };
  const shards = shardRotation.map((rotate, shard) =>
    kmsKey(
      `aws_kms_key.shard[${shard}]`,
      "shard",
      shard,
      uuid(team, shard + 1),
      {
        description: `${key} shard ${shard} key`,
        enable_key_rotation: rotate,
        rotation_period_in_days: rotate ? 365 : 0,
      },
      !rotate,
    ),
  );
  const namespace: PlannedResource = {
    local: "aws_redshiftserverless_namespace.this",
    type: "aws_redshiftserverless_namespace",
    name: "this",
    known: {
      admin_password_secret_arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:redshift!${key}-ns-admin`,
      admin_password_secret_kms_key_id: "alias/aws/secretsmanager",
      admin_user_password: null,
      admin_username: `${key.replace("-", "_")}_admin`,
      arn: `arn:aws:redshift-serverless:${REGION}:${ACCOUNT}:namespace/${uuid(team, 9)}`,
      db_name: "analytics",
      default_iam_role_arn: null,
      iam_roles: [],
      id: `${key}-ns`,
      kms_key_id: shards[0].known.arn,
      log_exports: ["connectionlog", "userlog"],
      manage_admin_password: true,
      namespace_id: uuid(team, 9),
      namespace_name: `${key}-ns`,
      tags: null,
      tags_all: {},
    },
    computed: ["admin_password_secret_arn", "admin_password_secret_kms_key_id", "arn", "iam_roles", "id"]
      .concat(["kms_key_id", "namespace_id"])
      .sort(),
    sensitive: {
      admin_user_password: true,
      admin_username: true,
      iam_roles: [],
      log_exports: [false, false],
      tags_all: {},
    },
  };
  return {
    key,
    module: `module.team["${key}"]`,
    exists: team % 4 !== 3,
    rotationPeriodInDays,
    shardRotation,
    resources: [
      mainKey,
      alias,
      cluster("aws_redshift_cluster.this", "this", undefined, key, alias.known.arn as string, uuid(team, 10)),
      ...shards,
      ...shards.map((shard, index) =>
        cluster(
          `aws_redshift_cluster.shard[${index}]`,
          "shard",
          index,
          `${key}-shard-${index}`,
          shard.known.arn as string,
          uuid(team, 11 + index),
        ),
      ),
      namespace,
    ],
  };
}

function plannedValuesOf(resource: PlannedResource, exists: boolean): { after: Values; afterUnknown: Values } {
  if (exists) return { after: resource.known, afterUnknown: {} };
  const after: Values = {};
  const afterUnknown: Values = {};
  for (const [name, value] of Object.entries(resource.known)) {
    if (!resource.computed.includes(name)) after[name] = value;
  }
  for (const name of resource.computed) afterUnknown[name] = true;
  if ("tags_all" in resource.known) afterUnknown.tags_all = {};
  return { after, afterUnknown };
}

function stateResource(team: Team, resource: PlannedResource, values: Values) {
  return {
    address: `${team.module}.${resource.local}`,
    mode: "managed",
    type: resource.type,
    name: resource.name,
    ...(resource.index === undefined ? {} : { index: resource.index }),
    provider_name: PROVIDER,
    schema_version: 0,
    values,
    sensitive_values: resource.sensitive,
  };
}

function resourceChange(team: Team, resource: PlannedResource) {
  const { after, afterUnknown } = plannedValuesOf(resource, team.exists);
  return {
    address: `${team.module}.${resource.local}`,
    module_address: team.module,
    mode: "managed",
    type: resource.type,
    name: resource.name,
    ...(resource.index === undefined ? {} : { index: resource.index }),
    provider_name: PROVIDER,
    change: {
      actions: [team.exists ? "no-op" : "create"],
      before: team.exists ? resource.known : null,
      after,
      after_unknown: afterUnknown,
      before_sensitive: team.exists ? resource.sensitive : false,
      after_sensitive: resource.sensitive,
    },
  };
}

const constant = (value: unknown) => ({ constant_value: value });
const references = (...list: string[]) => ({ references: list });

/** The team module's configuration: each resource block once, with its expressions' references. */
function teamModuleConfiguration() {
  const block = (type: string, name: string, expressions: Values, extra: Values = {}) => ({
    address: `${type}.${name}`,
    mode: "managed",
    type,
    name,
    provider_config_key: "aws",
    expressions,
    schema_version: 0,
    ...extra,
  });
  const clusterExpressions = (identifier: unknown, kmsKeyId: unknown) => ({
    cluster_identifier: identifier,
    database_name: constant("analytics"),
    encrypted: constant(true),
    kms_key_id: kmsKeyId,
    manage_master_password: constant(true),
    master_username: constant("warehouse_admin"),
    node_type: constant("ra3.xlplus"),
    number_of_nodes: constant(2),
    publicly_accessible: constant(false),
    skip_final_snapshot: constant(true),
  });
  return {
    outputs: {
      cluster_arn: { expression: references("aws_redshift_cluster.this.arn", "aws_redshift_cluster.this") },
      key_arn: { expression: references("aws_kms_key.this.arn", "aws_kms_key.this") },
    },
    resources: [
      block("aws_kms_alias", "this", {
        name: references("var.name"),
        target_key_id: references("aws_kms_key.this.key_id", "aws_kms_key.this"),
      }),
      block(
        "aws_kms_key",
        "shard",
        {
          deletion_window_in_days: constant(30),
          description: references("var.name", "count.index"),
          enable_key_rotation: references("var.shard_rotation", "count.index"),
          rotation_period_in_days: references("var.shard_rotation", "count.index"),
        },
        { count_expression: constant(SHARDS) },
      ),
      block("aws_kms_key", "this", {
        deletion_window_in_days: constant(30),
        description: references("var.name"),
        enable_key_rotation: constant(true),
        rotation_period_in_days: references("var.rotation_period_in_days"),
      }),
      block(
        "aws_redshift_cluster",
        "shard",
        clusterExpressions(references("var.name", "count.index"), references("aws_kms_key.shard", "count.index")),
        { count_expression: constant(SHARDS) },
      ),
      block(
        "aws_redshift_cluster",
        "this",
        clusterExpressions(references("var.name"), references("aws_kms_alias.this.arn", "aws_kms_alias.this")),
      ),
      block("aws_redshiftserverless_namespace", "this", {
        admin_username: references("var.name"),
        db_name: constant("analytics"),
        kms_key_id: references("aws_kms_key.shard[0].arn", "aws_kms_key.shard[0]", "aws_kms_key.shard"),
        log_exports: constant(["userlog", "connectionlog"]),
        manage_admin_password: constant(true),
        namespace_name: references("var.name"),
      }),
    ],
    variables: {
      name: { description: "The team's name: its key alias, cluster and namespace names." },
      rotation_period_in_days: { default: null },
      shard_rotation: { default: [true, true, true] },
    },
  };
}

/** A cursor over the output file: the plan is written piece by piece, never held whole in memory. */
class JsonWriter {
  private readonly descriptor: number;
  private buffered: string[] = [];
  private size = 0;
  bytes = 0;

  constructor(file: string) {
    this.descriptor = fs.openSync(file, "w");
  }

  write(text: string): void {
    this.buffered.push(text);
    this.size += text.length;
    if (this.size > 1 << 20) this.flush();
  }

  /** Writes `items` as the members of a JSON array, each made when its turn comes. */
  array<T>(items: Iterable<T>, render: (item: T) => unknown[]): void {
    this.write("[");
    let first = true;
    for (const item of items) {
      for (const element of render(item)) {
        this.write(`${first ? "" : ","}${JSON.stringify(element)}`);
        first = false;
      }
    }
    this.write("]");
  }

  flush(): void {
    const chunk = this.buffered.join("");
    fs.writeSync(this.descriptor, chunk);
    this.bytes += Buffer.byteLength(chunk);
    this.buffered = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.descriptor);
  }
}

function* teams(count: number): Generator<Team> {
  for (let team = 0; team < count; team++) yield teamOf(team);
}

const ROOT_MAIN_TF = `variable "teams" {
  type = map(object({
    rotation_period_in_days = optional(number)
    shard_rotation          = list(bool)
  }))
}

module "team" {
  source   = "./modules/team"
  for_each = var.teams

  name                    = each.key
  rotation_period_in_days = each.value.rotation_period_in_days
  shard_rotation          = each.value.shard_rotation
}
`;

const TEAM_MAIN_TF = `variable "name" {
  description = "The team's name: its key alias, cluster and namespace names."
  type        = string
}

variable "rotation_period_in_days" {
  type    = number
  default = null
}

variable "shard_rotation" {
  type    = list(bool)
  default = [true, true, true]
}

resource "aws_kms_key" "this" {
  description             = "\${var.name} warehouse key"
  enable_key_rotation     = true
  rotation_period_in_days = var.rotation_period_in_days
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "this" {
  name          = "alias/redshift/\${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

resource "aws_redshift_cluster" "this" {
  cluster_identifier     = var.name
  node_type              = "ra3.xlplus"
  number_of_nodes        = 2
  database_name          = "analytics"
  master_username        = "warehouse_admin"
  manage_master_password = true
  encrypted              = true
  kms_key_id             = aws_kms_alias.this.arn
  publicly_accessible    = false
  skip_final_snapshot    = true
}

resource "aws_kms_key" "shard" {
  count = ${SHARDS}

  description             = "\${var.name} shard \${count.index} key"
  enable_key_rotation     = var.shard_rotation[count.index]
  rotation_period_in_days = var.shard_rotation[count.index] ? 365 : null
  deletion_window_in_days = 30
}

resource "aws_redshift_cluster" "shard" {
  count = ${SHARDS}

  cluster_identifier     = "\${var.name}-shard-\${count.index}"
  node_type              = "ra3.xlplus"
  number_of_nodes        = 2
  database_name          = "analytics"
  master_username        = "warehouse_admin"
  manage_master_password = true
  encrypted              = true
  kms_key_id             = aws_kms_key.shard[count.index].arn
  publicly_accessible    = false
  skip_final_snapshot    = true
}

resource "aws_redshiftserverless_namespace" "this" {
  namespace_name        = "\${var.name}-ns"
  db_name               = "analytics"
  admin_username        = var.name
  manage_admin_password = true
  kms_key_id            = aws_kms_key.shard[0].arn
  log_exports           = ["userlog", "connectionlog"]
}

output "key_arn" {
  value = aws_kms_key.this.arn
}

output "cluster_arn" {
  value = aws_redshift_cluster.this.arn
}
`;

export interface GeneratedPlan {
  /** The plan JSON. */
  file: string;
  /** The root module's folder (the plan's, with main.tf and modules/team/). */
  directory: string;
  resources: number;
  bytes: number;
}

/**
 * Writes `<workDirectory>/terraform-<resources>/plan.json` (and the module's .tf files), once: a
 * plan already there from an earlier run is reused, since the generator is deterministic.
 */
export function writeTerraformPlan(workDirectory: string, resources: number): GeneratedPlan {
  if (!Number.isInteger(resources) || resources <= 0 || resources % RESOURCES_PER_TEAM !== 0)
    throw new Error(
      `writeTerraformPlan: resources must be a positive multiple of ${RESOURCES_PER_TEAM}, got ${resources}`,
    );
  const directory = path.join(workDirectory, `terraform-${resources}`);
  const file = path.join(directory, "plan.json");
  const teamCount = resources / RESOURCES_PER_TEAM;
  const finished = path.join(directory, ".complete");
  if (fs.existsSync(finished) && fs.readFileSync(finished, "utf8") === GENERATOR_VERSION)
    return { file, directory, resources, bytes: fs.statSync(file).size };
  fs.mkdirSync(path.join(directory, "modules", "team"), { recursive: true });
  fs.writeFileSync(path.join(directory, "main.tf"), ROOT_MAIN_TF);
  fs.writeFileSync(path.join(directory, "modules", "team", "main.tf"), TEAM_MAIN_TF);

  const out = new JsonWriter(file);
  out.write(
    `{"format_version":"1.2","terraform_version":${JSON.stringify(TERRAFORM_VERSION)},"variables":{"teams":{"value":{`,
  );
  let first = true;
  for (const team of teams(teamCount)) {
    const value = { rotation_period_in_days: team.rotationPeriodInDays, shard_rotation: team.shardRotation };
    out.write(`${first ? "" : ","}${JSON.stringify(team.key)}:${JSON.stringify(value)}`);
    first = false;
  }
  out.write(`}}},"planned_values":{"root_module":{"child_modules":`);
  out.array(teams(teamCount), (team) => [
    {
      resources: team.resources.map((resource) =>
        stateResource(team, resource, plannedValuesOf(resource, team.exists).after),
      ),
      address: team.module,
    },
  ]);
  out.write(`}},"resource_changes":`);
  out.array(teams(teamCount), (team) => team.resources.map((resource) => resourceChange(team, resource)));
  out.write(
    `,"prior_state":{"format_version":"1.0","terraform_version":${JSON.stringify(TERRAFORM_VERSION)},"values":{"root_module":{"child_modules":`,
  );
  out.array(teams(teamCount), (team) =>
    team.exists
      ? [
          {
            resources: team.resources.map((resource) => stateResource(team, resource, resource.known)),
            address: team.module,
          },
        ]
      : [],
  );
  const configuration = {
    provider_config: {
      aws: {
        name: "aws",
        full_name: PROVIDER,
        version_constraint: "~> 5.60",
        expressions: { region: constant(REGION) },
      },
    },
    root_module: {
      module_calls: {
        team: {
          source: "./modules/team",
          expressions: {
            name: references("each.key"),
            rotation_period_in_days: references("each.value.rotation_period_in_days", "each.value"),
            shard_rotation: references("each.value.shard_rotation", "each.value"),
          },
          for_each_expression: references("var.teams"),
          module: teamModuleConfiguration(),
        },
      },
      variables: { teams: {} },
    },
  };
  out.write(`}}},"configuration":${JSON.stringify(configuration)},"relevant_attributes":`);
  out.array(teams(teamCount), (team) => [
    { resource: `${team.module}.aws_kms_key.this`, attribute: ["key_id"] },
    { resource: `${team.module}.aws_kms_alias.this`, attribute: ["arn"] },
    ...team.shardRotation.map((_, shard) => ({
      resource: `${team.module}.aws_kms_key.shard[${shard}]`,
      attribute: ["arn"],
    })),
  ]);
  out.write(`,"timestamp":"2026-01-01T00:00:00Z","applyable":true,"complete":true,"errored":false}\n`);
  out.close();
  fs.writeFileSync(finished, GENERATOR_VERSION);
  return { file, directory, resources, bytes: out.bytes };
}
