/**
 * The Terraform fixtures (test/terraform/fixtures/<name>/) and what the harness does with each. Every
 * case is planned (plan.json); some are applied first from another configuration, or applied after
 * the plan to record state. Each main.tf's header names the case and keyguard's expected verdicts.
 */
import * as path from "node:path";

export const FIXTURES_DIR = path.resolve(__dirname, "..", "..", "terraform", "fixtures");

export interface TerraformCase {
  /** The fixture folder under test/terraform/fixtures. */
  readonly name: string;
  /**
   * A sub-folder holding the configuration as it was before: it is applied first, and the case's own
   * configuration is then planned against that state (e.g. a key the new configuration removes).
   */
  readonly priorConfig?: string;
  /** Also apply the plan and record the state: state.json (`terraform show -json`) and terraform.tfstate (`terraform state pull`). */
  readonly recordState?: boolean;
}

export const TERRAFORM_CASES: readonly TerraformCase[] = [
  { name: "compliant-cluster" },
  { name: "rotation-off" },
  { name: "period-out-of-bounds" },
  { name: "key-behind-alias" },
  { name: "key-in-child-module" },
  { name: "module-input-key" },
  { name: "count-keys" },
  { name: "for-each-keys" },
  { name: "replica-of-unrotated-primary" },
  { name: "hmac-key-unused" },
  { name: "asymmetric-key-cluster" },
  { name: "imported-material-keys" },
  { name: "external-key-literal" },
  { name: "external-key-data-source" },
  { name: "external-key-variable" },
  { name: "key-being-deleted", priorConfig: "prior" },
  { name: "serverless-namespace" },
  { name: "unknown-in-plan" },
  { name: "state-compliant-and-unrotated", recordState: true },
];

/** The files the harness writes into a fixture folder; never copied into a run. */
export const GENERATED_FILES = ["plan.json", "state.json", "terraform.tfstate"] as const;
