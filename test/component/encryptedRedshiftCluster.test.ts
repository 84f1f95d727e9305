/**
 * EncryptedRedshiftCluster under Pulumi's unit-test mocks: the exact inputs each child receives, the
 * parent/child structure, the outputs, the secret-ness of the password, and every bad argument.
 */
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { ACCOUNT_ID, PROVIDER_REGION, installMockCloud, valueOf } from "./mockCloud";

// setMocks before the component module (and @pulumi/aws) is loaded.
const cloud = installMockCloud();
let component: typeof import("../../components/encryptedRedshiftCluster");
beforeAll(async () => {
  component = await import("../../components/encryptedRedshiftCluster");
});

const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
const PASSWORD = "Sup3rSecretPw1";
const BYOK_ARN = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";

type Cluster = InstanceType<typeof component.EncryptedRedshiftCluster>;

/** Waits until every child of the component is registered with the mocks. */
async function settled(cluster: Cluster): Promise<void> {
  await Promise.all(
    [cluster, cluster.key, cluster.alias, cluster.cluster, cluster.keyRotation]
      .filter((resource) => resource !== undefined)
      .map((resource) => valueOf(resource!.urn)),
  );
  await valueOf(cluster.endpoint);
}

function inputsOf(type: string, name: string): Record<string, unknown> {
  const found = cloud.registrations.filter((registration) => registration.type === type && registration.name === name);
  expect(found, `${type} ${name} registered once`).toHaveLength(1);
  return found[0].inputs;
}

function registeredNames(prefix: string): string[] {
  return cloud.registrations
    .filter((registration) => registration.name === prefix || registration.name.startsWith(`${prefix}-`))
    .map((registration) => `${registration.type} ${registration.name}`);
}

/** The key policy the component must produce for an account/region, written out in full. */
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

