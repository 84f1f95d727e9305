/** Terraform ↔ Pulumi: which resource types and properties correspond, written once (see each file's sources). */
export * from "./resourceTypes";
export * from "./attributes";
export * from "./properties";
