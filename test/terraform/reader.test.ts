/**
 * gate/terraform: plans, state JSON and raw state read into resource records, with links. Against
 * the plans the real terraform wrote (./fixtures, made through the stand-in AWS provider) and against
 * small documents in Terraform's JSON format for what those fixtures do not show.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { RESOURCE_TYPES, SECRET_SIGNATURE, SPECIAL_SIGNATURE_KEY, UNKNOWN_BOOLEAN_SENTINEL } from "../../facts";
import type { ResourceRecord } from "../../gate/resourceRecord";
import { parseReference, parseResourceAddress } from "../../gate/terraform/address";
import { readDocument } from "../../gate/terraform/document";
import { readPlan } from "../../gate/terraform/plan";
import { locateResourceBlocks } from "../../gate/terraform/sourceLocations";
import { readRawState, readStateJson, sensitiveMaskOf } from "../../gate/terraform/state";
import { UsageError } from "../../gate/usageError";

const FIXTURES = path.join(__dirname, "fixtures");

function fixture(name: string, file = "plan.json"): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name, file), "utf8")) as Record<string, unknown>;
}

function byName(resources: ResourceRecord[], name: string): ResourceRecord {
  const found = resources.find((resource) => resource.name === name);
  if (!found) throw new Error(`no record ${name} among ${resources.map((resource) => resource.name).join(", ")}`);
  return found;
}

const plan = (name: string) => readPlan(fixture(name), `--plan ${name}/plan.json`).resources;

describe("Terraform addresses and references", () => {
  it("parses module instances, data sources and count/for_each keys", () => {
    expect(parseResourceAddress('module.a["eu west"].module.b[0].aws_kms_key.k["analytics"]')).toEqual({
      modules: [
        { name: "a", key: "eu west" },
        { name: "b", key: 0 },
      ],
      mode: "managed",
      type: "aws_kms_key",
      name: "k",
      key: "analytics",
    });
    expect(parseResourceAddress("data.aws_kms_key.shared")).toMatchObject({ mode: "data", type: "aws_kms_key" });
    expect(parseResourceAddress("aws_kms_key.k[*]")).toEqual({
      modules: [],
      mode: "managed",
      type: "aws_kms_key",
      name: "k",
    });
    expect(parseResourceAddress("aws_kms_key")).toBeUndefined();
    expect(parseResourceAddress("aws_kms_key.k.arn")).toBeUndefined();
  });

  it("tells what a reference names", () => {
    expect(parseReference("aws_kms_key.k[1].arn")).toEqual({
      kind: "resource",
      type: "aws_kms_key",
      name: "k",
      key: 1,
    });
    expect(parseReference('aws_kms_key.k["a\\"b"]')).toEqual({
      kind: "resource",
      type: "aws_kms_key",
      name: "k",
      key: 'a"b',
    });
    expect(parseReference("module.keys[0].key_arn")).toEqual({
      kind: "module-output",
      name: "keys",
      key: 0,
      output: "key_arn",
    });
    expect(parseReference("var.kms_key_arn")).toEqual({ kind: "variable", name: "kms_key_arn" });
    for (const other of ["data.aws_kms_key.shared.arn", "local.key", "count.index", "each.key", "path.module"])
      expect(parseReference(other)).toEqual({ kind: "other" });
  });
});

describe("plans made by the real terraform", () => {
  it("names every record by its full address under one stack, as URN urn:pulumi:plan::terraform::<type>::<address>", () => {
    const resources = plan("key-in-child-module");
    const stack = resources[0];
    expect(stack).toMatchObject({ type: RESOURCE_TYPES.pulumiStack, custom: false });
    const key = byName(resources, "module.warehouse_key.aws_kms_key.this");
    expect(key.urn).toBe("urn:pulumi:plan::terraform::aws:kms/key:Key::module.warehouse_key.aws_kms_key.this");
    expect(key.parent).toBe(stack.urn);
    expect(resources.slice(1).every((resource) => resource.parent === stack.urn && resource.custom)).toBe(true);
  });

  it("links a cluster to its key through a module output", () => {
    const resources = plan("key-in-child-module");
    const cluster = byName(resources, "aws_redshift_cluster.warehouse");
    const key = byName(resources, "module.warehouse_key.aws_kms_key.this");
    expect(cluster.propertyDependencies.kmsKeyId).toEqual([key.urn]);
    expect(cluster.dependencies).toEqual([key.urn]);
    // The key's ARN is unknown until apply, and the configuration sets kms_key_id: unknown, not absent.
    expect(cluster.inputs.kmsKeyId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("links a cluster in a module to the root's key through the module input (var.kms_key_arn)", () => {
    const resources = plan("module-input-key");
    const cluster = byName(resources, "module.warehouse.aws_redshift_cluster.this");
    expect(cluster.propertyDependencies.kmsKeyId).toEqual([byName(resources, "aws_kms_key.shared").urn]);
  });

  it('links the instance the expression names: aws_kms_key.k[1], aws_kms_key.k["analytics"]', () => {
    const counted = plan("count-keys");
    expect(byName(counted, "aws_redshift_cluster.main").propertyDependencies.kmsKeyId).toEqual([
      byName(counted, "aws_kms_key.k[1]").urn,
    ]);
    const keyed = plan("for-each-keys");
    expect(byName(keyed, "aws_redshift_cluster.analytics").propertyDependencies.kmsKeyId).toEqual([
      byName(keyed, 'aws_kms_key.k["analytics"]').urn,
    ]);
  });

  it("links a cluster to an alias and the alias to its key; a replica to its primary", () => {
    const aliased = plan("key-behind-alias");
    expect(byName(aliased, "aws_redshift_cluster.finance").propertyDependencies.kmsKeyId).toEqual([
      byName(aliased, "aws_kms_alias.finance").urn,
    ]);
    expect(byName(aliased, "aws_kms_alias.finance").propertyDependencies.targetKeyId).toEqual([
      byName(aliased, "aws_kms_key.finance").urn,
    ]);
    const replica = plan("replica-of-unrotated-primary");
    expect(byName(replica, "aws_kms_replica_key.west").propertyDependencies.primaryKeyArn).toEqual([
      byName(replica, "aws_kms_key.primary").urn,
    ]);
  });

  it("links nothing for a key from a data source, a local literal or a variable, whose known ARN the pack judges", () => {
    for (const name of ["external-key-data-source", "external-key-literal", "external-key-variable"]) {
      const resources = plan(name);
      const cluster = resources.find((resource) => resource.type === RESOURCE_TYPES.redshiftCluster)!;
      expect(cluster.propertyDependencies).toEqual({});
      expect(cluster.inputs.kmsKeyId).toMatch(/^arn:aws:kms:/);
    }
  });

  it("leaves an unset rotation period (unknown in the plan) to AWS's default, and keeps a configured unknown unknown", () => {
    const compliant = byName(plan("compliant-cluster"), "aws_kms_key.warehouse");
    expect(compliant.inputs).not.toHaveProperty("rotationPeriodInDays");
    expect(compliant.inputs.enableKeyRotation).toBe(true);
    const unknown = plan("unknown-in-plan");
    expect(byName(unknown, "aws_kms_key.ledger").inputs.enableKeyRotation).toBe(UNKNOWN_BOOLEAN_SENTINEL);
    // A module input whose default is null, not passed by the caller, is unset too.
    expect(byName(plan("key-in-child-module"), "module.warehouse_key.aws_kms_key.this").inputs).not.toHaveProperty(
      "rotationPeriodInDays",
    );
  });

  it("does not judge what the plan deletes, and judges what it leaves unchanged", () => {
    const document = fixture("key-being-deleted");
    const changes = document.resource_changes as { address: string; change: { actions: string[] } }[];
    expect(changes.find((change) => change.address === "aws_kms_key.legacy")?.change.actions).toEqual(["delete"]);
    const names = readPlan(document, "plan.json").resources.map((resource) => resource.name);
    expect(names).not.toContain("aws_kms_key.legacy");
    expect(names).toContain("aws_kms_key.current");
  });
});

/** A plan document in Terraform's format, from resource changes and a root module's resources. */
function planDocument(
  changes: {
    address: string;
    actions: string[];
    after?: Record<string, unknown>;
    unknown?: Record<string, unknown>;
    deposed?: string;
    mode?: string;
  }[],
  configuration: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    format_version: "1.2",
    terraform_version: "1.11.4",
    planned_values: { root_module: {} },
    resource_changes: changes.map((change) => ({
      address: change.address,
      mode: change.mode ?? "managed",
      type: parseResourceAddress(change.address)?.type,
      name: parseResourceAddress(change.address)?.name,
      ...(change.deposed ? { deposed: change.deposed } : {}),
      change: {
        actions: change.actions,
        before: null,
        after: change.after ?? {},
        after_unknown: change.unknown ?? {},
        before_sensitive: false,
        after_sensitive: {},
      },
    })),
    configuration: { root_module: configuration },
    ...extra,
  };
}