describe("the resources it creates", () => {
  test("a rotating symmetric key, its alias, an encrypted private cluster and a rotation, with exactly these inputs", async () => {
    const warehouse = new component.EncryptedRedshiftCluster("wh", {
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
    });
    await settled(warehouse);

    expect(registeredNames("wh")).toEqual([
      "keyguard:redshift:EncryptedCluster wh",
      "aws:kms/key:Key wh-key",
      "aws:kms/alias:Alias wh-alias",
      "aws:redshift/cluster:Cluster wh-cluster",
      "pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation wh-key-rotation",
    ]);

    const keyInputs = inputsOf("aws:kms/key:Key", "wh-key");
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
    expect(inputsOf("aws:kms/alias:Alias", "wh-alias")).toEqual({ name: "alias/analytics", targetKeyId: "key-wh-key" });
    expect(inputsOf("aws:redshift/cluster:Cluster", "wh-cluster")).toEqual({
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
      encrypted: "true",
      kmsKeyId: `arn:aws:kms:${PROVIDER_REGION}:${ACCOUNT_ID}:key/key-wh-key`,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      manageMasterPassword: true,
    });
    const { __provider: serializedProvider, ...rotationInputs } = inputsOf(
      "pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation",
      "wh-key-rotation",
    );
    expect(typeof serializedProvider).toBe("string");
    expect(rotationInputs).toEqual({
      clusterIdentifier: "analytics",
      kmsKeyId: `arn:aws:kms:${PROVIDER_REGION}:${ACCOUNT_ID}:key/key-wh-key`,
      region: PROVIDER_REGION,
    });
  });

  test("every child is parented to the component (the URN carries the component's type)", async () => {
    const warehouse = new component.EncryptedRedshiftCluster("tree", {
      clusterIdentifier: "tree",
      nodeType: "ra3.large",
    });
    await settled(warehouse);
    const prefix = "urn:pulumi:test::keyguard::keyguard:redshift:EncryptedCluster";
    expect(await valueOf(warehouse.urn)).toBe(`${prefix}::tree`);
    expect(await valueOf(warehouse.key!.urn)).toBe(`${prefix}$aws:kms/key:Key::tree-key`);
    expect(await valueOf(warehouse.alias!.urn)).toBe(`${prefix}$aws:kms/alias:Alias::tree-alias`);
    expect(await valueOf(warehouse.cluster.urn)).toBe(`${prefix}$aws:redshift/cluster:Cluster::tree-cluster`);
    expect(await valueOf(warehouse.keyRotation!.urn)).toBe(
      `${prefix}$pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation::tree-key-rotation`,
    );
  });

  test("what the engine is told: each child's parent, the rotation after the cluster, the cluster's kmsKeyId tied to the key", async () => {
    const warehouse = new component.EncryptedRedshiftCluster("deps", {
      clusterIdentifier: "deps",
      nodeType: "ra3.large",
    });
    await settled(warehouse);
    const prefix = "urn:pulumi:test::keyguard::keyguard:redshift:EncryptedCluster";
    const [componentUrn, keyUrn, clusterUrn] = [
      `${prefix}::deps`,
      `${prefix}$aws:kms/key:Key::deps-key`,
      `${prefix}$aws:redshift/cluster:Cluster::deps-cluster`,
    ];
    const view = (name: string) => {
      const found = cloud.engineViews.filter((registration) => registration.name === name);
      expect(found).toHaveLength(1);
      return found[0];
    };
    for (const child of ["deps-key", "deps-alias", "deps-cluster", "deps-key-rotation"])
      expect(view(child).parent, child).toBe(componentUrn);
    // The policy pack links a cluster to its key through this property dependency, even while the ARN is unknown.
    expect(view("deps-cluster").propertyDependencies.kmsKeyId).toEqual([keyUrn]);
    expect(view("deps-alias").propertyDependencies.targetKeyId).toEqual([keyUrn]);
    expect(view("deps-key-rotation").dependencies).toEqual(expect.arrayContaining([clusterUrn, keyUrn]));
    expect(view("deps-key-rotation").propertyDependencies.clusterIdentifier).toEqual([clusterUrn]);
    expect(view("deps-key-rotation").propertyDependencies.kmsKeyId).toEqual([keyUrn]);
  });

  test("outputs: key, alias, cluster, keyArn, clusterIdentifier, endpoint, keyRotation, and the registered outputs", async () => {
    const warehouse = new component.EncryptedRedshiftCluster("outs", {
      clusterIdentifier: "outs",
      nodeType: "ra3.large",
    });
    await settled(warehouse);
    const keyArn = `arn:aws:kms:${PROVIDER_REGION}:${ACCOUNT_ID}:key/key-outs-key`;
    expect(await valueOf(warehouse.keyArn)).toBe(keyArn);
    expect(await valueOf(warehouse.key!.arn)).toBe(keyArn);
    expect(await valueOf(warehouse.alias!.name)).toBe("alias/outs");
    expect(await valueOf(warehouse.clusterIdentifier)).toBe("outs");
    expect(await valueOf(warehouse.endpoint)).toBe(`outs.abc123.${PROVIDER_REGION}.redshift.amazonaws.com:5439`);
    expect(await valueOf(warehouse.cluster.kmsKeyId)).toBe(keyArn);
    expect(warehouse.keyRotation).toBeInstanceOf(pulumi.dynamic.Resource);
    expect(await valueOf(warehouse.keyRotation!.id)).toBe("outs-key-rotation-id");
    // The rotation's own outputs survive its constructor (declared, not class fields reset after super()).
    expect(await valueOf(warehouse.keyRotation!.kmsKeyId)).toBe(keyArn);
    expect(await valueOf(warehouse.keyRotation!.clusterIdentifier)).toBe("outs");

    // registerOutputs reaches the engine (here the mock monitor) once the outputs resolve.
    const componentUrn = "urn:pulumi:test::keyguard::keyguard:redshift:EncryptedCluster::outs";
    await expect.poll(() => JSON.stringify(cloud.recordedState().get(componentUrn)?.state ?? {})).toContain(keyArn);
    const recorded = cloud.recordedState().get(componentUrn)!.state as { toJavaScript(): Record<string, unknown> };
    expect(recorded.toJavaScript()).toEqual({
      keyArn,
      clusterIdentifier: "outs",
      endpoint: `outs.abc123.${PROVIDER_REGION}.redshift.amazonaws.com:5439`,
      aliasName: "alias/outs",
      keyRotationId: "outs-key-rotation-id",
    });
  });

  test("the key settings and the alias can be chosen within AWS's limits", async () => {
    const warehouse = new component.EncryptedRedshiftCluster("tuned", {
      clusterIdentifier: "tuned",
      nodeType: "ra3.large",
      rotationPeriodInDays: 90,
      deletionWindowInDays: 7,
      keyDescription: "Sales warehouse key",
      aliasName: "alias/sales/warehouse",
    });
    await settled(warehouse);
    expect(inputsOf("aws:kms/key:Key", "tuned-key")).toMatchObject({
      rotationPeriodInDays: 90,
      deletionWindowInDays: 7,
      description: "Sales warehouse key",
      enableKeyRotation: true,
    });
    expect(inputsOf("aws:kms/alias:Alias", "tuned-alias")).toEqual({
      name: "alias/sales/warehouse",
      targetKeyId: "key-tuned-key",
    });

    const longest = new component.EncryptedRedshiftCluster("longest", {
      clusterIdentifier: "longest",
      nodeType: "ra3.large",
      rotationPeriodInDays: 2560,
      deletionWindowInDays: 30,
    });
    await settled(longest);
    expect(inputsOf("aws:kms/key:Key", "longest-key")).toMatchObject({
      rotationPeriodInDays: 2560,
      deletionWindowInDays: 30,
    });
  });

  test("a cluster region puts the key, the alias, the key policy and the rotation in that region", async () => {
    const warehouse = new component.EncryptedRedshiftCluster("west", {
      clusterIdentifier: "west",
      nodeType: "ra3.large",
      region: "us-west-2",
    });
    await settled(warehouse);
    const keyInputs = inputsOf("aws:kms/key:Key", "west-key");
    expect(keyInputs.region).toBe("us-west-2");
    expect(JSON.parse(keyInputs.policy as string)).toEqual(expectedKeyPolicy("us-west-2"));
    expect(inputsOf("aws:kms/alias:Alias", "west-alias").region).toBe("us-west-2");
    expect(inputsOf("aws:redshift/cluster:Cluster", "west-cluster")).toMatchObject({
      region: "us-west-2",
      kmsKeyId: `arn:aws:kms:us-west-2:${ACCOUNT_ID}:key/key-west-key`,
    });
    expect(inputsOf("pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation", "west-key-rotation").region).toBe(
      "us-west-2",
    );
  });

  test("values that are Outputs pass through once known and valid", async () => {
    const warehouse = new component.EncryptedRedshiftCluster("late", {
      clusterIdentifier: pulumi.output("late-cluster"),
      nodeType: "ra3.large",
      masterUsername: Promise.resolve("late_admin"),
      rotationPeriodInDays: pulumi.output(180),
    });
    await settled(warehouse);
    expect(inputsOf("aws:redshift/cluster:Cluster", "late-cluster")).toMatchObject({
      clusterIdentifier: "late-cluster",
      masterUsername: "late_admin",
    });
    expect(inputsOf("aws:kms/key:Key", "late-key").rotationPeriodInDays).toBe(180);
    expect(inputsOf("aws:kms/alias:Alias", "late-alias").name).toBe("alias/late-cluster");
  });

  test("a JavaScript caller passing the enforced values themselves is accepted", async () => {
    const warehouse = new component.EncryptedRedshiftCluster("same", {
      clusterIdentifier: "same",
      nodeType: "ra3.large",
      ...({ encrypted: true, publiclyAccessible: false, enhancedVpcRouting: true } as object),
    });
    await settled(warehouse);
    expect(inputsOf("aws:redshift/cluster:Cluster", "same-cluster")).toMatchObject({
      encrypted: "true",
      publiclyAccessible: false,
      enhancedVpcRouting: true,
    });
  });
});

