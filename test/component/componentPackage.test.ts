/**
 * EncryptedRedshiftCluster as a component package, through the interface the Pulumi engine uses: the
 * package's host process started as the Node.js language host starts a `runtime: nodejs` plugin,
 * asked over `pulumirpc.ResourceProvider` for its schema (GetSchema) and to build the component
 * (Construct) against a fake engine monitor served here. Same inputs, same checks, same messages as
 * the TypeScript class (test/component/encryptedRedshiftCluster.test.ts), and the alias from the
 * TypeScript class's type token on the component and, through it, on every child.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ENCRYPTED_REDSHIFT_CLUSTER_PACKAGE_TYPE,
  RESOURCE_TYPES,
  SECRET_SIGNATURE,
  SPECIAL_SIGNATURE_KEY,
  UNKNOWN_STRING_SENTINEL,
} from "../../facts";
import { ACCOUNT_ID, PROVIDER_REGION } from "../support/awsAnswers";
import {
  type ComponentPackageHost,
  type FakeEngine,
  PLUGIN_DIRECTORY,
  type Registration,
  startComponentPackage,
  startFakeEngine,
} from "../support/componentPackageHost";

const REPOSITORY_ROOT = path.resolve(__dirname, "../..");
const PROJECT = "keyguard";
const STACK = "test";
const STACK_URN = `urn:pulumi:${STACK}::${PROJECT}::${RESOURCE_TYPES.pulumiStack}::${PROJECT}-${STACK}`;
const PASSWORD = "Sup3rSecretPw1";
const RESOURCE_REFERENCE_SIGNATURE = "5cf8f73096256a8f31e491e813e4eb8e";
const secret = (value: unknown) => ({ [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE, value });
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;

type Schema = {
  name: string;
  version: string;
  resources: Record<
    string,
    {
      isComponent: boolean;
      description: string;
      inputProperties: Record<string, Property>;
      requiredInputs: string[];
      properties: Record<string, Property>;
      required: string[];
    }
  >;
  types: Record<string, { type: string; properties: Record<string, Property> }>;
  dependencies: Array<{ name: string; version: string }>;
};
type Property = {
  type?: string;
  $ref?: string;
  description?: string;
  additionalProperties?: Property;
  items?: Property;
};

let engine: FakeEngine;
let plugin: ComponentPackageHost;
let projectDirectory: string;
let schema: Schema;

beforeAll(async () => {
  engine = await startFakeEngine({ project: PROJECT, stack: STACK, supportsAliasSpecs: false });
  // The language host runs a plugin in the program's directory: a project of another language, here an empty one.
  projectDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-consumer-"));
  plugin = await startComponentPackage({ engineAddress: engine.address, projectDirectory });
  // The schema is inferred from the TypeScript declarations at the first request: seconds on a busy machine.
  schema = (await plugin.getSchema()) as unknown as Schema;
}, 180_000);

afterAll(async () => {
  await plugin?.stop();
  await engine?.stop();
  if (projectDirectory) fs.rmSync(projectDirectory, { recursive: true, force: true });
});

function construct(name: string, inputs: Record<string, unknown>, options: { dryRun?: boolean } = {}) {
  return plugin.construct({
    project: PROJECT,
    stack: STACK,
    monitorEndpoint: engine.address,
    type: ENCRYPTED_REDSHIFT_CLUSTER_PACKAGE_TYPE,
    name,
    parent: STACK_URN,
    inputs,
    ...options,
  });
}

function registered(name: string): Registration {
  const found = engine.registrations.filter((registration) => registration.name === name);
  expect(found, `${name} registered once`).toHaveLength(1);
  return found[0];
}

function registeredUnder(prefix: string): string[] {
  return engine.registrations
    .filter((registration) => registration.name === prefix || registration.name.startsWith(`${prefix}-`))
    .map((registration) => `${registration.type} ${registration.name}`);
}

/** The key policy for the account and region, as the TypeScript tests write it out. */
function expectedKeyPolicy(region: string) {
  return {
    Version: "2012-10-17",
    Id: "keyguard-redshift-cluster-key",
    Statement: [
      {
        Sid: "AccountAdministersTheKey",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "RedshiftUsesTheKeyForTheAccount",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [
          "kms:Encrypt",
          "kms:Decrypt",
          "kms:ReEncrypt*",
          "kms:GenerateDataKey*",
          "kms:CreateGrant",
          "kms:ListGrants",
          "kms:DescribeKey",
        ],
        Resource: "*",
        Condition: {
          StringEquals: { "kms:ViaService": `redshift.${region}.amazonaws.com`, "kms:CallerAccount": ACCOUNT_ID },
        },
      },
    ],
  };
}

