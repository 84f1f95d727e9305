/**
 * keyguard's public entry point: what `import { ... } from "keyguard"` gives a Pulumi program.
 */
export * as facts from "./facts";
