/** `--format json`: the report as it is (summary, violations, drift, policies, resources). */
import type { Report } from "../report";

export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + "\n";
}