describe("the package", () => {
  test("PulumiPlugin.yaml runs it with Node.js; its name and version are keyguard's, the version consumers pin", () => {
    expect(fs.readFileSync(path.join(PLUGIN_DIRECTORY, "PulumiPlugin.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
    const pluginManifest = readJson(path.join(PLUGIN_DIRECTORY, "package.json"));
    const rootManifest = readJson(path.join(REPOSITORY_ROOT, "package.json"));
    expect(pluginManifest).toMatchObject({ name: "keyguard", version: rootManifest.version, main: "index.js" });
    expect(schema).toMatchObject({ name: "keyguard", version: rootManifest.version });
  });

  test("npm pack ships the package with the declarations the schema is read from and the code the host runs", () => {
    const [packed] = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
        cwd: REPOSITORY_ROOT,
        encoding: "utf8",
      }),
    ) as Array<{ files: Array<{ path: string }> }>;
    const files = packed.files.map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining([
        "components/plugin/PulumiPlugin.yaml",
        "components/plugin/package.json",
        "components/plugin/tsconfig.json",
        "components/plugin/index.ts",
        "components/plugin/index.js",
        "dist/components/encryptedRedshiftCluster/multiLanguage.js",
        "dist/components/encryptedRedshiftCluster/multiLanguage.d.ts",
        "dist/components/encryptedRedshiftCluster/args.d.ts",
      ]),
    );
  }, 60_000);

  test("the same schema where the typescript package is not installed (an installed keyguard: it is a devDependency)", async () => {
    // @pulumi/pulumi then infers the schema with the TypeScript it vendors (3.8.3).
    const bare = await startComponentPackage({
      engineAddress: engine.address,
      projectDirectory,
      env: { NODE_OPTIONS: `--require ${path.join(__dirname, "../support/withoutTypeScript.js")}` },
    });
    try {
      expect(await bare.getSchema()).toEqual(schema);
    } finally {
      await bare.stop();
    }
  }, 180_000);
});

