/**
 * The documentation the tests keep true: its marked sections (`<!-- section: NAME -->` ...
 * `<!-- end: NAME -->`), the IAM table of docs/iam.md, and the blocks generated from the code (the
 * usage text, the example report), which `KEYGUARD_UPDATE_DOCS=1` rewrites.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";

const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");

/** Where the IAM table lives (section `iam`), which every test of AWS calls compares with. */
export const IAM_DOC = "docs/iam.md";

/** The text between a document's `<!-- section: NAME -->` and `<!-- end: NAME -->` markers. */
export function docSection(document: string, name: string): string {
  const text = fs.readFileSync(path.join(REPOSITORY_ROOT, document), "utf8");
  const section = new RegExp(`<!-- section: ${name} -->([\\s\\S]*?)<!-- end: ${name} -->`).exec(text);
  if (!section)
    throw new Error(`${document} has no section "${name}" (<!-- section: ${name} --> ... <!-- end: ${name} -->)`);
  return section[1];
}

/**
 * The AWS actions (`service:Action`, sorted, each once) that the IAM table gives in its rows starting with
 * `rowStart` (e.g. "| RedshiftKeyRotation |" for one row, "| RedshiftKeyRotation" for every row of it).
 */
export function documentedIamActions(rowStart: string): string[] {
  const rows = docSection(IAM_DOC, "iam")
    .split("\n")
    .filter((line) => line.startsWith(rowStart));
  if (rows.length === 0) throw new Error(`${IAM_DOC}'s IAM table has no row starting with ${JSON.stringify(rowStart)}`);
  const actions = rows.flatMap((row) => [...row.matchAll(/`([a-z0-9-]+:[A-Za-z]+)`/g)].map((match) => match[1]));
  return [...new Set(actions)].sort();
}

/** The command that rewrites every generated block of the docs from the code. */
export const UPDATE_DOCS_COMMAND =
  "KEYGUARD_UPDATE_DOCS=1 npx vitest run test/gate/documentedUsage.test.ts test/gate/reports.test.ts";

/**
 * Expects `document` to hold exactly `block` between the `start` and `end` marker lines (markers
 * included in `block`). With KEYGUARD_UPDATE_DOCS=1 it first writes `block` there, so the diff can be
 * reviewed and committed; otherwise a difference fails saying what the block must be (`generatedFrom`)
 * and how to update the doc.
 */
export function expectGeneratedBlock(
  document: string,
  markers: { start: string; end: string },
  block: string,
  generatedFrom: string,
): void {
  const file = path.join(REPOSITORY_ROOT, document);
  const pattern = new RegExp(`${escapeRegExp(markers.start)}[\\s\\S]*?${escapeRegExp(markers.end)}`);
  const text = fs.readFileSync(file, "utf8");
  expect(pattern.test(text), `${document} has no block between ${markers.start} and ${markers.end}`).toBe(true);
  if (process.env.KEYGUARD_UPDATE_DOCS === "1")
    fs.writeFileSync(
      file,
      text.replace(pattern, () => block),
    );
  expect(
    pattern.exec(fs.readFileSync(file, "utf8"))?.[0],
    `${document}'s block between ${markers.start} and ${markers.end} is not ${generatedFrom}. To update ` +
      `the doc, run \`${UPDATE_DOCS_COMMAND}\` (it rewrites the block), then read the diff and the prose ` +
      `around the block (the flags or formats it describes, the examples) before committing.`,
  ).toBe(block);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
