// The bench's outputs: bench/results.json (every figure with its raw summary) and the Markdown table in
// BENCHMARKS.md between the generated-table markers (the prose around it is written by hand).
import * as fs from "node:fs";

import { round, type Summary } from "./stats";

/** A target on a ratio or a value: `atMost` or `atLeast` a bound. */
export interface Target {
  kind: "atMost" | "atLeast";
  bound: number;
  /** How the target reads in the table, e.g. "≥ 8× faster than from source". */
  text: string;
}

export interface Figure {
  /** Stable key in results.json. */
  id: string;
  /** Which target (section of the table, see SECTIONS) it belongs to. */
  group: string;
  /** What is measured, in words. */
  figure: string;
  /** The figure's median (or single value) and unit. */
  value: number;
  unit: string;
  /** The spread of repeated measurements, when there were repetitions. */
  spread?: Summary;
  /** What it is compared with (measured in the same run), and that figure's median. */
  comparedWith?: string;
  comparedValue?: number;
  /** The ratio the target is about, and what it divides (e.g. "source / shipped"). */
  ratio?: number;
  ratioMeaning?: string;
  target?: Target;
  /** True when the target is met; undefined when the figure has no target. */
  met?: boolean;
  /** Anything a reader needs to interpret the figure (e.g. virtual clock, failures). */
  note?: string;
}

/** Judges `measured` (the ratio when there is one, else the value) against the target. */
export function judge(target: Target | undefined, measured: number | undefined): boolean | undefined {
  if (!target || measured === undefined || !Number.isFinite(measured)) return undefined;
  return target.kind === "atMost" ? measured <= target.bound : measured >= target.bound;
}