describe("GetSchema", () => {
  const resource = () => schema.resources[ENCRYPTED_REDSHIFT_CLUSTER_PACKAGE_TYPE];
  const input = (name: string) => resource().inputProperties[name];

  test("one component resource, keyguard:index:EncryptedRedshiftCluster, described", () => {
    expect(Object.keys(schema.resources)).toEqual([ENCRYPTED_REDSHIFT_CLUSTER_PACKAGE_TYPE]);
    expect(resource().isComponent).toBe(true);
    expect(resource().description).toMatch(
      /^An Amazon Redshift cluster encrypted under a dedicated KMS key that rotates/,
    );
    expect(resource().requiredInputs).toEqual(["clusterIdentifier", "nodeType"]);
  });

  test.each([
    ["rotationPeriodInDays", "number", /whole number from\s+90 to 2560\. Default: 365\./],
    ["deletionWindowInDays", "number", /7 to 30\.\s+Default: 30\./],
    ["clusterIdentifier", "string", /1 to 63 lowercase letters, digits and hyphens.*Required: no default\./s],
    ["nodeType", "string", /^Redshift node type, for example "ra3\.xlplus".*Required: no default\.$/],
    [
      "kmsKeyArn",
      "string",
      /^Bring your own key: the ARN of an existing symmetric KMS key.*Default: none \(the component creates a dedicated rotating key\)\.$/s,
    ],
    ["masterPassword", "string", /only as a Pulumi secret.*Default: none \(Redshift manages the password\)\./s],
    ["manageMasterPassword", "boolean", /Default: true unless `masterPassword` is given/],
    ["aliasName", "string", /Default: "alias\/<clusterIdentifier>"/],
    ["retainKeyOnDelete", "boolean", /Default: true, unless\s+`skipFinalSnapshot` is true/],
    ["rotateOnKeyChange", "boolean", /RotateEncryptionKey\. Default: true\./],
  ])("input %s: %s, described with its default", (name, type, description) => {
    expect(input(name).type).toBe(type);
    expect(input(name).description).toMatch(description);
  });

  test("input rotation: the KeyRotationSettings type, every setting typed and described with its default", () => {
    expect(input("rotation")).toMatchObject({
      $ref: "#/types/keyguard:index:KeyRotationSettings",
      description: expect.stringMatching(/Default: its own defaults\.$/),
    });
    const settings = schema.types["keyguard:index:KeyRotationSettings"];
    expect(settings.type).toBe("object");
    const types = Object.fromEntries(
      Object.entries(settings.properties).map(([name, property]) => [name, property.type]),
    );
    expect(types).toEqual({
      region: "string",
      timeoutMinutes: "number",
      followKeyMaterialRotations: "boolean",
      profile: "string",
      roleArn: "string",
      redshiftEndpoint: "string",
      kmsEndpoint: "string",
      triggers: "object",
    });
    // "string, number or boolean" is a union a schema cannot carry: any value, checked by RedshiftKeyRotation.
    expect(settings.properties.triggers.additionalProperties).toEqual({ $ref: "pulumi.json#/Any" });
    for (const [name, property] of Object.entries(settings.properties))
      expect(property.description, name).toMatch(/Default: /);
  });

  test("every aws.redshift.Cluster argument passes through typed; those the component sets itself say so", () => {
    const inputs = resource().inputProperties;
    for (const name of [
      "numberOfNodes",
      "databaseName",
      "clusterSubnetGroupName",
      "vpcSecurityGroupIds",
      "skipFinalSnapshot",
      "finalSnapshotIdentifier",
      "tags",
      "region",
    ]) {
      expect(inputs[name], name).toBeDefined();
    }
    expect(inputs.vpcSecurityGroupIds).toMatchObject({ type: "array", items: { type: "string" } });
    expect(inputs.tags).toMatchObject({ type: "object", additionalProperties: { type: "string" } });
    // No input the analyzer could not type.
    expect(
      Object.entries(inputs)
        .filter(([, property]) => property.$ref === "pulumi.json#/Any")
        .map(([name]) => name),
    ).toEqual([]);
    expect(inputs.encrypted.description).toMatch(/^Set by the component: always "true"/);
    expect(inputs.kmsKeyId.description).toMatch(/pass `kmsKeyArn` to bring your own key/);
    expect(inputs.publiclyAccessible.description).toMatch(/^Set by the component: always false/);
    expect(inputs.enhancedVpcRouting.description).toMatch(/^Set by the component: always true/);
    expect(inputs.masterPasswordWo.description).toMatch(/^Not supported: refused/);
  });

  test("outputs: the key, alias and cluster as references to @pulumi/aws resources, and the values", () => {
    const awsVersion = readJson(path.join(REPOSITORY_ROOT, "node_modules/@pulumi/aws/package.json")).version as string;
    const outputs = resource().properties;
    expect(outputs.key.$ref).toBe(`/aws/v${awsVersion}/schema.json#/resources/aws:kms%2Fkey:Key`);
    expect(outputs.alias.$ref).toBe(`/aws/v${awsVersion}/schema.json#/resources/aws:kms%2Falias:Alias`);
    expect(outputs.cluster.$ref).toBe(`/aws/v${awsVersion}/schema.json#/resources/aws:redshift%2Fcluster:Cluster`);
    for (const name of ["keyArn", "clusterIdentifier", "endpoint", "aliasName", "keyRotationId"])
      expect(outputs[name], name).toMatchObject({ type: "string", description: expect.any(String) });
    expect(resource().required).toEqual(["cluster", "clusterIdentifier", "endpoint", "keyArn"]);
    expect(schema.dependencies).toEqual([{ name: "aws", version: awsVersion }]);
  });
});

