/** keyguard's Pulumi components. */
export * from "./encryptedRedshiftCluster";
