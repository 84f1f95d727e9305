/**
 * The committed form of what Terraform writes for a fixture, and the one place that decides it:
 * the JSON pretty-printed (Terraform prints it on one line), and the two things in a plan that change
 * from run to run made stable: `timestamp` (the moment the plan was made) replaced by a fixed instant,
 * and `relevant_attributes` sorted (Terraform lists them in no fixed order: two runs of the same plan
 * differ). The raw state stays as `terraform state pull` prints it (its lineage is seeded by the harness).
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
  if (Array.isArray(plan.relevant_attributes))
    plan.relevant_attributes = plan.relevant_attributes
      .map((entry: unknown) => ({ entry, order: JSON.stringify(entry) }))
      .sort((left, right) => (left.order < right.order ? -1 : left.order > right.order ? 1 : 0))
      .map(({ entry }) => entry);
  return {
    "plan.json": pretty(plan),
    ...(outputs.stateJson !== undefined && { "state.json": pretty(JSON.parse(outputs.stateJson)) }),
    ...(outputs.rawState !== undefined && { "terraform.tfstate": outputs.rawState }),
  };
}

function pretty(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