describe("Construct", () => {
  test("the key, its alias, the cluster and the rotation, with exactly the inputs the TypeScript class gives them", async () => {
    // The arguments of the TypeScript tests' first case: every one passes through to the cluster.
    const warehouse = {
      clusterIdentifier: "analytics",
      nodeType: "ra3.xlplus",
      numberOfNodes: 2,
      databaseName: "sales",
      masterUsername: "admin_user",
      clusterSubnetGroupName: "private-subnets",
      vpcSecurityGroupIds: ["sg-0123456789abcdef0"],
      automatedSnapshotRetentionPeriod: 7,
      preferredMaintenanceWindow: "sun:03:00-sun:03:30",
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "analytics-final",
      tags: { team: "data" },
    };
    const result = await construct("wh", warehouse);
    const componentUrn = `urn:pulumi:${STACK}::${PROJECT}::${ENCRYPTED_REDSHIFT_CLUSTER_PACKAGE_TYPE}::wh`;
    expect(result.urn).toBe(componentUrn);
    expect(registeredUnder("wh")).toEqual([
      `${ENCRYPTED_REDSHIFT_CLUSTER_PACKAGE_TYPE} wh`,
      "aws:kms/key:Key wh-key",
      "aws:kms/alias:Alias wh-alias",
      "aws:redshift/cluster:Cluster wh-cluster",
      `${RESOURCE_TYPES.redshiftKeyRotation} wh-key-rotation`,
    ]);
    const keyArn = `arn:aws:kms:${PROVIDER_REGION}:${ACCOUNT_ID}:key/key-wh-key`;
    const keyInputs = registered("wh-key").inputs;
    expect({ ...keyInputs, policy: JSON.parse(keyInputs.policy as string) }).toEqual({
      description: "Encrypts Amazon Redshift cluster analytics (managed by keyguard)",
      keyUsage: "ENCRYPT_DECRYPT",
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: 30,
      policy: expectedKeyPolicy(PROVIDER_REGION),
      tags: { team: "data" },
    });
    expect(registered("wh-alias").inputs).toEqual({ name: "alias/analytics", targetKeyId: "key-wh-key" });
    expect(registered("wh-cluster").inputs).toEqual({
      ...warehouse,
      encrypted: "true",
      kmsKeyId: keyArn,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      manageMasterPassword: true,
    });
    const { __provider: serializedProvider, ...rotationInputs } = registered("wh-key-rotation").inputs;
    expect(serializedProvider).toMatch(/^exports\.handler = /);
    expect(rotationInputs).toEqual({ clusterIdentifier: "analytics", kmsKeyId: keyArn, region: PROVIDER_REGION });

    // Every child is the component's, the cluster's key and the rotation's order are known to the engine.
    for (const child of ["wh-key", "wh-alias", "wh-cluster", "wh-key-rotation"])
      expect(registered(child).parent, child).toBe(componentUrn);
    const keyUrn = registered("wh-key").urn;
    const clusterUrn = registered("wh-cluster").urn;
    expect(registered("wh-cluster").propertyDependencies.kmsKeyId).toEqual([keyUrn]);
    expect(registered("wh-key-rotation").dependencies).toEqual(expect.arrayContaining([clusterUrn, keyUrn]));

    // The component's outputs: values, and the key, alias and cluster as resource references.
    const reference = (name: string) => ({
      [SPECIAL_SIGNATURE_KEY]: RESOURCE_REFERENCE_SIGNATURE,
      urn: registered(name).urn,
      id: `${name}-id`,
    });
    expect(result.state).toEqual({
      keyArn,
      clusterIdentifier: "analytics",
      endpoint: `analytics.abc123.${PROVIDER_REGION}.redshift.amazonaws.com:5439`,
      aliasName: "alias/analytics",
      keyRotationId: "wh-key-rotation-id",
      key: expect.objectContaining(reference("wh-key")),
      alias: expect.objectContaining(reference("wh-alias")),
      cluster: expect.objectContaining(reference("wh-cluster")),
    });
    expect(engine.outputs.get(componentUrn)).toEqual({
      keyArn,
      clusterIdentifier: "analytics",
      endpoint: `analytics.abc123.${PROVIDER_REGION}.redshift.amazonaws.com:5439`,
      aliasName: "alias/analytics",
      keyRotationId: "wh-key-rotation-id",
    });
  });

  test("bring your own key and rotation settings from another language: no key, no alias; triggers of any scalar reach the rotation", async () => {
    const byokArn = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const result = await construct("byok", {
      clusterIdentifier: "byok",
      nodeType: "ra3.large",
      kmsKeyArn: byokArn,
      rotation: { region: "eu-north-1", timeoutMinutes: 45, triggers: { ticket: "SEC-42", attempt: 2, urgent: true } },
    });
    expect(registeredUnder("byok")).toEqual([
      `${ENCRYPTED_REDSHIFT_CLUSTER_PACKAGE_TYPE} byok`,
      "aws:redshift/cluster:Cluster byok-cluster",
      `${RESOURCE_TYPES.redshiftKeyRotation} byok-key-rotation`,
    ]);
    expect(registered("byok-cluster").inputs).toMatchObject({ kmsKeyId: byokArn, encrypted: "true" });
    const { __provider: _serialized, ...rotationInputs } = registered("byok-key-rotation").inputs;
    expect(rotationInputs).toEqual({
      clusterIdentifier: "byok",
      kmsKeyId: byokArn,
      region: "eu-north-1",
      timeoutMinutes: 45,
      triggers: { ticket: "SEC-42", attempt: 2, urgent: true },
    });
    expect(result.state).not.toHaveProperty("key");
    expect(result.state).not.toHaveProperty("aliasName");
    expect(result.state.keyArn).toBe(byokArn);
  });

  test("a secret password stays secret: on the wire to the engine, never in the component's outputs or its logs", async () => {
    const result = await construct("pw", {
      clusterIdentifier: "pw",
      nodeType: "ra3.large",
      masterPassword: secret(PASSWORD),
    });
    const clusterInputs = registered("pw-cluster").inputs;
    expect(clusterInputs.masterPassword).toEqual(secret(PASSWORD));
    // Not both: Redshift refuses a password together with manageMasterPassword.
    expect(clusterInputs).not.toHaveProperty("manageMasterPassword");
    expect(JSON.stringify(result.state)).not.toContain(PASSWORD);
    expect(JSON.stringify([...engine.outputs.values()])).not.toContain(PASSWORD);
    // Pulumi's SDK echoes whole RegisterResource responses into its debug log (shown with --debug);
    // nothing the component says at any other level carries the password.
    expect(engine.logs.filter((log) => log.severity !== "debug" && log.message.includes(PASSWORD))).toEqual([]);
  });

  test("during a preview, values the engine cannot know yet pass unchecked to the children, as unknowns", async () => {
    await construct(
      "pv",
      { clusterIdentifier: UNKNOWN_STRING_SENTINEL, nodeType: "ra3.large", kmsKeyArn: UNKNOWN_STRING_SENTINEL },
      { dryRun: true },
    );
    expect(registeredUnder("pv")).toEqual([
      `${ENCRYPTED_REDSHIFT_CLUSTER_PACKAGE_TYPE} pv`,
      "aws:redshift/cluster:Cluster pv-cluster",
      `${RESOURCE_TYPES.redshiftKeyRotation} pv-key-rotation`,
    ]);
    expect(registered("pv-cluster").inputs).toMatchObject({
      clusterIdentifier: UNKNOWN_STRING_SENTINEL,
      kmsKeyId: UNKNOWN_STRING_SENTINEL,
      encrypted: "true",
      publiclyAccessible: false,
    });
  });

  test.each([
    [
      "refused-period",
      { rotationPeriodInDays: 30 },
      'EncryptedRedshiftCluster "refused-period": invalid arguments:\n  - rotationPeriodInDays: got 30; AWS KMS allows 90 to 2560 days',
    ],
    ["refused-plain", { masterPassword: PASSWORD }, "masterPassword: got a plain string; it must be a Pulumi secret"],
    [
      "refused-public",
      { publiclyAccessible: true },
      "publiclyAccessible: got true; the component keeps the cluster private",
    ],
    ["refused-no-node", { nodeType: undefined }, "nodeType: missing; it is required"],
  ])("%s: bad input is refused with the component's message, nothing registered", async (name, change, message) => {
    const before = engine.registrations.length;
    const inputs = Object.fromEntries(
      Object.entries({ clusterIdentifier: "refused", nodeType: "ra3.large", ...change }).filter(
        ([, value]) => value !== undefined,
      ),
    );
    const failure = await construct(name, inputs).then(
      () => "constructed",
      (error: Error) => error.message,
    );
    expect(failure).toContain(message);
    expect(failure).not.toContain(PASSWORD);
    expect(engine.registrations.length).toBe(before);
  });
});

