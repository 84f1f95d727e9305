/**
 * The pack's policy list as a whole, and docs/policies.md's tables about it checked against the policies
 * themselves (as the IAM tables are checked against the calls made): every policy's name, kind,
 * default level, remediation support, severity and description; every config setting, which policies
 * take it and its default.
 */
import { describe, expect, it } from "vitest";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { keyguardPolicies } from "../../policy/policies";
import { docSection } from "../support/docs";

const POLICY_DOC = "docs/policies.md";
const policySection = docSection(POLICY_DOC, "policy");

/** The rows of the markdown table whose header starts with `firstHeader`, as trimmed cells. */
function tableRows(firstHeader: string): string[][] {
  const lines = policySection.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`| ${firstHeader} |`));
  expect(start, `a ${POLICY_DOC} table headed "${firstHeader}" in the policy section`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .slice(1, -1)
        .split(" | ")
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}
const unquoted = (cell: string) => cell.replace(/`/g, "");
const kindOf = (policy: (typeof keyguardPolicies)[number]) => ("validateStack" in policy ? "stack" : "resource");
const settingsOf = (policy: (typeof keyguardPolicies)[number]) =>
  (policy.configSchema?.properties ?? {}) as Record<string, PolicyConfigJSONSchema>;

describe("the policy table of docs/policies.md", () => {
  const rows = tableRows("policy name");

  it("lists every policy of the pack, in the pack's order, and nothing else", () => {
    expect(rows.map((row) => unquoted(row[0]))).toEqual(keyguardPolicies.map((p) => p.name));
  });

  it.each(keyguardPolicies.map((policy) => [policy.name, policy] as const))(
    "gives %s's kind, default level, remediation, severity and description as the pack does",
    (name, policy) => {
      const [, kind, level, severity, description, rejects] = rows.find((row) => unquoted(row[0]) === name)!;
      expect(kind).toBe(kindOf(policy));
      const remediates = "remediateResource" in policy && policy.remediateResource !== undefined;
      expect(level).toBe(remediates ? `${policy.enforcementLevel} (supports \`remediate\`)` : policy.enforcementLevel);
      expect(severity).toBe(policy.severity);
      expect(description).toBe(policy.description);
      expect(rejects.length, "what it rejects, in words").toBeGreaterThan(20);
    },
  );
});

describe("the configuration table of docs/policies.md", () => {
  const rows = tableRows("setting");
  const allPolicies = keyguardPolicies.map((p) => p.name);
  let previous: string[] = [];
  const documented = rows.map(([setting, policies, defaultValue]) => {
    const names =
      policies === "same"
        ? previous
        : policies === "every policy"
          ? allPolicies
          : [...policies.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]);
    previous = names;
    return { setting: unquoted(setting), policies: names, defaultValue: unquoted(defaultValue) };
  });

  it("lists every setting any policy takes, and nothing else", () => {
    const taken = new Set(keyguardPolicies.flatMap((policy) => Object.keys(settingsOf(policy))));
    expect(documented.map((row) => row.setting).sort()).toEqual([...taken].sort());
  });

  it.each(documented.map((row) => [row.setting, row] as const))(
    "names the policies that take %s and its default, as their config schemas do",
    (setting, row) => {
      const takers = keyguardPolicies.filter((policy) => setting in settingsOf(policy));
      expect([...row.policies].sort()).toEqual(takers.map((p) => p.name).sort());
      for (const policy of takers)
        expect(JSON.stringify(settingsOf(policy)[setting].default), `${policy.name}.${setting}`).toBe(row.defaultValue);
    },
  );
});