function formatValue(value: number, unit: string): string {
  if (unit === "ms" && value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (unit === "ms" && value >= 1_000) return `${(value / 1000).toFixed(2)} s`;
  if (unit === "ms" && value < 10) return `${value.toFixed(3)} ms`;
  if (unit === "ms") return `${value.toFixed(0)} ms`;
  if (unit === "s") return `${value.toFixed(2)} s`;
  if (unit === "µs") return `${value.toFixed(1)} µs`;
  if (Number.isInteger(value)) return `${value} ${unit}`.trim();
  return `${value.toFixed(2)} ${unit}`.trim();
}

function formatSpread(spread: Summary | undefined, unit: string): string {
  if (!spread || spread.count < 2) return "";
  return ` (n=${spread.count}, IQR ${formatValue(spread.p25, unit)}–${formatValue(spread.p75, unit)}, ±${(spread.spreadPercent / 2).toFixed(0)}%)`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The table's sections, one per target, in this order; a figure's `group` names its section. */
export const SECTIONS: readonly { group: string; title: string }[] = [
  { group: "start", title: "Pack start-to-port: ≤ 0.8× the floor pack" },
  { group: "analyze", title: "Analyze per call: ≤ 1.2× the floor" },
  { group: "analyzeStack", title: "AnalyzeStack: ≤ 1.2× the floor at 10,000 and 50,000 resources, every stack shape" },
  { group: "growth", title: "AnalyzeStack growth: time per resource from 10,000 to 50,000 resources grows ≤ 1.2×" },
  { group: "memory", title: "Peak memory of the pack process at 50,000 resources: ≤ 1.5× the floor's" },
  {
    group: "decision",
    title:
      "Three stack policies: what the framework charges for them ([decision 0001](docs/decisions/0001-three-stack-policies-deserialized-once.md))",
  },
  { group: "awsguard", title: "Side by side with @pulumi/awsguard: not slower" },
  { group: "check", title: "`keyguard check`: repository stack < 2 s, 1,000 components < 15 s" },
  {
    group: "terraform",
    title:
      "`keyguard check --plan` on Terraform plans: time to verdict ≤ 3× JSON.parse of the plan, linear (≤ 1.20× per resource from 10,000 to 50,000)",
  },
  {
    group: "audit",
    title: "`keyguard audit` of large stack exports: time growth from 50,000 to 200,000 resources ≤ 1.2× linear",
  },
  { group: "rotation", title: "Rotation provider against the local AWS endpoint" },
  { group: "tests", title: "`npm test`" },
  { group: "bench", title: "The bench itself" },
];

function renderSectionTable(figures: readonly Figure[]): string {
  const lines = [
    "| Figure | Value (median, spread) | Compared with (same run) | Ratio | Target | Met |",
    "|---|---|---|---|---|---|",
  ];
  for (const figure of figures) {
    const comparison = figure.comparedWith
      ? `${figure.comparedWith}${figure.comparedValue !== undefined ? `: ${formatValue(figure.comparedValue, figure.unit)}` : ""}`
      : "—";
    const ratio =
      figure.ratio !== undefined
        ? `${figure.ratio.toFixed(2)}×${figure.ratioMeaning ? ` (${figure.ratioMeaning})` : ""}`
        : "—";
    const met = figure.met === undefined ? "—" : figure.met ? "**met**" : "**not met**";
    lines.push(
      `| ${escapeCell(figure.figure + (figure.note ? ` — ${figure.note}` : ""))} | ${escapeCell(formatValue(figure.value, figure.unit) + formatSpread(figure.spread, figure.unit))} | ${escapeCell(comparison)} | ${escapeCell(ratio)} | ${escapeCell(figure.target?.text ?? "—")} | ${met} |`,
    );
  }
  return lines.join("\n");
}

/** The Markdown tables, one per section (target): figure, value (median and spread), comparison, ratio, target, met or not. */
export function renderTable(figures: readonly Figure[]): string {
  const known = new Set(SECTIONS.map((section) => section.group));
  const sections = [
    ...SECTIONS,
    ...[...new Set(figures.map((figure) => figure.group))]
      .filter((group) => !known.has(group))
      .map((group) => ({ group, title: group })),
  ];
  return sections
    .map((section) => ({ section, members: figures.filter((figure) => figure.group === section.group) }))
    .filter(({ members }) => members.length > 0)
    .map(({ section, members }) => `### ${section.title}\n\n${renderSectionTable(members)}`)
    .join("\n\n");
}

/** One line per target: met or not, with the figure and its ratio (what "In short" says, from the same run). */
export function renderSummary(figures: readonly Figure[]): string {
  const line = (figure: Figure) =>
    `${figure.figure}: ${figure.ratio !== undefined && Number.isFinite(figure.ratio) ? `${figure.ratio.toFixed(2)}×` : formatValue(figure.value, figure.unit)} (target ${figure.target?.text})`;
  const targeted = figures.filter((figure) => figure.met !== undefined);
  const missed = targeted.filter((figure) => !figure.met);
  return [
    `**Targets met: ${targeted.length - missed.length} of ${targeted.length}.**`,
    ...(missed.length
      ? [
          "",
          "Not met (what holds each back: [docs/benchmarks-journal.md](docs/benchmarks-journal.md)):",
          "",
          ...missed.map((figure) => `- ${line(figure)}`),
        ]
      : []),
  ].join("\n");
}

const TABLE_START = "<!-- bench:table:start (generated by npm run bench; edits inside are overwritten) -->";
const TABLE_END = "<!-- bench:table:end -->";

/** Replaces the generated table in BENCHMARKS.md (creating the markers at the end if they are missing). */
export function writeBenchmarksTable(file: string, heading: string, table: string): void {
  const block = `${TABLE_START}\n${heading}\n\n${table}\n${TABLE_END}`;
  const existing = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n";
  const start = existing.indexOf(TABLE_START);
  const end = existing.indexOf(TABLE_END);
  const next =
    start >= 0 && end > start
      ? existing.slice(0, start) + block + existing.slice(end + TABLE_END.length)
      : `${existing.trimEnd()}\n\n${block}\n`;
  writeAtomically(file, next);
}

/** Writes through a temporary file and a rename, so an interrupted bench never leaves half a file. */
export function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

/** Rounds every number in a results object for a readable results.json. */
export function rounded<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_key, member: unknown) => (typeof member === "number" ? round(member, 3) : member)),
  ) as T;
}