describe("the alias from the TypeScript class's type token", () => {
  // The monitor here does not support alias specs, so the SDK computes every alias URN itself, as
  // allAliases in @pulumi/pulumi's resource.ts does: a child inherits one per alias of its parent.
  // (With alias specs, the SDK sends the component's alias and the engine derives the children's.)
  test("the component and every child keep the URNs a TypeScript stack gave them: no replacement", async () => {
    await construct("moved", { clusterIdentifier: "moved", nodeType: "ra3.large" });
    const old = `urn:pulumi:${STACK}::${PROJECT}::${RESOURCE_TYPES.encryptedRedshiftCluster}`;
    expect(registered("moved").aliasUrns).toEqual([`${old}::moved`]);
    expect(registered("moved-key").aliasUrns).toEqual([`${old}$aws:kms/key:Key::moved-key`]);
    expect(registered("moved-alias").aliasUrns).toEqual([`${old}$aws:kms/alias:Alias::moved-alias`]);
    expect(registered("moved-cluster").aliasUrns).toEqual([`${old}$aws:redshift/cluster:Cluster::moved-cluster`]);
    expect(registered("moved-key-rotation").aliasUrns).toEqual([
      `${old}$${RESOURCE_TYPES.redshiftKeyRotation}::moved-key-rotation`,
    ]);
  });
});