describe("bring your own key", () => {
  test("kmsKeyArn: no key and no alias; the cluster and the rotation use the given key", async () => {
    const warehouse = new component.EncryptedRedshiftCluster("byok", {
      clusterIdentifier: "byok",
      nodeType: "ra3.large",
      kmsKeyArn: BYOK_ARN,
    });
    await settled(warehouse);
    expect(warehouse.key).toBeUndefined();
    expect(warehouse.alias).toBeUndefined();
    expect(registeredNames("byok")).toEqual([
      "keyguard:redshift:EncryptedCluster byok",
      "aws:redshift/cluster:Cluster byok-cluster",
      "pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation byok-key-rotation",
    ]);
    expect(inputsOf("aws:redshift/cluster:Cluster", "byok-cluster")).toMatchObject({
      kmsKeyId: BYOK_ARN,
      encrypted: "true",
    });
    expect(
      cloud.engineViews.find((registration) => registration.name === "byok-cluster")!.propertyDependencies.kmsKeyId ??
        [],
    ).toEqual([]);
    expect(inputsOf("pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation", "byok-key-rotation")).toMatchObject({
      kmsKeyId: BYOK_ARN,
      clusterIdentifier: "byok",
    });
    expect(await valueOf(warehouse.keyArn)).toBe(BYOK_ARN);
  });
});

describe("rotateOnKeyChange", () => {
  test("off: no RedshiftKeyRotation and keyRotation is undefined", async () => {
    const warehouse = new component.EncryptedRedshiftCluster("norot", {
      clusterIdentifier: "norot",
      nodeType: "ra3.large",
      rotateOnKeyChange: false,
    });
    await settled(warehouse);
    expect(warehouse.keyRotation).toBeUndefined();
    expect(registeredNames("norot")).toEqual([
      "keyguard:redshift:EncryptedCluster norot",
      "aws:kms/key:Key norot-key",
      "aws:kms/alias:Alias norot-alias",
      "aws:redshift/cluster:Cluster norot-cluster",
    ]);
  });

  test("the rotation settings pass through to RedshiftKeyRotation", async () => {
    const warehouse = new component.EncryptedRedshiftCluster("rot", {
      clusterIdentifier: "rot",
      nodeType: "ra3.large",
      rotation: {
        region: "eu-north-1",
        timeoutMinutes: 45,
        followKeyMaterialRotations: false,
        profile: "security",
        roleArn: "arn:aws:iam::111122223333:role/keyguard-rotation",
        redshiftEndpoint: "http://127.0.0.1:4566",
        kmsEndpoint: "http://127.0.0.1:4567",
        triggers: { ticket: "SEC-42" },
      },
    });
    await settled(warehouse);
    const { __provider: _serialized, ...rotationInputs } = inputsOf(
      "pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation",
      "rot-key-rotation",
    );
    expect(rotationInputs).toEqual({
      clusterIdentifier: "rot",
      kmsKeyId: `arn:aws:kms:${PROVIDER_REGION}:${ACCOUNT_ID}:key/key-rot-key`,
      region: "eu-north-1",
      timeoutMinutes: 45,
      followKeyMaterialRotations: false,
      profile: "security",
      roleArn: "arn:aws:iam::111122223333:role/keyguard-rotation",
      redshiftEndpoint: "http://127.0.0.1:4566",
      kmsEndpoint: "http://127.0.0.1:4567",
      triggers: { ticket: "SEC-42" },
    });
  });
});

describe("the master username", () => {
  test("defaults to awsuser, which CreateCluster requires, but not when restoring a snapshot (its user is kept)", async () => {
    const fresh = new component.EncryptedRedshiftCluster("nouser", {
      clusterIdentifier: "nouser",
      nodeType: "ra3.large",
    });
    const restored = new component.EncryptedRedshiftCluster("restored", {
      clusterIdentifier: "restored",
      nodeType: "ra3.large",
      snapshotIdentifier: "nightly",
    });
    await Promise.all([settled(fresh), settled(restored)]);
    expect(inputsOf("aws:redshift/cluster:Cluster", "nouser-cluster").masterUsername).toBe("awsuser");
    expect(inputsOf("aws:redshift/cluster:Cluster", "restored-cluster")).not.toHaveProperty("masterUsername");
  });
});

describe("deleting the component", () => {
  test("keeps the key while snapshots encrypted with it are kept, deletes it (after the window) when they are skipped or when told", async () => {
    const kept = new component.EncryptedRedshiftCluster("keep", {
      clusterIdentifier: "keep",
      nodeType: "ra3.large",
      finalSnapshotIdentifier: "keep-final",
    });
    const skipped = new component.EncryptedRedshiftCluster("skip", {
      clusterIdentifier: "skip",
      nodeType: "ra3.large",
      skipFinalSnapshot: true,
    });
    const told = new component.EncryptedRedshiftCluster("told", {
      clusterIdentifier: "told",
      nodeType: "ra3.large",
      retainKeyOnDelete: false,
    });
    await Promise.all([settled(kept), settled(skipped), settled(told)]);
    const retained = (name: string) => cloud.engineViews.find((view) => view.name === name)!.retainOnDelete;
    expect([retained("keep-key"), retained("skip-key"), retained("told-key")]).toEqual([true, false, false]);
    // Only the key: the alias and the cluster go as usual (an alias left behind would block a re-create).
    expect([retained("keep-alias"), retained("keep-cluster")]).toEqual([false, false]);
    expect(
      () =>
        new component.EncryptedRedshiftCluster("mixed", {
          clusterIdentifier: "mixed",
          nodeType: "ra3.large",
          kmsKeyArn: BYOK_ARN,
          retainKeyOnDelete: true,
        }),
    ).toThrow(/retainKeyOnDelete: got true together with kmsKeyArn/);
  });
});

