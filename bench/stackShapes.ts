// The stacks the pack figures are measured on, shaped as the engine sends them to a policy pack
// (Analyze: a resource's inputs; AnalyzeStack: every resource's outputs with parent, dependencies and
// property dependencies). Three shapes (STACK_SHAPES): what EncryptedRedshiftCluster deploys, a mix
// of everything the pack reads, and the keys-and-clusters mix of the first benchmarks. Deterministic,
// so every pack sees exactly the same resources in every run.
import {
  DEFAULT_ROTATION_PERIOD_IN_DAYS,
  RESOURCE_TYPES,
  ROTATABLE_KEY_SPEC,
  ROTATABLE_KEY_USAGE,
  UNKNOWN_STRING_SENTINEL,
} from "../facts";
import { redshiftClusterKeyPolicy } from "../components/encryptedRedshiftCluster/keyPolicy";

/** One resource as the engine describes it to an analyzer (plain JSON values for `properties`). */
export interface SyntheticResource {
  type: string;
  name: string;
  urn: string;
  properties: Record<string, unknown>;
  parent?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

const stackName = "bench";
const projectName = "keyguard-bench";
const accountId = "123456789012";
const region = "us-east-1";
const replicaRegion = "eu-west-1";

/** A URN as the engine builds it: the parent's type chain, `$`, the resource's type. */
function urnOf(type: string, name: string, parentTypes: readonly string[] = []): string {
  return `urn:pulumi:${stackName}::${projectName}::${[...parentTypes, type].join("$")}::${name}`;
}

const stackUrn = urnOf(RESOURCE_TYPES.pulumiStack, `${projectName}-${stackName}`);

/** A deterministic fake key id shaped like KMS's (a UUID). */
function keyIdFor(index: number): string {
  const hex = index.toString(16).padStart(12, "0");
  return `1234abcd-12ab-34cd-56ef-${hex}`;
}

/**
 * Out of every ten resources: five clusters, three keys, one alias and one replica key. Clusters
 * name their key three ways, as real programs do: by key ARN (with the key in propertyDependencies,
 * as the engine reports an output passed as input), by alias name, and by the replica's ARN.
 * Every key rotates with AWS's default period and every cluster is encrypted with a customer key,
 * so the packs do their full work on each resource rather than stopping at the first violation.
 */
function keysAndClustersStack(resourceCount: number): SyntheticResource[] {
  const resources: SyntheticResource[] = [];
  const groups = resourceCount / 10;
  for (let group = 0; group < groups; group++) {
    const keys: SyntheticResource[] = [];
    for (let k = 0; k < 3; k++) {
      const index = group * 3 + k;
      const keyId = keyIdFor(index);
      const name = `key-${index}`;
      keys.push({
        type: RESOURCE_TYPES.kmsKey,
        name,
        urn: urnOf(RESOURCE_TYPES.kmsKey, name),
        properties: {
          id: keyId,
          keyId,
          arn: `arn:aws:kms:${region}:${accountId}:key/${keyId}`,
          description: `Encrypts Redshift cluster group ${group}`,
          customerMasterKeySpec: ROTATABLE_KEY_SPEC,
          keyUsage: ROTATABLE_KEY_USAGE,
          enableKeyRotation: true,
          rotationPeriodInDays: DEFAULT_ROTATION_PERIOD_IN_DAYS,
          deletionWindowInDays: 30,
          isEnabled: true,
          multiRegion: k === 2,
          bypassPolicyLockoutSafetyCheck: false,
          tags: { team: "data", group: String(group) },
        },
        dependencies: [],
        propertyDependencies: {},
      });
    }
    const aliasName = `alias/redshift-${group}`;
    const alias: SyntheticResource = {
      type: RESOURCE_TYPES.kmsAlias,
      name: `alias-${group}`,
      urn: urnOf(RESOURCE_TYPES.kmsAlias, `alias-${group}`),
      properties: {
        id: aliasName,
        name: aliasName,
        arn: `arn:aws:kms:${region}:${accountId}:${aliasName}`,
        targetKeyId: keys[1].properties.keyId,
        targetKeyArn: keys[1].properties.arn,
      },
      dependencies: [keys[1].urn],
      propertyDependencies: { targetKeyId: [keys[1].urn] },
    };
    const replicaKeyId = `mrk-${keyIdFor(group).replace(/-/g, "").slice(0, 24)}`;
    const replica: SyntheticResource = {
      type: RESOURCE_TYPES.kmsReplicaKey,
      name: `replica-${group}`,
      urn: urnOf(RESOURCE_TYPES.kmsReplicaKey, `replica-${group}`),
      properties: {
        id: replicaKeyId,
        keyId: replicaKeyId,
        arn: `arn:aws:kms:${replicaRegion}:${accountId}:key/${replicaKeyId}`,
        primaryKeyArn: keys[2].properties.arn,
        description: `Replica for cluster group ${group}`,
        deletionWindowInDays: 30,
        enabled: true,
        keyRotationEnabled: true,
        keySpec: ROTATABLE_KEY_SPEC,
        keyUsage: ROTATABLE_KEY_USAGE,
      },
      dependencies: [keys[2].urn],
      propertyDependencies: { primaryKeyArn: [keys[2].urn] },
    };
    resources.push(...keys, alias, replica);
    for (let c = 0; c < 5; c++) {
      const index = group * 5 + c;
      const clusterIdentifier = `warehouse-${index}`;
      // Two clusters by key ARN, one by alias name, one by alias ARN, one by the replica's ARN.
      const [kmsKeyId, keyUrn] =
        c < 2
          ? [keys[0].properties.arn, keys[0].urn]
          : c === 2
            ? [alias.properties.name, alias.urn]
            : c === 3
              ? [alias.properties.arn, alias.urn]
              : [replica.properties.arn, replica.urn];
      resources.push({
        type: RESOURCE_TYPES.redshiftCluster,
        name: clusterIdentifier,
        urn: urnOf(RESOURCE_TYPES.redshiftCluster, clusterIdentifier),
        properties: {
          id: clusterIdentifier,
          clusterIdentifier,
          arn: `arn:aws:redshift:${region}:${accountId}:cluster:${clusterIdentifier}`,
          // @pulumi/aws 7 types `encrypted` as a string.
          encrypted: "true",
          kmsKeyId,
          nodeType: "ra3.xlplus",
          numberOfNodes: 2,
          clusterType: "multi-node",
          databaseName: "analytics",
          masterUsername: "warehouse_admin",
          manageMasterPassword: true,
          publiclyAccessible: false,
          enhancedVpcRouting: true,
          allowVersionUpgrade: true,
          automatedSnapshotRetentionPeriod: 7,
          preferredMaintenanceWindow: "sun:03:00-sun:03:30",
          skipFinalSnapshot: false,
          logging: { logDestinationType: "cloudwatch", logExports: ["connectionlog", "userlog"] },
          tags: { team: "data", cluster: clusterIdentifier },
        },
        dependencies: [keyUrn],
        propertyDependencies: { kmsKeyId: [keyUrn] },
      });
    }
  }
  return resources;
}

// ------------------------------------------------------------------------------------------------
// What EncryptedRedshiftCluster deploys
// ------------------------------------------------------------------------------------------------

/**
 * Stands in for the `__provider` input and output of every RedshiftKeyRotation: the serialized
 * dynamic provider, ~97 KB of code in a real stack (the same text for every rotation resource). At
 * 10,000 components that text alone would make each AnalyzeStack request ~1 GB, so the synthetic
 * stacks carry 2 KB; `keyguard check` on 1,000 real components (figure 4) carries the real one.
 */
const PROVIDER_STAND_IN = `exports.handler = __f0;\nfunction __f0() {\n${"  // serialized RedshiftKeyRotation provider (stand-in)\n".repeat(36)}}\n`;

/** Names that hold an unknown during a preview of a new resource (computed outputs). */
const UNKNOWN = UNKNOWN_STRING_SENTINEL;

/**
 * The key policy EncryptedRedshiftCluster gives its key, with one more condition that differs from
 * key to key (so no two keys of a stack carry the same text, as in a real stack of many accounts).
 */
function keyPolicyDocument(index: number): string {
  const policy = redshiftClusterKeyPolicy({ partition: "aws", accountId, region, dnsSuffix: "amazonaws.com" }) as {
    Statement: { Condition?: Record<string, unknown> }[];
  };
  const redshiftUse = policy.Statement[1];
  redshiftUse.Condition = { ...redshiftUse.Condition, StringLike: { "aws:ResourceTag/group": String(index % 50) } };
  return JSON.stringify(policy);
}

/** Input property names of a resource, each with no dependencies: the engine lists every input in propertyDependencies. */
function noDependencies(...names: string[]): Record<string, string[]> {
  return Object.fromEntries(names.map((name) => [name, []]));
}

/**
 * One EncryptedRedshiftCluster as `keyguard check` records it from the component (gate/program/programChild.ts)
 * and as a deployed stack holds it: the component, its key, alias, cluster and RedshiftKeyRotation,
 * children of the component, with the engine's dependencies (cluster.kmsKeyId → key; the rotation
 * depends on the cluster and the key, propertyDependencies.clusterIdentifier → cluster). One
 * component in four is new in this preview: its computed outputs (ARNs, key id) are unknown, so the
 * pack follows propertyDependencies as it must in a first preview.
 */
function component(index: number): SyntheticResource[] {
  const preview = index % 4 === 3;
  const known = (value: string) => (preview ? UNKNOWN : value);
  const name = `warehouse-${index}`;
  const clusterIdentifier = `fleet-warehouse-${index}`;
  const componentUrn = urnOf(RESOURCE_TYPES.encryptedRedshiftCluster, name, [RESOURCE_TYPES.pulumiStack]);
  const childOf = [RESOURCE_TYPES.encryptedRedshiftCluster];
  const keyId = keyIdFor(1_000_000 + index);
  const keyArn = `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
  const aliasName = `alias/${clusterIdentifier}`;
  const tags = { team: `team-${index % 25}`, "managed-by": "keyguard" };
  const key: SyntheticResource = {
    type: RESOURCE_TYPES.kmsKey,
    name: `${name}-key`,
    urn: urnOf(RESOURCE_TYPES.kmsKey, `${name}-key`, childOf),
    parent: componentUrn,
    properties: {
      customerMasterKeySpec: ROTATABLE_KEY_SPEC,
      deletionWindowInDays: 30,
      description: `Encrypts Amazon Redshift cluster ${clusterIdentifier} (managed by keyguard)`,
      enableKeyRotation: true,
      keyUsage: ROTATABLE_KEY_USAGE,
      policy: keyPolicyDocument(index),
      rotationPeriodInDays: [90, 180, 365][index % 3],
      tags,
      id: known(keyId),
      arn: known(keyArn),
      keyId: known(keyId),
      tagsAll: preview ? UNKNOWN : tags,
    },
    dependencies: [],
    propertyDependencies: noDependencies(
      "customerMasterKeySpec",
      "deletionWindowInDays",
      "description",
      "enableKeyRotation",
      "keyUsage",
      "policy",
      "rotationPeriodInDays",
      "tags",
    ),
  };
  const alias: SyntheticResource = {
    type: RESOURCE_TYPES.kmsAlias,
    name: `${name}-alias`,
    urn: urnOf(RESOURCE_TYPES.kmsAlias, `${name}-alias`, childOf),
    parent: componentUrn,
    properties: {
      name: aliasName,
      targetKeyId: known(keyId),
      id: known(aliasName),
      arn: known(`arn:aws:kms:${region}:${accountId}:${aliasName}`),
      targetKeyArn: known(keyArn),
    },
    dependencies: [key.urn],
    propertyDependencies: { name: [], targetKeyId: [key.urn] },
  };
  const cluster: SyntheticResource = {
    type: RESOURCE_TYPES.redshiftCluster,
    name: `${name}-cluster`,
    urn: urnOf(RESOURCE_TYPES.redshiftCluster, `${name}-cluster`, childOf),
    parent: componentUrn,
    properties: {
      automatedSnapshotRetentionPeriod: 7,
      clusterIdentifier,
      databaseName: "analytics",
      encrypted: "true",
      enhancedVpcRouting: true,
      skipFinalSnapshot: true,
      kmsKeyId: known(keyArn),
      manageMasterPassword: true,
      masterUsername: "fleet_admin",
      nodeType: ["ra3.large", "ra3.xlplus", "ra3.4xlarge"][index % 3],
      numberOfNodes: 1 + (index % 4),
      publiclyAccessible: false,
      tags,
      id: known(clusterIdentifier),
      arn: known(`arn:aws:redshift:${region}:${accountId}:cluster:${clusterIdentifier}`),
      endpoint: known(`${clusterIdentifier}.c0ffee.${region}.redshift.amazonaws.com:5439`),
      dnsName: known(`${clusterIdentifier}.c0ffee.${region}.redshift.amazonaws.com`),
      masterPasswordSecretArn: known(
        `arn:aws:secretsmanager:${region}:${accountId}:secret:redshift!${clusterIdentifier}-admin`,
      ),
      tagsAll: preview ? UNKNOWN : tags,
    },
    dependencies: [key.urn],
    propertyDependencies: {
      ...noDependencies(
        "automatedSnapshotRetentionPeriod",
        "clusterIdentifier",
        "databaseName",
        "encrypted",
        "enhancedVpcRouting",
        "skipFinalSnapshot",
      ),
      kmsKeyId: [key.urn],
      ...noDependencies(
        "manageMasterPassword",
        "masterUsername",
        "nodeType",
        "numberOfNodes",
        "publiclyAccessible",
        "tags",
      ),
    },
  };
  const rotation: SyntheticResource = {
    type: RESOURCE_TYPES.redshiftKeyRotation,
    name: `${name}-key-rotation`,
    urn: urnOf(RESOURCE_TYPES.redshiftKeyRotation, `${name}-key-rotation`, childOf),
    parent: componentUrn,
    properties: {
      __provider: PROVIDER_STAND_IN,
      clusterIdentifier,
      kmsKeyId: known(keyArn),
      region,
      id: known(`${clusterIdentifier}-rotation`),
      resolvedRegion: known(region),
      rotationCount: preview ? UNKNOWN : 0,
      keyRotationEnabled: preview ? UNKNOWN : true,
      rotationPeriodInDays: preview ? UNKNOWN : [90, 180, 365][index % 3],
      nextRotationDate: known("2027-03-01T00:00:00Z"),
    },
    dependencies: [cluster.urn, key.urn],
    propertyDependencies: { __provider: [], clusterIdentifier: [cluster.urn], kmsKeyId: [key.urn], region: [] },
  };
  const componentResource: SyntheticResource = {
    type: RESOURCE_TYPES.encryptedRedshiftCluster,
    name,
    urn: componentUrn,
    parent: stackUrn,
    properties: {
      aliasName,
      clusterIdentifier,
      endpoint: cluster.properties.endpoint,
      keyArn: known(keyArn),
      keyRotationId: rotation.properties.id,
    },
    dependencies: [],
    propertyDependencies: {},
  };
  return [componentResource, key, alias, cluster, rotation];
}

function componentStack(resourceCount: number): SyntheticResource[] {
  const resources: SyntheticResource[] = [];
  for (let index = 0; index < resourceCount / 5; index++) resources.push(...component(index));
  return resources;
}

// ------------------------------------------------------------------------------------------------
// Everything the pack reads, mixed
// ------------------------------------------------------------------------------------------------

/** A provisioned cluster (aws or aws-native) encrypted with `kmsKeyId`, which came from `keyUrn` (if in the stack). */
function plainCluster(type: string, name: string, kmsKeyId: string, keyUrn: string | undefined): SyntheticResource {
  const urn = urnOf(type, name);
  return {
    type,
    name,
    urn,
    properties: {
      clusterIdentifier: name,
      encrypted: type === RESOURCE_TYPES.nativeRedshiftCluster ? true : "true",
      kmsKeyId,
      nodeType: "ra3.xlplus",
      numberOfNodes: 2,
      clusterType: "multi-node",
      dbName: "analytics",
      masterUsername: "warehouse_admin",
      publiclyAccessible: false,
      id: name,
    },
    dependencies: keyUrn ? [keyUrn] : [],
    propertyDependencies: {
      clusterIdentifier: [],
      encrypted: [],
      kmsKeyId: keyUrn ? [keyUrn] : [],
      nodeType: [],
      numberOfNodes: [],
    },
  };
}

function rotationFor(cluster: SyntheticResource): SyntheticResource {
  const name = `${cluster.name}-key-rotation`;
  return {
    type: RESOURCE_TYPES.redshiftKeyRotation,
    name,
    urn: urnOf(RESOURCE_TYPES.redshiftKeyRotation, name),
    properties: {
      __provider: PROVIDER_STAND_IN,
      clusterIdentifier: cluster.properties.clusterIdentifier,
      kmsKeyId: cluster.properties.kmsKeyId,
      region,
      id: `${name}-id`,
      rotationCount: 1,
    },
    dependencies: [cluster.urn],
    propertyDependencies: {
      __provider: [],
      clusterIdentifier: [cluster.urn],
      kmsKeyId: cluster.dependencies,
      region: [],
    },
  };
}

/**
 * Twenty resources: one EncryptedRedshiftCluster (5); a Multi-Region key, its replica in another
 * region and a cluster there encrypted with the replica, with its rotation (4); aws-native's key, alias
 * and cluster (named through the alias), with a rotation (4); a Serverless namespace on its own key (2);
 * an imported-material key (aws.kms.ExternalKey) and a cluster on it, with a rotation (3); a cluster on
 * a key in another account, with a rotation (2). Every policy has work on it, and the external-key and
 * imported-material clusters are findings (mandatory and advisory).
 */
function mixedGroup(group: number): SyntheticResource[] {
  const resources: SyntheticResource[] = component(group);

  const primaryId = `mrk-${keyIdFor(2_000_000 + group)
    .replace(/-/g, "")
    .slice(0, 24)}`;
  const primary: SyntheticResource = {
    type: RESOURCE_TYPES.kmsKey,
    name: `mr-primary-${group}`,
    urn: urnOf(RESOURCE_TYPES.kmsKey, `mr-primary-${group}`),
    properties: {
      customerMasterKeySpec: ROTATABLE_KEY_SPEC,
      keyUsage: ROTATABLE_KEY_USAGE,
      enableKeyRotation: true,
      rotationPeriodInDays: DEFAULT_ROTATION_PERIOD_IN_DAYS,
      multiRegion: true,
      id: primaryId,
      keyId: primaryId,
      arn: `arn:aws:kms:${region}:${accountId}:key/${primaryId}`,
    },
    dependencies: [],
    propertyDependencies: noDependencies(
      "customerMasterKeySpec",
      "keyUsage",
      "enableKeyRotation",
      "rotationPeriodInDays",
      "multiRegion",
    ),
  };
  const replica: SyntheticResource = {
    type: RESOURCE_TYPES.kmsReplicaKey,
    name: `mr-replica-${group}`,
    urn: urnOf(RESOURCE_TYPES.kmsReplicaKey, `mr-replica-${group}`),
    properties: {
      primaryKeyArn: primary.properties.arn,
      deletionWindowInDays: 30,
      enabled: true,
      id: primaryId,
      keyId: primaryId,
      arn: `arn:aws:kms:${replicaRegion}:${accountId}:key/${primaryId}`,
      keyRotationEnabled: true,
      keySpec: ROTATABLE_KEY_SPEC,
      keyUsage: ROTATABLE_KEY_USAGE,
    },
    dependencies: [primary.urn],
    propertyDependencies: { primaryKeyArn: [primary.urn], deletionWindowInDays: [], enabled: [] },
  };
  const replicaCluster = plainCluster(
    RESOURCE_TYPES.redshiftCluster,
    `replica-warehouse-${group}`,
    replica.properties.arn as string,
    replica.urn,
  );
  resources.push(primary, replica, replicaCluster, rotationFor(replicaCluster));

  const nativeKeyId = keyIdFor(3_000_000 + group);
  const nativeKey: SyntheticResource = {
    type: RESOURCE_TYPES.nativeKmsKey,
    name: `native-key-${group}`,
    urn: urnOf(RESOURCE_TYPES.nativeKmsKey, `native-key-${group}`),
    properties: {
      keySpec: ROTATABLE_KEY_SPEC,
      keyUsage: ROTATABLE_KEY_USAGE,
      origin: "AWS_KMS",
      enableKeyRotation: true,
      rotationPeriodInDays: 180,
      keyId: nativeKeyId,
      arn: `arn:aws:kms:${region}:${accountId}:key/${nativeKeyId}`,
      id: nativeKeyId,
    },
    dependencies: [],
    propertyDependencies: noDependencies("keySpec", "keyUsage", "origin", "enableKeyRotation", "rotationPeriodInDays"),
  };
  const nativeAliasName = `alias/native-${group}`;
  const nativeAlias: SyntheticResource = {
    type: RESOURCE_TYPES.nativeKmsAlias,
    name: `native-alias-${group}`,
    urn: urnOf(RESOURCE_TYPES.nativeKmsAlias, `native-alias-${group}`),
    properties: { aliasName: nativeAliasName, targetKeyId: nativeKeyId, id: nativeAliasName },
    dependencies: [nativeKey.urn],
    propertyDependencies: { aliasName: [], targetKeyId: [nativeKey.urn] },
  };
  const nativeCluster = plainCluster(
    RESOURCE_TYPES.nativeRedshiftCluster,
    `native-warehouse-${group}`,
    nativeAliasName,
    nativeAlias.urn,
  );
  resources.push(nativeKey, nativeAlias, nativeCluster, rotationFor(nativeCluster));

  const namespaceKeyId = keyIdFor(4_000_000 + group);
  const namespaceKey: SyntheticResource = {
    type: RESOURCE_TYPES.kmsKey,
    name: `serverless-key-${group}`,
    urn: urnOf(RESOURCE_TYPES.kmsKey, `serverless-key-${group}`),
    properties: {
      customerMasterKeySpec: ROTATABLE_KEY_SPEC,
      keyUsage: ROTATABLE_KEY_USAGE,
      enableKeyRotation: true,
      id: namespaceKeyId,
      keyId: namespaceKeyId,
      arn: `arn:aws:kms:${region}:${accountId}:key/${namespaceKeyId}`,
    },
    dependencies: [],
    propertyDependencies: noDependencies("customerMasterKeySpec", "keyUsage", "enableKeyRotation"),
  };
  const namespace: SyntheticResource = {
    type: RESOURCE_TYPES.redshiftServerlessNamespace,
    name: `namespace-${group}`,
    urn: urnOf(RESOURCE_TYPES.redshiftServerlessNamespace, `namespace-${group}`),
    properties: {
      namespaceName: `analytics-${group}`,
      kmsKeyId: namespaceKey.properties.arn,
      dbName: "analytics",
      id: `analytics-${group}`,
    },
    dependencies: [namespaceKey.urn],
    propertyDependencies: { namespaceName: [], kmsKeyId: [namespaceKey.urn], dbName: [] },
  };
  resources.push(namespaceKey, namespace);

  const importedId = keyIdFor(5_000_000 + group);
  const imported: SyntheticResource = {
    type: RESOURCE_TYPES.kmsExternalKey,
    name: `imported-key-${group}`,
    urn: urnOf(RESOURCE_TYPES.kmsExternalKey, `imported-key-${group}`),
    properties: {
      description: "Key material imported from the HSM",
      enabled: true,
      id: importedId,
      arn: `arn:aws:kms:${region}:${accountId}:key/${importedId}`,
    },
    dependencies: [],
    propertyDependencies: noDependencies("description", "enabled"),
  };
  const importedCluster = plainCluster(
    RESOURCE_TYPES.redshiftCluster,
    `imported-warehouse-${group}`,
    imported.properties.arn as string,
    imported.urn,
  );
  resources.push(imported, importedCluster, rotationFor(importedCluster));

  const foreignArn = `arn:aws:kms:${region}:210987654321:key/${keyIdFor(6_000_000 + group)}`;
  const foreignCluster = plainCluster(
    RESOURCE_TYPES.redshiftCluster,
    `shared-key-warehouse-${group}`,
    foreignArn,
    undefined,
  );
  resources.push(foreignCluster, rotationFor(foreignCluster));
  return resources;
}

function mixedStack(resourceCount: number): SyntheticResource[] {
  const resources: SyntheticResource[] = [];
  for (let group = 0; group < resourceCount / 20; group++) resources.push(...mixedGroup(group));
  return resources;
}

// ------------------------------------------------------------------------------------------------

export type StackShape = "component" | "mix" | "keysAndClusters";

export interface StackShapeInfo {
  /** Short name in the table's figures. */
  label: string;
  /** What the stack is made of, for BENCHMARKS.md. */
  description: string;
  /** Sizes must be multiples of this. */
  groupSize: number;
  build(resourceCount: number): SyntheticResource[];
}

export const STACK_SHAPES: Record<StackShape, StackShapeInfo> = {
  component: {
    label: "EncryptedRedshiftCluster stack",
    description:
      "EncryptedRedshiftClusters as the component deploys them: per component, the component, its key, alias, cluster and RedshiftKeyRotation, with the engine's dependencies (cluster.kmsKeyId → key; the rotation depends on the cluster, propertyDependencies.clusterIdentifier → cluster); one component in four new in the preview (ARNs unknown)",
    groupSize: 5,
    build: componentStack,
  },
  mix: {
    label: "mixed stack",
    description:
      "per 20 resources: one EncryptedRedshiftCluster (5); a Multi-Region key, its replica and a cluster on the replica with its rotation (4); aws-native key, alias and cluster (through the alias) with a rotation (4); a Serverless namespace on its own key (2); an imported-material key (aws.kms.ExternalKey) and a cluster on it with a rotation (3); a cluster on a key in another account with a rotation (2)",
    groupSize: 20,
    build: mixedStack,
  },
  keysAndClusters: {
    label: "keys-and-clusters stack (the first benchmarks')",
    description:
      "per 10 resources: five clusters, three keys, one alias, one Multi-Region replica; clusters name their key by ARN, alias name, alias ARN and replica ARN; no RedshiftKeyRotation, so redshift-cluster-rotation-on-key-change reports every cluster",
    groupSize: 10,
    build: keysAndClustersStack,
  },
};

/** A stack of `shape` with exactly `resourceCount` resources. */
export function shapedStack(shape: StackShape, resourceCount: number): SyntheticResource[] {
  const info = STACK_SHAPES[shape];
  if (!info)
    throw new Error(
      `shapedStack: unknown shape ${JSON.stringify(shape)}; shapes are ${Object.keys(STACK_SHAPES).join(", ")}`,
    );
  if (!Number.isInteger(resourceCount) || resourceCount <= 0 || resourceCount % info.groupSize !== 0) {
    throw new Error(
      `shapedStack: resourceCount for the ${shape} shape must be a positive multiple of ${info.groupSize}, got ${resourceCount}`,
    );
  }
  const resources = info.build(resourceCount);
  if (resources.length !== resourceCount)
    throw new Error(`shapedStack: the ${shape} shape built ${resources.length} resources instead of ${resourceCount}`);
  return resources;
}