describe("the alias, to an engine that takes alias specs (as today's Pulumi engines do)", () => {
  // Such an engine gets the component's alias as a spec and derives every child's from its parent's
  // (children's URNs carry the parent's type), so the children send none of their own.
  let specEngine: FakeEngine;
  let specPlugin: ComponentPackageHost;
  beforeAll(async () => {
    specEngine = await startFakeEngine({ project: PROJECT, stack: STACK, supportsAliasSpecs: true });
    specPlugin = await startComponentPackage({ engineAddress: specEngine.address, projectDirectory });
  }, 180_000);
  afterAll(async () => {
    await specPlugin?.stop();
    await specEngine?.stop();
  });

  test("the component sends its alias to the TypeScript class's type, under the same parent", async () => {
    await specPlugin.construct({
      project: PROJECT,
      stack: STACK,
      monitorEndpoint: specEngine.address,
      type: ENCRYPTED_REDSHIFT_CLUSTER_PACKAGE_TYPE,
      name: "spec",
      parent: STACK_URN,
      inputs: { clusterIdentifier: "spec", nodeType: "ra3.large" },
    });
    const byName = (name: string) => specEngine.registrations.find((registration) => registration.name === name)!;
    expect(byName("spec").aliasSpecs).toEqual([
      { name: "", type: RESOURCE_TYPES.encryptedRedshiftCluster, parentUrn: STACK_URN, noParent: false },
    ]);
    for (const child of ["spec-key", "spec-alias", "spec-cluster", "spec-key-rotation"]) {
      expect(byName(child).parent, child).toBe(byName("spec").urn);
      expect(byName(child).aliasSpecs, child).toEqual([]);
    }
  }, 120_000);
});
