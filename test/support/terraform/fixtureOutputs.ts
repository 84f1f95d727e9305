/**
 * The committed form of what Terraform writes for a fixture, and the one place that decides it:
 * the JSON pretty-printed (Terraform prints it on one line), the plan's `timestamp` (the moment the
 * plan was made, the only field that changes from run to run) replaced by a fixed instant, and the
 * raw state as `terraform state pull` prints it (its lineage is seeded by the harness).
 */
import type { TerraformOutputs } from "./runTerraform";

/** Stands in for the plan's `timestamp` in committed plans, so regenerating them does not churn. */
export const FIXED_PLAN_TIMESTAMP = "2026-01-01T00:00:00Z";

export interface FixtureFiles {
  readonly "plan.json": string;
  readonly "state.json"?: string;
  readonly "terraform.tfstate"?: string;
}

export function fixtureFiles(outputs: TerraformOutputs): FixtureFiles {
  const plan = JSON.parse(outputs.planJson) as Record<string, unknown>;
  if ("timestamp" in plan) plan.timestamp = FIXED_PLAN_TIMESTAMP;
  return {
    "plan.json": pretty(plan),
    ...(outputs.stateJson !== undefined && { "state.json": pretty(JSON.parse(outputs.stateJson)) }),
    ...(outputs.rawState !== undefined && { "terraform.tfstate": outputs.rawState }),
  };
}

function pretty(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
