// Synthetic stacks for the per-resource figures: half KMS key material (keys, aliases, Multi-Region
// replicas), half Redshift clusters, shaped as the engine sends them to a policy pack (Analyze: a
// resource's inputs; AnalyzeStack: every resource's outputs with parent, dependencies and property
// dependencies). Deterministic, so every pack sees exactly the same resources in every run.
import { DEFAULT_ROTATION_PERIOD_IN_DAYS, RESOURCE_TYPES, ROTATABLE_KEY_SPEC, ROTATABLE_KEY_USAGE } from "../facts";

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

function urnOf(type: string, name: string): string {
  return `urn:pulumi:${stackName}::${projectName}::${type}::${name}`;
}

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
export function syntheticStack(resourceCount: number): SyntheticResource[] {
  if (!Number.isInteger(resourceCount) || resourceCount <= 0 || resourceCount % 10 !== 0) {
    throw new Error(`syntheticStack: resourceCount must be a positive multiple of 10, got ${resourceCount}`);
  }
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