describe("the master password", () => {
  test("Redshift manages it unless a secret password is given", async () => {
    const managed = new component.EncryptedRedshiftCluster("managed", {
      clusterIdentifier: "managed",
      nodeType: "ra3.large",
    });
    await settled(managed);
    const inputs = inputsOf("aws:redshift/cluster:Cluster", "managed-cluster");
    expect(inputs.manageMasterPassword).toBe(true);
    expect(inputs).not.toHaveProperty("masterPassword");
  });

  test("a secret password stays secret: in the cluster's inputs, its outputs, and the state the mocks record", async () => {
    const warehouse = new component.EncryptedRedshiftCluster("pw", {
      clusterIdentifier: "pw",
      nodeType: "ra3.large",
      masterUsername: "admin_user",
      masterPassword: pulumi.secret(PASSWORD),
    });
    await settled(warehouse);

    const inputs = inputsOf("aws:redshift/cluster:Cluster", "pw-cluster");
    expect(inputs.masterPassword).toEqual({ [SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE, value: PASSWORD });
    // Not both: Redshift refuses a password together with manageMasterPassword.
    expect(inputs).not.toHaveProperty("manageMasterPassword");

    expect(await pulumi.isSecret(warehouse.cluster.masterPassword)).toBe(true);
    expect(await valueOf(warehouse.cluster.masterPassword)).toBe(PASSWORD);
    for (const output of [warehouse.keyArn, warehouse.clusterIdentifier, warehouse.endpoint]) {
      expect(JSON.stringify(await valueOf(output as pulumi.Output<unknown>))).not.toContain(PASSWORD);
    }

    // Every place the recorded state holds the password, it is wrapped as a secret.
    await expect
      .poll(() => cloud.recordedState().has("urn:pulumi:test::keyguard::keyguard:redshift:EncryptedCluster::pw"))
      .toBe(true);
    let passwordsSeen = 0;
    const unwrapSecrets = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(unwrapSecrets);
      if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SECRET_SIGNATURE_KEY] === SECRET_SIGNATURE) {
          if (record.value === PASSWORD) passwordsSeen += 1;
          return "[secret]";
        }
        return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, unwrapSecrets(item)]));
      }
      return value;
    };
    const recorded = [...cloud.recordedState().values()].map((entry) => {
      const state = entry.state as { toJavaScript?: () => unknown };
      return { urn: entry.urn, state: typeof state?.toJavaScript === "function" ? state.toJavaScript() : state };
    });
    const withoutSecrets = JSON.stringify(unwrapSecrets(recorded));
    expect(passwordsSeen).toBeGreaterThanOrEqual(1);
    expect(withoutSecrets).not.toContain(PASSWORD);
  });

  test("manageMasterPassword false with a secret password is accepted", async () => {
    const warehouse = new component.EncryptedRedshiftCluster("own", {
      clusterIdentifier: "own",
      nodeType: "ra3.large",
      masterPassword: pulumi.secret(PASSWORD),
      manageMasterPassword: false,
    });
    await settled(warehouse);
    expect(inputsOf("aws:redshift/cluster:Cluster", "own-cluster")).toMatchObject({
      manageMasterPassword: false,
      masterPassword: { [SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE, value: PASSWORD },
    });
  });
});

