/**
 * What a JSON file given to `keyguard check --plan` or `keyguard audit` is, told by its content:
 * a Terraform plan (`terraform show -json plan.out`), a Terraform state (`terraform show -json`), a
 * raw state (`terraform state pull`, version 4) or a `pulumi stack export`. Files that are none of
 * these get an error that names the file, what it is (when it can be told) and what is expected.
 */
import { describeValue } from "../../messages/describe";
import { otherToolDescription } from "../audit/stackExport";
import { assertNotTooDeep, jsonProblem } from "../jsonInput";
import { UsageError } from "../usageError";

export type DocumentKind = "terraform-plan" | "terraform-state" | "terraform-raw-state" | "pulumi-export";

export const DOCUMENT_DESCRIPTIONS: Record<DocumentKind, string> = {
  "terraform-plan": "a Terraform plan (terraform show -json plan.out)",
  "terraform-state": "a Terraform state (terraform show -json, without a plan)",
  "terraform-raw-state": "a raw Terraform state file (terraform state pull)",
  "pulumi-export": "a Pulumi stack export (pulumi stack export)",
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The kind of a parsed document, or undefined when it is none keyguard reads. */
export function documentKind(document: Record<string, unknown>): DocumentKind | undefined {
  if ("deployment" in document) return "pulumi-export";
  if ("format_version" in document) {
    if (
      ["planned_values", "resource_changes", "prior_state", "configuration", "output_changes"].some(
        (key) => key in document,
      )
    )
      return "terraform-plan";
    if (Object.keys(document).every((key) => ["format_version", "terraform_version", "values", "checks"].includes(key)))
      return "terraform-state";
    return undefined;
  }
  if ("version" in document && Array.isArray(document.resources) && ("lineage" in document || "serial" in document))
    return "terraform-raw-state";
  return undefined;
}

/**
 * Parses a file's text as one of the `expected` kinds; `what` names the input in errors
 * (`--plan plan.json`). Throws a UsageError naming the file for anything else.
 */
export function readDocument(
  text: string,
  what: string,
  expected: readonly DocumentKind[],
  hint: string,
): { kind: DocumentKind; document: Record<string, unknown> } {
  const wanted = expected.map((kind) => DOCUMENT_DESCRIPTIONS[kind]).join(" or ");
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} ${jsonProblem(error, text)}; expected ${wanted}`);
  }
  if (!isPlainObject(document)) throw new UsageError(`${what} holds ${describeValue(document)}, not ${wanted}`);
  const kind = documentKind(document);
  if (kind !== undefined && expected.includes(kind)) {
    // The readers walk values recursively: refuse a depth no real file has, naming where, as exports are.
    assertNotTooDeep(document, what);
    return { kind, document };
  }
  const found =
    kind !== undefined
      ? DOCUMENT_DESCRIPTIONS[kind]
      : (otherToolDescription(document) ??
        `a JSON document keyguard does not know (top-level keys: ${Object.keys(document).slice(0, 6).join(", ") || "none"})`);
  throw new UsageError(`${what} is ${found}, not ${wanted}; ${hint}`);
}

/** `"1.2"` → [1, 2]; undefined when the text is no `<major>.<minor>` version. */
export function parseFormatVersion(value: unknown): [number, number] | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d+)\.(\d+)$/.exec(value);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}
