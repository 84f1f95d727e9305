/**
 * The layout's one rule that no compiler checks: imports never go round in a circle. A circle makes
 * load order matter (a module sees another half-initialised) and hides which room depends on which;
 * the gate once had one (evaluate <-> report). Type-only imports count too: they tie the rooms as
 * tightly for a reader.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");

/** Tracked TypeScript sources (fixture programs are users' code, not ours). */
function sourceFiles(): string[] {
  return execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter(
      (file) => file && !file.includes("/fixtures/") && !file.endsWith(".d.ts") && fs.existsSync(path.join(ROOT, file)),
    );
}

/** file -> the files it imports by relative path (static imports, re-exports and dynamic imports). */
function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const targets: string[] = [];
    for (const match of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["'](\.\.?\/[^"']*)["']/g)) {
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), match[1]));
      const target = [`${base}.ts`, `${base}/index.ts`, base].find((candidate) => known.has(candidate));
      if (target) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Every circle found by a depth-first walk, each as "a -> b -> a". */
function importCycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, "open" | "done">();
  const trail: string[] = [];
  const cycles: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    trail.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === "open") cycles.push([...trail.slice(trail.indexOf(target)), target].join(" -> "));
      else if (!state.has(target)) visit(target);
    }
    trail.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

describe("the import graph", () => {
  it("has no circle anywhere in the tree", () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    expect(importCycles(importGraph(files))).toEqual([]);
  });

  it("finds a circle where there is one (the check can fail)", () => {
    const graph = new Map([
      ["gate/evaluate.ts", ["gate/report/report.ts"]],
      ["gate/report/report.ts", ["gate/evaluate.ts"]],
      ["gate/cli.ts", ["gate/evaluate.ts"]],
    ]);
    expect(importCycles(graph)).toEqual(["gate/evaluate.ts -> gate/report/report.ts -> gate/evaluate.ts"]);
  });
});