describe("bad arguments are refused at construction, before anything is registered", () => {
  const base = { clusterIdentifier: "valid-id", nodeType: "ra3.large" };
  // [what, args, substrings the message must contain (argument, value, what is allowed)]
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    [
      "rotation period below 90",
      { ...base, rotationPeriodInDays: 89 },
      ["rotationPeriodInDays", "got 89", "90 to 2560"],
    ],
    [
      "rotation period above 2560",
      { ...base, rotationPeriodInDays: 2561 },
      ["rotationPeriodInDays", "got 2561", "90 to 2560"],
    ],
    [
      "rotation period not whole",
      { ...base, rotationPeriodInDays: 90.5 },
      ["rotationPeriodInDays", "got 90.5", "whole number"],
    ],
    [
      "rotation period as a string",
      { ...base, rotationPeriodInDays: "365" },
      ["rotationPeriodInDays", 'got "365"', "90 to 2560"],
    ],
    ["rotation period NaN", { ...base, rotationPeriodInDays: NaN }, ["rotationPeriodInDays", "got NaN", "90 to 2560"]],
    ["deletion window below 7", { ...base, deletionWindowInDays: 6 }, ["deletionWindowInDays", "got 6", "7 to 30"]],
    ["deletion window above 30", { ...base, deletionWindowInDays: 31 }, ["deletionWindowInDays", "got 31", "7 to 30"]],
    [
      "identifier with uppercase",
      { ...base, clusterIdentifier: "Analytics" },
      ["clusterIdentifier", '"Analytics"', "lowercase"],
    ],
    [
      "identifier starting with a digit",
      { ...base, clusterIdentifier: "1warehouse" },
      ["clusterIdentifier", '"1warehouse"', "start with a lowercase letter"],
    ],
    [
      "identifier with two hyphens",
      { ...base, clusterIdentifier: "sales--eu" },
      ["clusterIdentifier", '"sales--eu"', "two consecutive hyphens"],
    ],
    [
      "identifier ending with a hyphen",
      { ...base, clusterIdentifier: "sales-" },
      ["clusterIdentifier", '"sales-"', "ends with a hyphen"],
    ],
    [
      "identifier of 64 characters",
      { ...base, clusterIdentifier: "a".repeat(64) },
      ["clusterIdentifier", "64 characters", "1 to 63"],
    ],
    [
      "identifier with an underscore",
      { ...base, clusterIdentifier: "sales_eu" },
      ["clusterIdentifier", '"sales_eu"', "lowercase letters, digits and hyphens"],
    ],
    ["empty identifier", { ...base, clusterIdentifier: "" }, ["clusterIdentifier", '""', "1 to 63"]],
    ["identifier missing", { nodeType: "ra3.large" }, ["clusterIdentifier", "missing", "required"]],
    ["node type missing", { clusterIdentifier: "valid-id" }, ["nodeType", "missing", "required"]],
    [
      "master username reserved",
      { ...base, masterUsername: "select" },
      ["masterUsername", '"select"', "reserved word"],
    ],
    ["master username PUBLIC", { ...base, masterUsername: "public" }, ["masterUsername", '"public"', "not PUBLIC"]],
    [
      "master username starting with a digit",
      { ...base, masterUsername: "1admin" },
      ["masterUsername", '"1admin"', "starting with a letter"],
    ],
    [
      "master username with a space",
      { ...base, masterUsername: "db admin" },
      ["masterUsername", '"db admin"', "does not accept"],
    ],
    [
      "alias under alias/aws/",
      { ...base, aliasName: "alias/aws/redshift" },
      ["aliasName", '"alias/aws/redshift"', "reserved for AWS-managed keys"],
    ],
    [
      "alias without the alias/ prefix",
      { ...base, aliasName: "warehouse" },
      ["aliasName", '"warehouse"', '"alias/" followed by'],
    ],
    [
      "kmsKeyArn that is an alias",
      { ...base, kmsKeyArn: "alias/warehouse" },
      ["kmsKeyArn", '"alias/warehouse"', "KMS key ARN"],
    ],
    [
      "kmsKeyArn that is a key id",
      { ...base, kmsKeyArn: "1234abcd-12ab-34cd-56ef-1234567890ab" },
      ["kmsKeyArn", "1234abcd", "not a key id"],
    ],
    [
      "kmsKeyArn with a rotation period",
      { ...base, kmsKeyArn: BYOK_ARN, rotationPeriodInDays: 180 },
      ["rotationPeriodInDays", "got 180 together with kmsKeyArn", "bring your own key"],
    ],
    [
      "kmsKeyArn with an alias",
      { ...base, kmsKeyArn: BYOK_ARN, aliasName: "alias/x" },
      ["aliasName", "together with kmsKeyArn"],
    ],
    [
      "password and manageMasterPassword",
      { ...base, masterPassword: pulumi.secret(PASSWORD), manageMasterPassword: true },
      ["manageMasterPassword", "got true together with masterPassword", "one of them"],
    ],
    [
      "manageMasterPassword off without a password",
      { ...base, manageMasterPassword: false },
      ["manageMasterPassword", "got false without a masterPassword", "secret masterPassword"],
    ],
    ["encrypted overridden", { ...base, encrypted: "false" }, ["encrypted", '"false"', "always encrypts"]],
    ["kmsKeyId overridden", { ...base, kmsKeyId: BYOK_ARN }, ["kmsKeyId", BYOK_ARN.slice(0, 40), "kmsKeyArn"]],
    ["publicly accessible", { ...base, publiclyAccessible: true }, ["publiclyAccessible", "got true", "private"]],
    [
      "enhanced VPC routing off",
      { ...base, enhancedVpcRouting: false },
      ["enhancedVpcRouting", "got false", "in the VPC"],
    ],
    [
      "write-only password",
      { ...base, masterPasswordWo: pulumi.secret(PASSWORD) },
      ["masterPasswordWo", "not supported"],
    ],
    [
      "rotateOnKeyChange not a boolean",
      { ...base, rotateOnKeyChange: "yes" },
      ["rotateOnKeyChange", '"yes"', "true or false"],
    ],
  ];

  test.each(cases)("%s", (_what, args, mustContain) => {
    const before = cloud.registrations.length;
    let thrown: unknown;
    try {
      new component.EncryptedRedshiftCluster("refused", args as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(component.EncryptedRedshiftClusterArgumentError);
    const message = (thrown as Error).message;
    expect(message).toContain('EncryptedRedshiftCluster "refused"');
    for (const part of mustContain) expect(message).toContain(part);
    expect(message).not.toContain(PASSWORD);
    expect(cloud.registrations.length, "nothing registered").toBe(before);
  });

  test("a plain-text password is refused without repeating it", () => {
    for (const plain of [PASSWORD, Promise.resolve(PASSWORD)]) {
      const before = cloud.registrations.length;
      expect(() => new component.EncryptedRedshiftCluster("plain", { ...base, masterPassword: plain })).toThrow(
        /masterPassword: got a plain (string|Promise); it must be a Pulumi secret/,
      );
      try {
        new component.EncryptedRedshiftCluster("plain", { ...base, masterPassword: plain });
      } catch (error) {
        expect((error as Error).message).not.toContain(PASSWORD);
      }
      expect(cloud.registrations.length).toBe(before);
    }
  });

  test("every problem is reported at once, one line each", () => {
    let thrown: InstanceType<typeof component.EncryptedRedshiftClusterArgumentError> | undefined;
    try {
      new component.EncryptedRedshiftCluster("many", {
        clusterIdentifier: "Bad",
        nodeType: "ra3.large",
        rotationPeriodInDays: 30,
        deletionWindowInDays: 3,
        publiclyAccessible: true,
      } as never);
    } catch (error) {
      thrown = error as typeof thrown;
    }
    expect(thrown?.problems.map((problem) => problem.split(":")[0])).toEqual([
      "clusterIdentifier",
      "rotationPeriodInDays",
      "deletionWindowInDays",
      "publiclyAccessible",
    ]);
  });

  test("arguments that are not an object", () => {
    for (const args of [undefined, null, "analytics", ["analytics"]]) {
      expect(() => new component.EncryptedRedshiftCluster("shape", args as never)).toThrow(
        /args: got .*; expected an object with at least clusterIdentifier and nodeType/,
      );
    }
  });
});

describe("any argument value: a clear error naming it, or a cluster, never a crash (fast-check, seeded)", () => {
  // Counts are floors: KEYGUARD_FUZZ_RUNS may raise them; KEYGUARD_FUZZ_SEED replays a failure.
  const SEED = Number(process.env.KEYGUARD_FUZZ_SEED ?? 20261122);
  const requested = Number(process.env.KEYGUARD_FUZZ_RUNS ?? 0);
  const CHECK_RUNS = Math.max(2_000, Number.isInteger(requested) ? requested : 0);
  const CONSTRUCTION_RUNS = 150;
  const counts: Record<string, number> = {};
  afterAll(() =>
    console.log(
      `component argument properties (seed ${SEED}): ${Object.entries(counts)
        .map(([name, n]) => `${name} ${n}`)
        .join(", ")}`,
    ),
  );

  const VALIDATED = [
    "clusterIdentifier",
    "nodeType",
    "masterUsername",
    "rotationPeriodInDays",
    "deletionWindowInDays",
    "aliasName",
    "kmsKeyArn",
    "manageMasterPassword",
    "masterPassword",
    "rotateOnKeyChange",
    "rotation",
    "encrypted",
    "kmsKeyId",
    "publiclyAccessible",
    "enhancedVpcRouting",
    "masterPasswordWo",
    "masterPasswordWoVersion",
    "args",
    "keyDescription",
  ];
  const oddValue = fc.oneof(
    fc.anything({
      withNullPrototype: true,
      withBigInt: true,
      withBoxedValues: true,
      withSparseArray: true,
      withUnicodeString: true,
    }),
    fc.constantFrom(
      -0,
      NaN,
      Infinity,
      -Infinity,
      1e308,
      89,
      90,
      2560,
      2561,
      6,
      7,
      30,
      31,
      90.5,
      "365",
      "",
      "x".repeat(10_000),
      null,
      undefined,
      Symbol("odd"),
    ),
  );
  /** Rules written from AWS's documentation, independently of facts/. */
  const reference = {
    rotationPeriodInDays: (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 90 && v <= 2560,
    deletionWindowInDays: (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 7 && v <= 30,
    clusterIdentifier: (v: unknown) =>
      typeof v === "string" &&
      v.length >= 1 &&
      v.length <= 63 &&
      /^[a-z][a-z0-9-]*$/.test(v) &&
      !v.includes("--") &&
      !v.endsWith("-"),
  };
  const identifierLike = fc.string({
    unit: fc.constantFrom("a", "z", "0", "9", "-", "_", "A", "."),
    minLength: 0,
    maxLength: 70,
  });
  const problemsOf = (args: Record<string, unknown>) => component.argumentProblems(args);
  const names = (problems: string[]) => problems.map((problem) => problem.slice(0, problem.indexOf(":")));

  test("numbers: a rotation period or deletion window is refused exactly when AWS would refuse it", () => {
    for (const argument of ["rotationPeriodInDays", "deletionWindowInDays"] as const) {
      const value = fc.oneof(fc.integer({ min: -10, max: 3000 }), fc.double(), oddValue);
      fc.assert(
        fc.property(value, (v) => {
          counts[argument] = (counts[argument] ?? 0) + 1;
          const refused = names(
            problemsOf({ clusterIdentifier: "valid-id", nodeType: "ra3.large", [argument]: v }),
          ).includes(argument);
          expect(refused).toBe(v !== undefined && !reference[argument](v));
        }),
        { seed: SEED, numRuns: CHECK_RUNS },
      );
    }
  });

  test("cluster identifiers: refused exactly when Redshift's rules refuse them", () => {
    fc.assert(
      fc.property(fc.oneof(identifierLike, oddValue), (v) => {
        counts.clusterIdentifier = (counts.clusterIdentifier ?? 0) + 1;
        const problems = names(problemsOf({ clusterIdentifier: v, nodeType: "ra3.large" }));
        expect(problems.includes("clusterIdentifier")).toBe(!reference.clusterIdentifier(v));
      }),
      { seed: SEED, numRuns: CHECK_RUNS },
    );
  });

  test("any value in any argument: problems are named lines, the check never throws", () => {
    const args = fc.dictionary(fc.constantFrom(...VALIDATED, "tags", "numberOfNodes"), oddValue, { maxKeys: 8 });
    fc.assert(
      fc.property(fc.oneof(args, oddValue), (given) => {
        counts.anyArguments = (counts.anyArguments ?? 0) + 1;
        const problems = problemsOf(given as Record<string, unknown>);
        for (const name of names(problems)) expect(VALIDATED).toContain(name);
      }),
      { seed: SEED, numRuns: CHECK_RUNS },
    );
  });

  test("constructing: refused (nothing registered) exactly when a problem is known, otherwise a cluster", () => {
    const validatedArgs = fc.record(
      {
        clusterIdentifier: fc.oneof(identifierLike, fc.constant("valid-id")),
        nodeType: fc.oneof(fc.constant("ra3.large"), fc.constantFrom(undefined, "", 7)),
        rotationPeriodInDays: fc.oneof(fc.integer({ min: 80, max: 2600 }), fc.constantFrom(90.5, NaN, "365")),
        deletionWindowInDays: fc.integer({ min: 5, max: 32 }),
        masterUsername: fc.constantFrom("admin_user", "public", "select", "1admin", "db admin", "a".repeat(129)),
        aliasName: fc.constantFrom("alias/warehouse", "warehouse", "alias/aws/x", "alias/a b"),
        publiclyAccessible: fc.constantFrom(true, false),
        rotateOnKeyChange: fc.constantFrom(true, false, "no"),
      },
      { requiredKeys: ["clusterIdentifier", "nodeType"] },
    );
    let index = 0;
    fc.assert(
      fc.property(validatedArgs, (args) => {
        counts.constructions = (counts.constructions ?? 0) + 1;
        const name = `prop-${index++}`;
        const known = problemsOf(args);
        const before = cloud.registrations.length;
        let thrown: unknown;
        try {
          new component.EncryptedRedshiftCluster(name, args as never);
        } catch (error) {
          thrown = error;
        }
        if (known.length > 0) {
          expect(thrown).toBeInstanceOf(component.EncryptedRedshiftClusterArgumentError);
          expect((thrown as InstanceType<typeof component.EncryptedRedshiftClusterArgumentError>).problems).toEqual(
            known,
          );
          expect(cloud.registrations.length).toBe(before);
        } else {
          expect(thrown).toBeUndefined();
        }
      }),
      { seed: SEED, numRuns: CONSTRUCTION_RUNS },
    );
  });
});

describe("arguments that are Outputs are checked when they resolve", () => {
  // A bad resolved value makes the program fail (as `pulumi up` reports an unhandled rejection of
  // the program) before the child that needs it reaches the engine. vitest's unhandled-rejection
  // listeners are swapped for a collector while this block runs, to observe exactly that.
  const PASSWORD_NOT_SECRET = "Plaintext0Password";
  const WEAK_SECRET_PASSWORD = "weakpass";
  const rejections: string[] = [];
  const collect = (reason: unknown) => rejections.push(reason instanceof Error ? reason.message : String(reason));
  let vitestListeners: NodeJS.UnhandledRejectionListener[] = [];

  beforeAll(() => {
    vitestListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", collect);
  });
  afterAll(() => {
    process.removeListener("unhandledRejection", collect);
    for (const listener of vitestListeners) process.on("unhandledRejection", listener);
    // Only the failures provoked in this block may have been swallowed by the collector.
    for (const message of rejections) expect(message).toContain("invalid arguments");
  });

  /** The failure the program reports for a component, once its bad value resolved. */
  async function failureOf(componentName: string): Promise<string> {
    const marker = `EncryptedRedshiftCluster "${componentName}": invalid arguments`;
    await expect.poll(() => rejections.some((message) => message.includes(marker)), { timeout: 5_000 }).toBe(true);
    return rejections.find((message) => message.includes(marker))!;
  }

  function clusterRegistered(componentName: string): boolean {
    return cloud.registrations.some((registration) => registration.name === `${componentName}-cluster`);
  }

  const lateBase = { nodeType: "ra3.large", rotateOnKeyChange: false };

  test.each([
    ["late-id", { clusterIdentifier: pulumi.output("Late_ID") }, ["clusterIdentifier", '"Late_ID"', "lowercase"]],
    [
      "late-user",
      { clusterIdentifier: "late-user", masterUsername: pulumi.output("user") },
      ["masterUsername", '"user"', "reserved word"],
    ],
    [
      "late-arn",
      { clusterIdentifier: "late-arn", kmsKeyArn: pulumi.output("alias/shared") },
      ["kmsKeyArn", '"alias/shared"', "KMS key ARN"],
    ],
    [
      "late-period",
      { clusterIdentifier: "late-period", rotationPeriodInDays: Promise.resolve(30) },
      ["rotationPeriodInDays", "got 30", "90 to 2560"],
    ],
  ] as Array<[string, Record<string, unknown>, string[]]>)(
    "%s: a bad value from an Output fails the program with the same message, and no cluster is created",
    async (name, args, mustContain) => {
      new component.EncryptedRedshiftCluster(name, { ...lateBase, ...args } as never);
      const failure = await failureOf(name);
      for (const part of mustContain) expect(failure).toContain(part);
      expect(clusterRegistered(name)).toBe(false);
    },
  );

  test("a password Output that is not a secret is refused, without repeating it", async () => {
    new component.EncryptedRedshiftCluster("late-plain", {
      ...lateBase,
      clusterIdentifier: "late-plain",
      masterPassword: pulumi.output(PASSWORD_NOT_SECRET),
    });
    const failure = await failureOf("late-plain");
    expect(failure).toContain("masterPassword: got an Output that is not a secret; it must be a Pulumi secret");
    expect(failure).not.toContain(PASSWORD_NOT_SECRET);
    expect(clusterRegistered("late-plain")).toBe(false);
  });

  test("a secret password Redshift would reject is refused, without repeating it", async () => {
    new component.EncryptedRedshiftCluster("late-weak", {
      ...lateBase,
      clusterIdentifier: "late-weak",
      masterPassword: pulumi.secret(WEAK_SECRET_PASSWORD),
    });
    const failure = await failureOf("late-weak");
    expect(failure).toContain(
      "masterPassword: got a password, without an uppercase letter, a lowercase letter and a digit; Redshift allows 8 to 64",
    );
    expect(failure).not.toContain(WEAK_SECRET_PASSWORD);
    expect(clusterRegistered("late-weak")).toBe(false);
  });

  test("manageMasterPassword resolving to true next to a password is refused", async () => {
    new component.EncryptedRedshiftCluster("late-both", {
      ...lateBase,
      clusterIdentifier: "late-both",
      masterPassword: pulumi.secret("Good0Password"),
      manageMasterPassword: pulumi.output(true),
    });
    const failure = await failureOf("late-both");
    expect(failure).toContain("manageMasterPassword: got true together with masterPassword");
    expect(clusterRegistered("late-both")).toBe(false);
  });

  test("no secret value appears in any failure the program reported", () => {
    expect(rejections.length).toBeGreaterThan(0);
    for (const message of rejections) {
      expect(message).not.toContain(PASSWORD_NOT_SECRET);
      expect(message).not.toContain(WEAK_SECRET_PASSWORD);
      expect(message).not.toContain("Good0Password");
    }
  });
});

describe("the repository's own stack program (index.ts)", () => {
  // Run last: it re-evaluates the program (and the component module) under new configuration.
  const STACK_PASSWORD = "Stack0Password";

  /**
   * Evaluates index.ts afresh (a program runs once per process, here once per configuration). Only
   * the program is re-evaluated: it gets the component module already loaded, so @pulumi/pulumi's
   * runtime state and mocks, and the serialized rotation provider, are the ones of this process.
   */
  async function runStackProgram(): Promise<typeof import("../../index")> {
    vi.resetModules();
    vi.doMock("../../components/encryptedRedshiftCluster", () => component);
    return import("../../index");
  }
  test("a configuration value AWS would reject stops the program before anything is registered", async () => {
    pulumi.runtime.setAllConfig({
      "keyguard:clusterIdentifier": "Sales_Warehouse",
      "keyguard:rotationPeriodInDays": "30",
    });
    const before = cloud.registrations.length;
    await expect(runStackProgram()).rejects.toThrow(
      /EncryptedRedshiftCluster "warehouse": invalid arguments:\n {2}- clusterIdentifier: got "Sales_Warehouse".*\n {2}- rotationPeriodInDays: got 30; AWS KMS allows 90 to 2560 days/,
    );
    expect(cloud.registrations.length).toBe(before);
  });

  test("the configured stack: one encrypted cluster from keyguard:* settings, outputs exported, password secret", async () => {
    pulumi.runtime.setAllConfig(
      {
        "keyguard:clusterIdentifier": "sales-warehouse",
        "keyguard:rotationPeriodInDays": "180",
        "keyguard:deletionWindowInDays": "14",
        "keyguard:nodeType": "ra3.xlplus",
        "keyguard:numberOfNodes": "2",
        "keyguard:databaseName": "sales",
        "keyguard:masterUsername": "sales_admin",
        "keyguard:masterPassword": STACK_PASSWORD,
        "keyguard:clusterSubnetGroupName": "private-subnets",
        "keyguard:vpcSecurityGroupIds": '["sg-0123456789abcdef0"]',
        "keyguard:tags": '{"team":"data"}',
      },
      ["keyguard:masterPassword"],
    );
    const firstNew = cloud.registrations.length;
    const stack = await runStackProgram();
    expect(await valueOf(stack.clusterIdentifier)).toBe("sales-warehouse");
    expect(await valueOf(stack.keyArn)).toBe(`arn:aws:kms:${PROVIDER_REGION}:${ACCOUNT_ID}:key/key-warehouse-key`);
    expect(await valueOf(stack.endpoint)).toBe(`sales-warehouse.abc123.${PROVIDER_REGION}.redshift.amazonaws.com:5439`);
    expect(await valueOf(stack.aliasName!)).toBe("alias/sales-warehouse");

    expect(inputsOf("aws:kms/key:Key", "warehouse-key")).toMatchObject({
      enableKeyRotation: true,
      rotationPeriodInDays: 180,
      deletionWindowInDays: 14,
      tags: { team: "data", "managed-by": "keyguard" },
    });
    expect(inputsOf("aws:redshift/cluster:Cluster", "warehouse-cluster")).toEqual({
      clusterIdentifier: "sales-warehouse",
      nodeType: "ra3.xlplus",
      numberOfNodes: 2,
      databaseName: "sales",
      masterUsername: "sales_admin",
      masterPassword: { [SECRET_SIGNATURE_KEY]: "1b47061264138c4ac30d75fd1eb44270", value: STACK_PASSWORD },
      manageMasterPassword: false,
      clusterSubnetGroupName: "private-subnets",
      vpcSecurityGroupIds: ["sg-0123456789abcdef0"],
      automatedSnapshotRetentionPeriod: 7,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "sales-warehouse-final",
      tags: { team: "data", "managed-by": "keyguard" },
      encrypted: "true",
      kmsKeyId: `arn:aws:kms:${PROVIDER_REGION}:${ACCOUNT_ID}:key/key-warehouse-key`,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
    });
    // The rotation registers last (its provider is serialized first).
    await expect.poll(() => cloud.registrations.length - firstNew).toBe(5);
    expect(cloud.registrations.slice(firstNew).map((registration) => registration.type)).toEqual([
      "keyguard:redshift:EncryptedCluster",
      "aws:kms/key:Key",
      "aws:kms/alias:Alias",
      "aws:redshift/cluster:Cluster",
      "pulumi-nodejs:dynamic/keyguard:RedshiftKeyRotation",
    ]);
    // No exported value carries the password, secret or not.
    for (const exported of [stack.clusterIdentifier, stack.keyArn, stack.endpoint, stack.aliasName!]) {
      expect(JSON.stringify(await valueOf(exported as pulumi.Output<unknown>))).not.toContain(STACK_PASSWORD);
    }
  });

  test("with no configuration the stack has sensible defaults: keyguard-<stack>, RA3, one node, Redshift-managed password, yearly rotation", async () => {
    pulumi.runtime.setAllConfig({});
    const firstNew = cloud.registrations.length;
    const stack = await runStackProgram();
    expect(await valueOf(stack.clusterIdentifier)).toBe("keyguard-test");
    await expect.poll(() => cloud.registrations.length - firstNew).toBe(5);
    const fresh = cloud.registrations.slice(firstNew);
    const key = fresh.find((registration) => registration.type === "aws:kms/key:Key")!.inputs;
    expect(key).toMatchObject({ enableKeyRotation: true, rotationPeriodInDays: 365, deletionWindowInDays: 30 });
    expect(fresh.find((registration) => registration.type === "aws:redshift/cluster:Cluster")!.inputs).toEqual({
      clusterIdentifier: "keyguard-test",
      nodeType: "ra3.xlplus",
      numberOfNodes: 1,
      databaseName: "dev",
      masterUsername: "keyguard_admin",
      manageMasterPassword: true,
      automatedSnapshotRetentionPeriod: 7,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "keyguard-test-final",
      tags: { "managed-by": "keyguard" },
      encrypted: "true",
      kmsKeyId: `arn:aws:kms:${PROVIDER_REGION}:${ACCOUNT_ID}:key/key-warehouse-key`,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
    });
  });
});

describe("during a preview, with values AWS has not computed yet", () => {
  // Last: switches this process's mocks to preview mode (as `keyguard check` and `pulumi preview` run).
  test("unknown ARNs and identifiers flow through: nothing is refused for not being known, nothing throws", async () => {
    const previewCloud = installMockCloud({ preview: true });
    const rejectionsSeen: unknown[] = [];
    const onRejection = (reason: unknown) => rejectionsSeen.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
      const aws = await import("@pulumi/aws");
      // A key made elsewhere in the program: its ARN is unknown during the preview.
      const sharedKey = new aws.kms.Key("shared-key", { enableKeyRotation: true });
      const byok = new component.EncryptedRedshiftCluster("pv-byok", {
        clusterIdentifier: "pv-byok",
        nodeType: "ra3.xlplus",
        kmsKeyArn: sharedKey.arn,
      });
      const own = new component.EncryptedRedshiftCluster("pv-own", {
        clusterIdentifier: sharedKey.keyId,
        nodeType: "ra3.xlplus",
        masterPassword: pulumi.secret("Preview0Password"),
      });
      await Promise.all(
        [byok, own].flatMap((cluster) => [valueOf(cluster.cluster.urn), valueOf(cluster.keyRotation!.urn)]),
      );

      const inputs = (name: string) =>
        previewCloud.registrations.find((registration) => registration.name === name)!.inputs;
      expect(pulumi.isUnknown(inputs("pv-byok-cluster").kmsKeyId)).toBe(true);
      expect(inputs("pv-byok-cluster")).toMatchObject({
        encrypted: "true",
        publiclyAccessible: false,
        enhancedVpcRouting: true,
        clusterIdentifier: "pv-byok",
      });
      expect(pulumi.isUnknown(inputs("pv-own-cluster").clusterIdentifier)).toBe(true);
      expect(pulumi.isUnknown(inputs("pv-own-cluster").kmsKeyId)).toBe(true);
      expect(pulumi.isUnknown(inputs("pv-own-key-rotation").kmsKeyId)).toBe(true);
      expect(pulumi.isUnknown(inputs("pv-own-alias").name)).toBe(true);
      expect(inputs("pv-own-key")).toMatchObject({ enableKeyRotation: true, rotationPeriodInDays: 365 });
      expect(inputs("pv-own-cluster").masterPassword).toEqual({
        [SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE,
        value: "Preview0Password",
      });
      expect(await pulumi.isSecret(own.cluster.masterPassword)).toBe(true);
      expect(rejectionsSeen).toEqual([]);
    } finally {
      process.removeListener("unhandledRejection", onRejection);
    }
  });
});
