/**
 * keyguard's public entry point: what `import { ... } from "keyguard"` gives a Pulumi program.
 */
export * as facts from "./facts";
export {
  EncryptedRedshiftCluster,
  EncryptedRedshiftClusterArgumentError,
  COMPONENT_OWNED_CLUSTER_FIELDS,
} from "./components/encryptedRedshiftCluster";
export type {
  EncryptedRedshiftClusterArgs,
  KeyRotationSettings,
  PassThroughClusterArgs,
} from "./components/encryptedRedshiftCluster";
export { RedshiftKeyRotation } from "./providers/redshiftKeyRotation";
export type { RedshiftKeyRotationArgs } from "./providers/redshiftKeyRotation";