const resourceConfig = (address: string, expressions: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
  address,
  mode: "managed",
  type: address.split(".")[0],
  name: address.split(".")[1],
  expressions,
  schema_version: 0,
  ...more,
});

describe("plans: what the fixtures do not show", () => {
  it("accepts format 0.1 to 1.x and refuses 2.x and errored plans, naming the file", () => {
    for (const version of ["0.1", "0.2", "1.0", "1.2", "1.9"])
      expect(() => readPlan(planDocument([], {}, { format_version: version }), "--plan p.json")).not.toThrow();
    expect(() => readPlan(planDocument([], {}, { format_version: "2.0" }), "--plan p.json")).toThrow(
      /--plan p\.json: format_version is "2\.0"; keyguard reads Terraform plan JSON of format 0\.x and 1\.x/,
    );
    expect(() => readPlan(planDocument([], {}, { errored: true }), "--plan p.json")).toThrow(/errored/);
  });

  it("judges replaced and unchanged instances; not deleted, forgotten or deposed ones, nor data sources", () => {
    const resources = readPlan(
      planDocument([
        { address: "aws_kms_key.created", actions: ["create"] },
        { address: "aws_kms_key.unchanged", actions: ["no-op"] },
        { address: "aws_kms_key.replaced", actions: ["delete", "create"] },
        { address: "aws_kms_key.replaced", actions: ["delete"], deposed: "00000001" },
        { address: "aws_kms_key.deleted", actions: ["delete"] },
        { address: "aws_kms_key.forgotten", actions: ["forget"] },
        { address: "data.aws_kms_key.read", actions: ["read"], mode: "data" },
      ]),
      "p.json",
    ).resources;
    expect(resources.slice(1).map((resource) => resource.name)).toEqual([
      "aws_kms_key.created",
      "aws_kms_key.unchanged",
      "aws_kms_key.replaced",
    ]);
  });

  it("links every instance when the expression names none (aws_kms_key.k[count.index]), and what depends_on names", () => {
    const resources = readPlan(
      planDocument(
        [
          { address: "aws_kms_key.k[0]", actions: ["create"] },
          { address: "aws_kms_key.k[1]", actions: ["create"] },
          { address: "aws_kms_key.other", actions: ["create"] },
          { address: "aws_redshift_cluster.c[0]", actions: ["create"], unknown: { kms_key_id: true } },
        ],
        {
          resources: [
            resourceConfig("aws_kms_key.k", {}, { count_expression: { constant_value: 2 } }),
            resourceConfig("aws_kms_key.other", {}),
            resourceConfig(
              "aws_redshift_cluster.c",
              { kms_key_id: { references: ["aws_kms_key.k", "count.index"] } },
              { depends_on: ["aws_kms_key.other"] },
            ),
          ],
        },
      ),
      "p.json",
    ).resources;
    const cluster = byName(resources, "aws_redshift_cluster.c[0]");
    const urn = (name: string) => byName(resources, name).urn;
    expect(cluster.propertyDependencies.kmsKeyId).toEqual([urn("aws_kms_key.k[0]"), urn("aws_kms_key.k[1]")]);
    expect(cluster.dependencies.sort()).toEqual(
      [urn("aws_kms_key.k[0]"), urn("aws_kms_key.k[1]"), urn("aws_kms_key.other")].sort(),
    );
  });

  it("follows a module output of one instance of a module with for_each", () => {
    const module = {
      outputs: { arn: { expression: { references: ["aws_kms_key.this.arn", "aws_kms_key.this"] } } },
      resources: [resourceConfig("aws_kms_key.this", {})],
    };
    const resources = readPlan(
      planDocument(
        [
          { address: 'module.keys["eu"].aws_kms_key.this', actions: ["create"] },
          { address: 'module.keys["us"].aws_kms_key.this', actions: ["create"] },
          { address: "aws_redshift_cluster.c", actions: ["create"], unknown: { kms_key_id: true } },
        ],
        {
          resources: [
            resourceConfig("aws_redshift_cluster.c", {
              kms_key_id: { references: ['module.keys["us"].arn', 'module.keys["us"]'] },
            }),
          ],
          module_calls: { keys: { source: "./keys", for_each_expression: { constant_value: {} }, module } },
        },
      ),
      "p.json",
    );
    expect(byName(resources.resources, "aws_redshift_cluster.c").propertyDependencies.kmsKeyId).toEqual([
      byName(resources.resources, 'module.keys["us"].aws_kms_key.this').urn,
    ]);
    expect(resources.moduleSources).toEqual(new Map([["module.keys", "./keys"]]));
  });

  it("makes what after_sensitive marks a secret (a sensitive variable's value), at any depth", () => {
    const document = planDocument([{ address: "aws_redshift_cluster.c", actions: ["create"] }]);
    const change = (document.resource_changes as { change: Record<string, unknown> }[])[0].change;
    change.after = { cluster_identifier: "warehouse", tags: { owner: "data-team" }, master_username: "admin" };
    change.after_sensitive = { tags: { owner: true }, master_username: true };
    const cluster = byName(readPlan(document, "p.json").resources, "aws_redshift_cluster.c");
    const secret = (value: unknown) => ({ [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE, value });
    expect(cluster.inputs).toEqual({
      clusterIdentifier: "warehouse",
      tags: { owner: secret("data-team") },
      masterUsername: secret("admin"),
    });
  });

  it("keeps an unknown unknown when the plan has no configuration to tell it is unset", () => {
    const document = planDocument([
      {
        address: "aws_kms_key.k",
        actions: ["create"],
        after: { enable_key_rotation: true },
        unknown: { rotation_period_in_days: true },
      },
    ]);
    delete document.configuration;
    const key = byName(readPlan(document, "p.json").resources, "aws_kms_key.k");
    expect(key.inputs.rotationPeriodInDays).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("judges a deferred change, with what the configuration sets unknown", () => {
    const document = planDocument([], {
      resources: [resourceConfig("aws_kms_key.k", { enable_key_rotation: { references: ["var.x"] } })],
    });
    document.deferred_changes = [
      {
        reason: "provider_config_unknown",
        resource_change: {
          address: "aws_kms_key.k",
          mode: "managed",
          type: "aws_kms_key",
          name: "k",
          change: { actions: ["create"], after: null, after_unknown: true },
        },
      },
    ];
    const key = byName(readPlan(document, "p.json").resources, "aws_kms_key.k");
    expect(key.inputs.enableKeyRotation).toBe(UNKNOWN_BOOLEAN_SENTINEL);
  });
});

describe("resource blocks in the .tf files", () => {
  it("finds a downloaded module's folder through .terraform/modules/modules.json, and leaves unknown folders alone", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-tf-"));
    try {
      fs.writeFileSync(
        path.join(root, "main.tf"),
        'module "keys" {\n  source = "terraform-aws-modules/kms/aws"\n}\n\nresource aws_redshift_cluster c {\n}\n',
      );
      const moduleDir = path.join(root, ".terraform", "modules", "keys");
      fs.mkdirSync(moduleDir, { recursive: true });
      fs.writeFileSync(path.join(moduleDir, "main.tf"), '# keys\n\n  resource "aws_kms_key" "this" {\n}\n');
      const document = planDocument(
        [
          { address: "module.keys.aws_kms_key.this", actions: ["create"] },
          { address: "module.other.aws_kms_key.this", actions: ["create"] },
          { address: "aws_redshift_cluster.c", actions: ["create"] },
        ],
        {
          resources: [resourceConfig("aws_redshift_cluster.c", {})],
          module_calls: {
            keys: {
              source: "terraform-aws-modules/kms/aws",
              module: { resources: [resourceConfig("aws_kms_key.this", {})] },
            },
            other: {
              source: "git::https://example.com/keys.git",
              module: { resources: [resourceConfig("aws_kms_key.this", {})] },
            },
          },
        },
      );
      const records = readPlan(document, "p.json");
      const unlocated = () =>
        records.resources
          .filter((resource) => resource.custom && !resource.sourceLocation)
          .map((resource) => resource.name);
      fs.writeFileSync(
        path.join(root, ".terraform", "modules", "modules.json"),
        JSON.stringify({
          Modules: [
            { Key: "", Source: "", Dir: "." },
            {
              Key: "keys",
              Source: "registry.terraform.io/terraform-aws-modules/kms/aws",
              Dir: ".terraform/modules/keys",
            },
          ],
        }),
      );
      expect(locateResourceBlocks(records, root)).toBe(2);
      expect(byName(records.resources, "module.keys.aws_kms_key.this").sourceLocation).toEqual({
        file: path.join(moduleDir, "main.tf"),
        line: 3,
        column: 3,
      });
      expect(byName(records.resources, "aws_redshift_cluster.c").sourceLocation).toEqual({
        file: path.join(root, "main.tf"),
        line: 5,
        column: 1,
      });
      expect(unlocated()).toEqual(["module.other.aws_kms_key.this"]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("state", () => {
  it("reads terraform show -json state and the raw state into the same records, linked by value", () => {
    const json = readStateJson(fixture("state-compliant-and-unrotated", "state.json"), "state.json");
    const raw = readRawState(fixture("state-compliant-and-unrotated", "terraform.tfstate"), "terraform.tfstate");
    expect(json.stack).toEqual({ project: "terraform", stack: "state" });
    expect(raw.resources.map((resource) => resource.urn).sort()).toEqual(
      json.resources.map((resource) => resource.urn).sort(),
    );
    for (const record of json.resources) {
      const twin = raw.resources.find((resource) => resource.urn === record.urn)!;
      expect(twin.outputs).toEqual(record.outputs);
    }
    const key = byName(json.resources, "aws_kms_key.legacy");
    const cluster = byName(json.resources, "aws_redshift_cluster.legacy");
    expect(cluster.inputs.kmsKeyId).toBe(key.outputs.arn);
    expect(cluster.propertyDependencies).toEqual({});
  });

  it("turns raw state's sensitive paths into a mask", () => {
    expect(
      sensitiveMaskOf([
        [{ type: "get_attr", value: "master_password" }],
        [
          { type: "get_attr", value: "tags" },
          { type: "index", value: { value: "owner", type: "string" } },
        ],
      ]),
    ).toEqual({ master_password: true, tags: { owner: true } });
  });

  it("refuses empty states, other raw state versions and other format versions", () => {
    expect(() => readStateJson({ format_version: "1.0" }, "s.json")).toThrow(/s\.json has no managed resources/);
    expect(() => readRawState({ version: 3, serial: 1, lineage: "x", resources: [] }, "t.tfstate")).toThrow(
      /t\.tfstate: "version" is 3; keyguard reads raw Terraform state of version 4/,
    );
    expect(() => readStateJson({ format_version: "2.0", values: {} }, "s.json")).toThrow(/format_version is "2\.0"/);
  });
});

describe("telling documents apart", () => {
  const read = (text: string) =>
    readDocument(text, "--plan x.json", ["terraform-plan"], "make one with terraform show -json plan.out");

  it("names the file and what it is", () => {
    expect(() => read("not json")).toThrow(/^--plan x\.json is not JSON: .*expected a Terraform plan/);
    expect(() => read("[1]")).toThrow(/--plan x\.json holds .*not a Terraform plan/);
    expect(() => read(JSON.stringify({ format_version: "1.0", values: { root_module: {} } }))).toThrow(
      /--plan x\.json is a Terraform state \(terraform show -json, without a plan\), not a Terraform plan/,
    );
    expect(() => read(JSON.stringify({ version: 3, deployment: {} }))).toThrow(/is a Pulumi stack export/);
    expect(() => read(JSON.stringify({ hello: "world" }))).toThrow(
      /a JSON document keyguard does not know \(top-level keys: hello\)/,
    );
    expect(read(JSON.stringify(fixture("rotation-off"))).kind).toBe("terraform-plan");
  });

  it("tells both state forms apart by content", () => {
    const states = ["terraform-state", "terraform-raw-state"] as const;
    const text = (file: string) => fs.readFileSync(path.join(FIXTURES, "state-compliant-and-unrotated", file), "utf8");
    expect(readDocument(text("state.json"), "s", states, "").kind).toBe("terraform-state");
    expect(readDocument(text("terraform.tfstate"), "s", states, "").kind).toBe("terraform-raw-state");
    expect(() => readDocument(text("plan.json"), "audit p.json", states, "use keyguard check --plan")).toThrow(
      UsageError,
    );
  });
});
