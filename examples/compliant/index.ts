/**
 * A compliant stack: EncryptedRedshiftCluster creates the dedicated key (rotation on, yearly),
 * its alias, the encrypted cluster and the RedshiftKeyRotation bound to it.
 * `npx keyguard check --project examples/compliant` passes every policy.
 */
import { EncryptedRedshiftCluster } from "../../components";

const warehouse = new EncryptedRedshiftCluster("warehouse", {
  clusterIdentifier: "example-warehouse",
  nodeType: "ra3.large",
  numberOfNodes: 1,
  masterUsername: "warehouse_admin",
  rotationPeriodInDays: 180,
  skipFinalSnapshot: true,
});

export const clusterIdentifier = warehouse.clusterIdentifier;
export const keyArn = warehouse.keyArn;
