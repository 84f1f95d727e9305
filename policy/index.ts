/**
 * The keyguard CrossGuard policy pack. Constructing the PolicyPack starts its gRPC server at once
 * (that is how the engine runs a pack), so this is the only file that does it; tests and the gate
 * import ./policies instead. Shipped precompiled as dist/index.js (see package.json "main").
 */
import { PolicyPack } from "@pulumi/policy";
import { KEYGUARD_PACK_NAME, keyguardPolicies } from "./policies";

new PolicyPack(KEYGUARD_PACK_NAME, {
  description: "Amazon Redshift encrypted under customer-managed AWS KMS keys that actually rotate.",
  policies: keyguardPolicies,
});
