/**
 * keyguard's own stack: one EncryptedRedshiftCluster built from the `keyguard:*` stack
 * configuration (see Pulumi.dev.yaml and docs/deploy.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { EncryptedRedshiftCluster, EncryptedRedshiftClusterArgs } from "./components/encryptedRedshiftCluster";

const config = new pulumi.Config("keyguard");

/** A cluster identifier Redshift accepts, derived from the stack name when none is configured. */
function defaultClusterIdentifier(stack: string): string {
  const fromStack = stack
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `keyguard-${fromStack || "cluster"}`.slice(0, 63).replace(/-+$/, "");
}

const configuredClusterIdentifier = config.get("clusterIdentifier") ?? defaultClusterIdentifier(pulumi.getStack());
const masterPassword = config.getSecret("masterPassword");

const args: EncryptedRedshiftClusterArgs = {
  clusterIdentifier: configuredClusterIdentifier,
  // RA3 is what Redshift offers for new provisioned clusters; ra3.xlplus also runs as a single node.
  nodeType: config.get("nodeType") ?? "ra3.xlplus",
  numberOfNodes: config.getNumber("numberOfNodes") ?? 1,
  databaseName: config.get("databaseName") ?? "dev",
  masterUsername: config.get("masterUsername") ?? "keyguard_admin",
  // Without a configured secret password, Redshift generates one and keeps it in Secrets Manager.
  ...(masterPassword !== undefined ? { masterPassword, manageMasterPassword: false } : {}),
  clusterSubnetGroupName: config.get("clusterSubnetGroupName"),
  vpcSecurityGroupIds: config.getObject<string[]>("vpcSecurityGroupIds"),
  automatedSnapshotRetentionPeriod: config.getNumber("automatedSnapshotRetentionPeriod") ?? 7,
  preferredMaintenanceWindow: config.get("preferredMaintenanceWindow"),
  // A destroy keeps a final snapshot unless told otherwise: the data outlives the stack.
  skipFinalSnapshot: config.getBoolean("skipFinalSnapshot") ?? false,
  finalSnapshotIdentifier: config.getBoolean("skipFinalSnapshot") ? undefined : `${configuredClusterIdentifier}-final`,
  tags: { ...(config.getObject<Record<string, string>>("tags") ?? {}), "managed-by": "keyguard" },
  rotateOnKeyChange: config.getBoolean("rotateOnKeyChange") ?? true,
  // Given together with kmsKeyArn, the key settings are refused by the component with a clear error.
  kmsKeyArn: config.get("kmsKeyArn"),
  rotationPeriodInDays: config.getNumber("rotationPeriodInDays"),
  deletionWindowInDays: config.getNumber("deletionWindowInDays"),
  aliasName: config.get("aliasName"),
};

const warehouse = new EncryptedRedshiftCluster("warehouse", args);

export const clusterIdentifier = warehouse.clusterIdentifier;
export const keyArn = warehouse.keyArn;
export const endpoint = warehouse.endpoint;
export const aliasName = warehouse.alias?.name;
export const keyRotationLastRotatedAt = warehouse.keyRotation?.lastRotatedAt;
