/**
 * A verdict travels as data: a policy gives its parts (policy/verdict.ts), policy/define.ts alone
 * writes them into the one text form of policy/verdictCodec.ts (the Analyzer protocol carries only
 * text), and gate/evaluate.ts alone reads that text back into a typed finding. These checks keep it
 * so: a policy that wrote the form by hand, or a second place that parsed it, would fail here.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..");
/** Not product code: dependencies, build output, the tests themselves. */
const SKIPPED = new Set(["node_modules", "dist", "test", ".git", ".work", "coverage"]);

function typescriptFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : typescriptFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

const relative = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");
const PRODUCT_FILES = typescriptFiles(ROOT).filter((file) => relative(file) !== "policy/verdictCodec.ts");

/** The product files that call a function of the codec matching `name`. */
function callersOf(name: RegExp): string[] {
  const call = new RegExp(`\\b${name.source}\\(`);
  return PRODUCT_FILES.filter((file) => call.test(fs.readFileSync(file, "utf8")))
    .map(relative)
    .sort();
}

describe("verdicts as data", () => {
  it("no policy file writes the codec's form or reaches for the codec", () => {
    const policyDir = path.join(ROOT, "policy", "policies");
    const files = fs.readdirSync(policyDir).filter((name) => name.endsWith(".ts"));
    expect(files).toContain("kms-key-rotation-enabled.ts");
    for (const name of files) {
      const source = fs.readFileSync(path.join(policyDir, name), "utf8");
      for (const marker of ["Fix: ", "; required: ", "unknown in preview: ", "Or, before an update: "])
        expect(source, `${name} writes the marker ${JSON.stringify(marker)}`).not.toContain(marker);
      expect(source, `${name} imports the codec`).not.toMatch(/verdictCodec/);
    }
  });

  it("policy/define.ts is the one place that encodes, gate/evaluate.ts the one place that decodes", () => {
    expect(callersOf(/encode(?:Violation|Exemption|RemediationSteps)/)).toEqual(["policy/define.ts"]);
    expect(callersOf(/(?:decodeViolation|decodeNotApplicable|stepsOnDeployedState)/)).toEqual(["gate/evaluate.ts"]);
  });
});
