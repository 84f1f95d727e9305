// `npm run bench`: measures what keyguard costs on this machine, side by side with the alternatives,
// and writes bench/results.json and the table in BENCHMARKS.md.
//
//   npm run bench                         everything (the figures committed in BENCHMARKS.md)
//   npm run bench -- --only packs,gate    some phases (packs, gate, audit, rotation, tests, terraform); writes bench/.work/results.partial.json
//   npm run bench -- --quick              fewer repetitions, for trying the harness (never committed)
//   npm run bench -- --profile            also write CPU profiles of the packs to bench/.work/profiles, and split
//                                         one profiled keyguard check on 1,000 components into program/transport/pack
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";

import {
  measureAnalyze,
  measureAnalyzeStack,
  measurePackStarts,
  startConfigured,
  type AnalyzeFigures,
  type AnalyzeStackFigures,
  type PackUnderTest,
  type StackSizePlan,
} from "./analyzerThroughput";
import {
  plainText,
  timeCommand,
  vitestDuration,
  vitestFileTimes,
  vitestSummary,
  type CommandRun,
} from "./commandTiming";
import { GENERATED_STACK_NAME, writeClusterFleetProgram } from "./generatedProgram";
import { prepareSourcePackDirectory } from "./packStart";
import { STACK_SHAPES, shapedStack, type StackShape } from "./stackShapes";
import { startAnalyzer, type AnalyzeResult } from "../engine";
import { bundlePolicyPack } from "../scripts/bundlePolicyPack";
import {
  judge,
  renderSummary,
  renderTable,
  rounded,
  writeAtomically,
  writeBenchmarksTable,
  type Figure,
  type Target,
} from "./report";
import { measureRotations } from "./rotationDetection";
import { watchPeakMemory } from "./peakMemory";
import { writeShapedStackExport } from "./shapedStackExport";
import { elapsedMs, summarize, type Summary } from "./stats";
import { checkCostSplit, describeCostSplit, type CostSplit } from "./profiling/checkCostSplit";
import { writeTerraformPlan, type GeneratedPlan } from "./terraformPlan";

const repositoryRoot = path.resolve(__dirname, "..");
const workDirectory = path.join(repositoryRoot, "bench", ".work");
const policyDirectory = path.join(repositoryRoot, "policy");
const shippedPackEntry = path.join(policyDirectory, "dist", "index.js");
const keyguardBin = path.join(repositoryRoot, "bin", "keyguard.js");
const compiledGate = path.join(repositoryRoot, "dist", "gate", "cli.js");

/** Newest modification time of the TypeScript sources under `directories` (recursively, node_modules and dist aside). */
function newestSourceMs(directories: readonly string[]): number {
  let newest = 0;
  const visit = (directory: string) => {
    for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "dist") continue;
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const directory of directories) if (fs.existsSync(directory)) visit(directory);
  return newest;
}

/**
 * The bench measures what users run: the built pack bundle and the compiled gate (npm ci builds both
 * through prepare). Builds them when missing or older than their sources, so a figure never describes
 * stale code.
 */
async function ensureBuilt(): Promise<void> {
  const sources = newestSourceMs(
    ["policy", "facts", "terraform", "messages", "aws", "gate", "engine", "components", "providers", "scripts"].map(
      (name) => path.join(repositoryRoot, name),
    ),
  );
  const stale = [shippedPackEntry, compiledGate].filter(
    (file) => !fs.existsSync(file) || fs.statSync(file).mtimeMs < sources,
  );
  if (stale.length === 0) return;
  log(
    `${stale.map((file) => path.relative(repositoryRoot, file)).join(", ")} missing or older than the sources: running npm run build`,
  );
  const build = await timeCommand("npm", ["run", "build"], repositoryRoot);
  if (build.exitCode !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
}

const PHASES = ["packs", "gate", "audit", "rotation", "tests", "terraform"] as const;
type Phase = (typeof PHASES)[number];

const { values: flags } = parseArgs({
  options: {
    only: { type: "string" },
    quick: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
  },
  strict: true,
});

const phases: Phase[] = flags.only
  ? flags.only.split(",").map((name) => {
      const phase = name.trim() as Phase;
      if (!PHASES.includes(phase)) throw new Error(`--only: unknown phase "${name}"; phases are ${PHASES.join(", ")}`);
      return phase;
    })
  : [...PHASES];
const complete = phases.length === PHASES.length && !flags.quick;

const benchStartedAt = process.hrtime.bigint();

/** Repetition counts: the full run's, or a quick run's for trying the harness. */
const reps = flags.quick
  ? {
      startRounds: 3,
      sourceEvery: 3,
      analyzeCalls: 1_000,
      stackSizes: [1_000, 2_000, 10_000],
      stackRounds: [2, 2, 1],
      gateRepo: 2,
      gateFleet: 1,
      auditRounds: 1,
      rotationRuns: 1,
      terraformSizes: [1_000, 10_000],
      terraformRounds: [2, 1],
    }
  : {
      startRounds: 7,
      sourceEvery: 2,
      analyzeCalls: 6_000,
      stackSizes: [1_000, 10_000, 50_000],
      // A third round at 50,000 only while the bench is on course for its 10 minutes.
      stackRounds: [5, 3, 3],
      gateRepo: 5,
      gateFleet: 3,
      auditRounds: 2,
      rotationRuns: 3,
      terraformSizes: [1_000, 10_000, 50_000],
      terraformRounds: [3, 2, 2],
    };
/** Past this, the largest stacks get two rounds instead of three (the bench's budget is 10 minutes). */
const THIRD_ROUND_BUDGET_MS = 360_000;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

const figures: Figure[] = [];
const raw: Record<string, unknown> = {};

function ratioFigure(
  base: Omit<Figure, "met" | "ratio" | "comparedValue" | "value" | "spread"> & { target?: Target },
  measured: Summary | number,
  compared: Summary | number | undefined,
  // Most figures compare as measured ÷ compared; a "times faster" figure passes the inverse.
  ratioOf: (value: number, comparedValue: number) => number = (value, comparedValue) => value / comparedValue,
): Figure {
  const value = typeof measured === "number" ? measured : measured.median;
  const comparedValue = compared === undefined ? undefined : typeof compared === "number" ? compared : compared.median;
  const ratio = comparedValue === undefined ? undefined : ratioOf(value, comparedValue);
  const figure: Figure = {
    ...base,
    value,
    spread: typeof measured === "number" ? undefined : measured,
    comparedValue,
    ratio,
  };
  figure.met = judge(base.target, ratio ?? value);
  figures.push(figure);
  return figure;
}

// ------------------------------------------------------------------------------------------------
// Figures 1-3: the policy pack, the floor, awsguard
// ------------------------------------------------------------------------------------------------

/** The packs of figures 1-5: keyguard as shipped, its plain build, the floors, awsguard, from source. */
function packsUnderTest(plainDirectory: string): Record<string, PackUnderTest> {
  return {
    keyguard: { id: "keyguard", label: "keyguard (shipped bundle)", directory: policyDirectory },
    floor: {
      id: "floor",
      label: "no-op floor pack",
      directory: path.join(repositoryRoot, "bench", "fixtures", "noop-pack"),
    },
    floorMatched: {
      id: "floorMatched",
      label: "no-op pack with keyguard's number of policies",
      directory: path.join(repositoryRoot, "bench", "fixtures", "noop-matched-pack"),
    },
    awsguard: {
      id: "awsguard",
      label: "@pulumi/awsguard (KMS rotation + Redshift policies)",
      directory: path.join(repositoryRoot, "bench", "fixtures", "awsguard-pack"),
    },
    plain: { id: "plain", label: "keyguard, plain build (@pulumi/policy not bundled)", directory: plainDirectory },
  };
}

const FLOOR = "no-op floor pack (1 resource + 1 stack policy, stock @pulumi/policy)";
const MATCHED_FLOOR = "no-op pack with keyguard's 3 resource + 3 stack policies (stock @pulumi/policy)";
const PLAIN = "keyguard's plain build (stock @pulumi/policy outside the bundle, as shipped before)";

/** Builds keyguard's pack without @pulumi/policy inside (the build shipped before the bundle) into bench/.work/. */
async function buildPlainPack(): Promise<string> {
  const directory = path.join(workDirectory, "policy-plain");
  fs.mkdirSync(path.join(directory, "dist"), { recursive: true });
  for (const file of ["package.json", "PulumiPolicy.yaml"])
    fs.copyFileSync(path.join(policyDirectory, file), path.join(directory, file));
  await bundlePolicyPack({ outfile: path.join(directory, "dist", "index.js"), bundleFramework: false });
  return directory;
}

/** The stacks AnalyzeStack is measured on: every shape at every size, with the packs each figure needs. */
function stackPlans(): StackSizePlan[] {
  const plans: StackSizePlan[] = [];
  const largest = reps.stackSizes[reps.stackSizes.length - 1];
  for (const shape of ["component", "mix", "keysAndClusters"] as StackShape[]) {
    reps.stackSizes.forEach((resources, index) => {
      const isLargest = resources === largest;
      const packIds = ["keyguard", "floor"];
      // The decision on three stack policies (docs/decisions/0001) is taken on what users deploy.
      if (shape === "component") packIds.push("floorMatched");
      if (shape === "component" && !isLargest) packIds.push("plain", "awsguard");
      const repetitions =
        isLargest && shape !== "component" ? Math.min(2, reps.stackRounds[index]) : reps.stackRounds[index];
      plans.push({
        shape,
        resources,
        repetitions,
        packIds,
        measurePeakMemory: isLargest,
        keepGoing: isLargest ? () => elapsedMs(benchStartedAt) < THIRD_ROUND_BUDGET_MS : undefined,
      });
    });
  }
  return plans;
}

async function packPhase(): Promise<void> {
  const packs = packsUnderTest(await buildPlainPack());
  const source: PackUnderTest = {
    id: "source",
    label: "keyguard from TypeScript source",
    directory: prepareSourcePackDirectory(policyDirectory, workDirectory),
  };
  const shapes = Object.keys(STACK_SHAPES) as StackShape[];
  const agreement = await sameVerdicts(packs.keyguard.directory, packs.plain.directory, shapes);

  log("1. Pack start-to-port (launched as the engine launches it), packs taking turns");
  // The from-source launch takes several times longer than the others: it takes its turn every few rounds.
  const starts = await measurePackStarts(
    [packs.keyguard, packs.floor, packs.awsguard, packs.plain, { ...source, everyNthRound: reps.sourceEvery }],
    reps.startRounds,
    log,
  );
  const start = starts.startMs;
  raw.packStart = { summaries: start, samplesMs: starts.samplesMs };
  ratioFigure(
    {
      id: "start.vsFloor",
      group: "start",
      figure: "Pack start-to-port, keyguard as shipped (one bundle with @pulumi/policy inside)",
      unit: "ms",
      comparedWith: FLOOR,
      ratioMeaning: "shipped ÷ floor",
      target: { kind: "atMost", bound: 0.8, text: "≤ 0.80× the floor" },
    },
    start.keyguard,
    start.floor,
  );
  ratioFigure(
    {
      id: "start.plain.vsFloor",
      group: "start",
      figure: "Pack start-to-port, keyguard's plain build (@pulumi/policy outside the bundle)",
      unit: "ms",
      comparedWith: FLOOR,
      ratioMeaning: "plain ÷ floor",
      note: `diagnostic; the same verdicts as the shipped bundle on every stack shape at 1,000 resources (Analyze, AnalyzeStack): ${agreement}`,
    },
    start.plain,
    start.floor,
  );
  ratioFigure(
    {
      id: "start.vsSource",
      group: "start",
      figure: "Pack start-to-port, keyguard as shipped",
      unit: "ms",
      comparedWith: "the same pack from TypeScript source (run-policy-pack's ts-node, type-checked, cold)",
      ratioMeaning: "source ÷ shipped",
      note: "diagnostic",
    },
    start.keyguard,
    start.source,
    (value, comparedValue) => comparedValue / value,
  );
  ratioFigure(
    {
      id: "start.vsAwsguard",
      group: "awsguard",
      figure: "Pack start-to-port, keyguard as shipped",
      unit: "ms",
      comparedWith: "@pulumi/awsguard (its KMS + Redshift policies)",
      ratioMeaning: "keyguard ÷ awsguard",
      target: { kind: "atMost", bound: 1, text: "not slower (≤ 1.00×)" },
    },
    start.keyguard,
    start.awsguard,
  );

  const hosts = await startConfigured(
    [packs.keyguard, packs.floor, packs.floorMatched, packs.awsguard, packs.plain],
    flags.profile ? path.join(workDirectory, "profiles") : undefined,
  );
  try {
    const analyzeByShape: Partial<Record<StackShape, Record<string, AnalyzeFigures>>> = {};
    for (const shape of ["component", "keysAndClusters"] as StackShape[]) {
      const label = STACK_SHAPES[shape].label;
      log(`2. Analyze: ${reps.analyzeCalls} resources of the ${label}, one call at a time, packs taking turns`);
      const analyze = await measureAnalyze(hosts, shape, reps.analyzeCalls, 200, log);
      analyzeByShape[shape] = analyze;
      const figure = `Analyze over gRPC, per call, ${label} (${reps.analyzeCalls.toLocaleString("en")} resources, inputs)`;
      ratioFigure(
        {
          id: `analyze.${shape}.vsFloor`,
          group: "analyze",
          figure,
          unit: "ms",
          comparedWith: FLOOR,
          ratioMeaning: "keyguard ÷ floor",
          target: { kind: "atMost", bound: 1.2, text: "≤ 1.20× the floor" },
        },
        analyze.keyguard.latencyMs,
        analyze.floor.latencyMs,
      );
      ratioFigure(
        {
          id: `analyze.${shape}.vsMatchedFloor`,
          group: "analyze",
          figure,
          unit: "ms",
          comparedWith: MATCHED_FLOOR,
          ratioMeaning: "keyguard ÷ matched floor",
          note: "diagnostic",
        },
        analyze.keyguard.latencyMs,
        analyze.floorMatched.latencyMs,
      );
      ratioFigure(
        {
          id: `analyze.${shape}.vsPlain`,
          group: "analyze",
          figure,
          unit: "ms",
          comparedWith: PLAIN,
          ratioMeaning: "shipped ÷ plain",
          note: "diagnostic: what deserializing once for all policies saves",
        },
        analyze.keyguard.latencyMs,
        analyze.plain.latencyMs,
      );
      ratioFigure(
        {
          id: `analyze.${shape}.vsAwsguard`,
          group: "awsguard",
          figure,
          unit: "ms",
          comparedWith: "@pulumi/awsguard",
          ratioMeaning: "keyguard ÷ awsguard",
          target: { kind: "atMost", bound: 1, text: "not slower (≤ 1.00×)" },
        },
        analyze.keyguard.latencyMs,
        analyze.awsguard.latencyMs,
      );
    }
    raw.analyze = analyzeByShape;

    log(`3. AnalyzeStack: ${shapes.join(", ")} stacks of ${reps.stackSizes.join(", ")} resources, packs taking turns`);
    const stacks = await measureAnalyzeStack(hosts, stackPlans(), log);
    raw.analyzeStack = stacks;
    const at = (id: string, shape: StackShape, resources: number): AnalyzeStackFigures | undefined =>
      stacks[id]?.find((figure) => figure.shape === shape && figure.resources === resources);
    const targetSizes = new Set([10_000, 50_000]);
    for (const measured of stacks.keyguard) {
      const { shape, resources } = measured;
      const label = STACK_SHAPES[shape].label;
      const size = resources.toLocaleString("en");
      ratioFigure(
        {
          id: `analyzeStack.${shape}.${resources}.vsFloor`,
          group: "analyzeStack",
          figure: `AnalyzeStack round trip, ${label}, ${size} resources`,
          unit: "ms",
          comparedWith: FLOOR,
          ratioMeaning: "keyguard ÷ floor",
          target: targetSizes.has(resources) ? { kind: "atMost", bound: 1.2, text: "≤ 1.20× the floor" } : undefined,
          note: `${measured.diagnostics} diagnostics returned${targetSizes.has(resources) ? "" : "; diagnostic (the target is at 10,000 and 50,000)"}`,
        },
        measured.roundTripMs,
        at("floor", shape, resources)?.roundTripMs,
      );
      const matched = at("floorMatched", shape, resources);
      if (matched) {
        ratioFigure(
          {
            id: `analyzeStack.${shape}.${resources}.matchedVsFloor`,
            group: "decision",
            figure: `AnalyzeStack round trip, ${label}, ${size} resources: three no-op stack policies on stock @pulumi/policy`,
            unit: "ms",
            comparedWith: FLOOR,
            ratioMeaning: "matched floor ÷ floor: what three stack policies cost before any rule runs",
          },
          matched.roundTripMs,
          at("floor", shape, resources)?.roundTripMs,
        );
        ratioFigure(
          {
            id: `analyzeStack.${shape}.${resources}.vsMatchedFloor`,
            group: "decision",
            figure: `AnalyzeStack round trip, ${label}, ${size} resources: keyguard as shipped (three stack policies, the stack deserialized once)`,
            unit: "ms",
            comparedWith: MATCHED_FLOOR,
            ratioMeaning: "keyguard ÷ matched floor",
          },
          measured.roundTripMs,
          matched.roundTripMs,
        );
      }
      const plain = at("plain", shape, resources);
      if (plain) {
        ratioFigure(
          {
            id: `analyzeStack.${shape}.${resources}.plainVsFloor`,
            group: "decision",
            figure: `AnalyzeStack round trip, ${label}, ${size} resources: keyguard's plain build (the stack deserialized once per stack policy)`,
            unit: "ms",
            comparedWith: FLOOR,
            ratioMeaning: "plain ÷ floor",
          },
          plain.roundTripMs,
          at("floor", shape, resources)?.roundTripMs,
        );
      }
      if (measured.peakRssMiB !== undefined) {
        const floorPeak = at("floor", shape, resources)?.peakRssMiB;
        ratioFigure(
          {
            id: `memory.${shape}.${resources}.vsFloor`,
            group: "memory",
            figure: `Peak resident memory of the pack's process over the AnalyzeStack rounds, ${label}, ${size} resources (VmHWM, reset before the rounds)`,
            unit: "MiB",
            comparedWith: FLOOR,
            ratioMeaning: "keyguard ÷ floor",
            target: resources === 50_000 ? { kind: "atMost", bound: 1.5, text: "≤ 1.50× the floor" } : undefined,
          },
          measured.peakRssMiB,
          floorPeak,
        );
      }
    }
    // Linear growth: the time per resource must stay flat as the stack grows (quadratic work would
    // multiply it by the size ratio: 5× from 10,000 to 50,000).
    for (const shape of shapes) {
      const measured = stacks.keyguard.filter((figure) => figure.shape === shape);
      for (let index = 1; index < measured.length; index++) {
        const smaller = measured[index - 1];
        const larger = measured[index];
        const floorSmaller = at("floor", shape, smaller.resources)!;
        const floorLarger = at("floor", shape, larger.resources)!;
        const sizeRatio = larger.resources / smaller.resources;
        const targeted = smaller.resources === 10_000 && larger.resources === 50_000;
        ratioFigure(
          {
            id: `analyzeStack.${shape}.linearity.${smaller.resources}-${larger.resources}`,
            group: "growth",
            figure: `AnalyzeStack time per resource, ${STACK_SHAPES[shape].label}, at ${larger.resources.toLocaleString("en")} resources`,
            unit: "µs",
            comparedWith: `per resource at ${smaller.resources.toLocaleString("en")}`,
            ratioMeaning: `growth for ${sizeRatio}× the resources; quadratic would be ${sizeRatio}×`,
            target: targeted ? { kind: "atMost", bound: 1.2, text: "≤ 1.20× per resource" } : undefined,
            note: `the floor grows ${(floorLarger.microsecondsPerResource / floorSmaller.microsecondsPerResource).toFixed(2)}× over the same step (${floorSmaller.microsecondsPerResource.toFixed(0)} → ${floorLarger.microsecondsPerResource.toFixed(0)} µs)${targeted ? "" : "; diagnostic"}`,
          },
          larger.microsecondsPerResource,
          smaller.microsecondsPerResource,
        );
      }
    }
    const componentAnalyze = analyzeByShape.component!;
    for (const measured of stacks.keyguard.filter((figure) => figure.shape === "component")) {
      const awsguardStack = at("awsguard", "component", measured.resources);
      if (!awsguardStack) continue;
      // A preview pays Analyze for every resource and AnalyzeStack once: that sum is the per-resource
      // cost a user sees, and what awsguard (resource policies only) is compared on.
      const keyguardPreview =
        componentAnalyze.keyguard.latencyMs.median * measured.resources + measured.roundTripMs.median;
      const awsguardPreview =
        componentAnalyze.awsguard.latencyMs.median * measured.resources + awsguardStack.roundTripMs.median;
      ratioFigure(
        {
          id: `preview.component.${measured.resources}.vsAwsguard`,
          group: "awsguard",
          figure: `Whole preview per resource (median Analyze × N + AnalyzeStack), ${STACK_SHAPES.component.label}, ${measured.resources.toLocaleString("en")} resources`,
          unit: "µs",
          comparedWith: "@pulumi/awsguard",
          ratioMeaning: "keyguard ÷ awsguard",
          target: { kind: "atMost", bound: 1, text: "not slower (≤ 1.00×)" },
        },
        (keyguardPreview * 1000) / measured.resources,
        (awsguardPreview * 1000) / measured.resources,
      );
    }
  } finally {
    for (const host of hosts.values()) await host.close();
  }
}

/**
 * "yes" when two packs return the same verdicts (Analyze on every resource's inputs, AnalyzeStack on
 * the stack; policy, level, resource, message, not-applicable reasons) on each shape at 1,000
 * resources, else which shapes differ. test/policy/packBundle.test.ts holds the same promise on fuzzed stacks.
 */
async function sameVerdicts(packA: string, packB: string, shapes: readonly StackShape[]): Promise<string> {
  const verdicts = async (packDir: string, shape: StackShape) => {
    const resources = shapedStack(shape, 1_000);
    const host = await startAnalyzer({ packDir, startTimeoutMs: 180_000 });
    try {
      await host.configure({});
      const lines: string[] = [];
      const record = (result: AnalyzeResult, urn: string) => {
        for (const d of result.diagnostics)
          lines.push(`${d.policyName} ${d.enforcementLevel} ${d.urn || urn} ${d.message}`);
        for (const n of result.notApplicable) lines.push(`${n.policyName} not-applicable ${urn} ${n.reason}`);
      };
      for (const resource of resources)
        record(
          await host.analyze({
            urn: resource.urn,
            type: resource.type,
            name: resource.name,
            properties: resource.properties,
          }),
          resource.urn,
        );
      record(await host.analyzeStack(resources), "stack");
      return lines.sort().join("\n");
    } finally {
      await host.close();
    }
  };
  const differing: string[] = [];
  for (const shape of shapes)
    if ((await verdicts(packA, shape)) !== (await verdicts(packB, shape))) differing.push(shape);
  return differing.length === 0 ? "yes" : `NO (${differing.join(", ")})`;
}

// ------------------------------------------------------------------------------------------------
// Figure 4: keyguard check
// ------------------------------------------------------------------------------------------------

/**
 * One run of `keyguard check <args>` with every Node process CPU-profiled (cpuProfileHook.js through
 * NODE_OPTIONS) into bench/.work/profiles/<name>, and the profiles split into gate, transport and pack.
 */
async function profiledCheck(args: readonly string[], name: string): Promise<{ run: CommandRun; split: CostSplit }> {
  const profileDirectory = path.join(workDirectory, "profiles", name);
  fs.rmSync(profileDirectory, { recursive: true, force: true });
  const hook = path.join(repositoryRoot, "bench", "profiling", "cpuProfileHook.js");
  const run = await timeCommand(process.execPath, [keyguardBin, "check", ...args], repositoryRoot, {
    ...process.env,
    CI: "1",
    KEYGUARD_CPU_PROFILE_DIR: profileDirectory,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${hook}`.trim(),
  });
  return { run, split: checkCostSplit(profileDirectory, run.wallMs) };
}

/**
 * Runs `keyguard check` `repetitions` times, but stops after two once `budgetMs` is spent, so that a
 * slow gate cannot push the whole bench past its 10 minutes (the figure then says n=2).
 */
async function timeCheck(
  projectDirectory: string,
  stack: string,
  repetitions: number,
  what: string,
  budgetMs = Infinity,
): Promise<{ wallMs: Summary; exitCodes: number[]; resources?: number }> {
  const samples: number[] = [];
  const exitCodes: number[] = [];
  let resources: number | undefined;
  for (let round = 0; round < repetitions; round++) {
    if (round >= 2 && samples.reduce((sum, value) => sum + value, 0) > budgetMs) break;
    const run = await timeCommand(
      process.execPath,
      [keyguardBin, "check", "--project", projectDirectory, "--stack", stack, "--format", "json"],
      repositoryRoot,
      { ...process.env, CI: "1" },
    );
    if (run.exitCode !== 0 && run.exitCode !== 1) {
      throw new Error(`keyguard check on ${what} failed (exit ${run.exitCode}): ${plainText(run.stderr).slice(-3000)}`);
    }
    samples.push(run.wallMs);
    exitCodes.push(run.exitCode);
    try {
      const report = JSON.parse(run.stdout) as { summary?: { resources?: number; resourcesChecked?: number } };
      resources = report.summary?.resources ?? report.summary?.resourcesChecked ?? resources;
    } catch {
      // The wall time is the figure; the report is only read for the resource count.
    }
    log(`  keyguard check ${what}: ${run.wallMs.toFixed(0)} ms (exit ${run.exitCode})`);
  }
  return { wallMs: summarize(samples), exitCodes, resources };
}

async function gatePhase(): Promise<void> {
  log("4. keyguard check wall time");
  const repository = await timeCheck(repositoryRoot, "dev", reps.gateRepo, "the repository's stack");
  const fleetDirectory = writeClusterFleetProgram(workDirectory, repositoryRoot, 1_000);
  const fleet = await timeCheck(
    fleetDirectory,
    GENERATED_STACK_NAME,
    reps.gateFleet,
    "1,000 EncryptedRedshiftClusters",
    80_000,
  );
  raw.gate = { repository, fleet };
  if (flags.profile) {
    // One more run with every process profiled: where the time goes, split for docs/benchmarks-journal.md.
    const { run, split } = await profiledCheck(
      ["--project", fleetDirectory, "--stack", GENERATED_STACK_NAME, "--format", "json"],
      "check-fleet1000",
    );
    raw.gateProfile = split;
    log(`  keyguard check 1,000 EncryptedRedshiftClusters, profiled: ${describeCostSplit(split)}`);
    ratioFigure(
      {
        id: "check.fleet1000.profiled",
        group: "check",
        figure:
          "`keyguard check` on the 1,000 EncryptedRedshiftClusters, one run with every process CPU-profiled (slower than unprofiled)",
        unit: "ms",
        note: `diagnostic: ${describeCostSplit(split)}`,
      },
      run.wallMs,
      undefined,
      () => NaN,
    );
  }
  ratioFigure(
    {
      id: "check.repository",
      group: "check",
      figure: "`keyguard check` on the repository's stack program (index.ts, stack dev)",
      unit: "ms",
      target: { kind: "atMost", bound: 2_000, text: "< 2 s" },
      note: `exit codes ${[...new Set(repository.exitCodes)].join("/")}${repository.resources ? `, ${repository.resources} resources` : ""}`,
    },
    repository.wallMs,
    undefined,
    () => NaN,
  );
  ratioFigure(
    {
      id: "check.fleet1000",
      group: "check",
      figure:
        "`keyguard check` on a generated program with 1,000 EncryptedRedshiftClusters (the component's stack shape, with the real ~97 KB serialized provider per RedshiftKeyRotation)",
      unit: "ms",
      target: { kind: "atMost", bound: 15_000, text: "< 15 s" },
      note: `exit codes ${[...new Set(fleet.exitCodes)].join("/")}${fleet.resources ? `, ${fleet.resources} resources` : ""}`,
    },
    fleet.wallMs,
    undefined,
    () => NaN,
  );
}

// ------------------------------------------------------------------------------------------------
// Figure 4b: keyguard audit of large stack exports
// ------------------------------------------------------------------------------------------------

/** Export sizes for the audit figures: the growth from the middle to the largest must stay linear. */
const AUDIT_SIZES = [10_000, 50_000, 200_000] as const;
const AUDIT_SHAPE: StackShape = "keysAndClusters";

async function auditPhase(): Promise<void> {
  log(
    `4b. keyguard audit of ${AUDIT_SIZES.map((size) => size.toLocaleString("en-US")).join(", ")}-resource stack exports`,
  );
  const results: { resources: number; exportMiB: number; wallMs: Summary; peakMiB: number; exitCode: number | null }[] =
    [];
  for (const size of AUDIT_SIZES) {
    // A resource a line (compact): the same document as an indented export, in a third of the bytes.
    const exportFile = path.join(workDirectory, `audit-${AUDIT_SHAPE}-${size}.json`);
    if (!fs.existsSync(exportFile)) writeShapedStackExport(exportFile, AUDIT_SHAPE, size, "compact");
    const reportFile = path.join(workDirectory, `audit-report-${size}.json`);
    const samples: number[] = [];
    let peakMiB = 0;
    let exitCode: number | null = null;
    // The largest export once: it alone takes minutes, and its figure is about growth, not spread.
    const rounds = size === AUDIT_SIZES[AUDIT_SIZES.length - 1] ? 1 : reps.auditRounds;
    for (let round = 0; round < rounds; round++) {
      let watch: ReturnType<typeof watchPeakMemory> | undefined;
      const run = await timeCommand(
        process.execPath,
        [keyguardBin, "audit", "--stack-export", exportFile, "--format", "json", "--output", reportFile, "--quiet"],
        repositoryRoot,
        { ...process.env, CI: "1" },
        1_800_000,
        (child) => (watch = watchPeakMemory(child.pid!)),
      );
      watch?.stop();
      if (run.exitCode !== 0 && run.exitCode !== 1)
        throw new Error(
          `keyguard audit of ${size} resources failed (exit ${run.exitCode}): ${plainText(run.stderr).slice(-3000)}`,
        );
      samples.push(run.wallMs);
      peakMiB = Math.max(peakMiB, watch?.peakMiB() ?? 0);
      exitCode = run.exitCode;
      log(
        `  keyguard audit ${size} resources: ${run.wallMs.toFixed(0)} ms, peak ${peakMiB.toFixed(0)} MiB (exit ${run.exitCode})`,
      );
    }
    fs.rmSync(reportFile, { force: true });
    results.push({
      resources: size,
      exportMiB: fs.statSync(exportFile).size / 2 ** 20,
      wallMs: summarize(samples),
      peakMiB,
      exitCode,
    });
  }
  raw.audit = results;
  for (const result of results) {
    const size = result.resources.toLocaleString("en-US");
    ratioFigure(
      {
        id: `audit.${result.resources}`,
        group: "audit",
        figure: `\`keyguard audit --format json --output FILE\` of a ${size}-resource stack export (${STACK_SHAPES[AUDIT_SHAPE].label}, ${result.exportMiB.toFixed(0)} MiB)`,
        unit: "ms",
        note: `peak memory ${result.peakMiB.toFixed(0)} MiB (keyguard and the pack); exit ${result.exitCode}`,
      },
      result.wallMs,
      undefined,
      () => NaN,
    );
  }
  const [, middle, largest] = results;
  const sizeRatio = largest.resources / middle.resources;
  ratioFigure(
    {
      id: "audit.growth",
      group: "audit",
      figure: `\`keyguard audit\` time growth from ${middle.resources.toLocaleString("en-US")} to ${largest.resources.toLocaleString("en-US")} resources, relative to linear (time ratio ÷ size ratio ${sizeRatio})`,
      unit: "×",
      target: { kind: "atMost", bound: 1.2, text: "≤ 1.2× linear" },
      note: `memory growth ${(largest.peakMiB / middle.peakMiB / sizeRatio).toFixed(2)}× linear`,
    },
    largest.wallMs.median / middle.wallMs.median / sizeRatio,
    undefined,
    () => NaN,
  );
}

// ------------------------------------------------------------------------------------------------
// Figure 5: the rotation provider
// ------------------------------------------------------------------------------------------------

async function rotationPhase(): Promise<void> {
  log("5. Rotation provider against the local AWS endpoint");
  const rotations = await measureRotations({ runs: reps.rotationRuns, log });
  raw.rotation = rotations;
  for (const rotation of rotations.figures) {
    const seconds = rotation.rotationSeconds;
    const targeted = seconds === 30;
    ratioFigure(
      {
        id: `rotation.${seconds}s.detectionDelay`,
        group: "rotation",
        figure: `Rotation taking ${seconds} s: delay from finishing to being noticed`,
        unit: "ms",
        target: targeted ? { kind: "atMost", bound: 2_000, text: "≤ 2 s" } : undefined,
        note: rotation.note,
      },
      rotation.detectionDelayMs,
      undefined,
      () => NaN,
    );
    ratioFigure(
      {
        id: `rotation.${seconds}s.apiCalls`,
        group: "rotation",
        figure: `Rotation taking ${seconds} s: AWS API calls in all (${rotation.callsByAction})`,
        unit: "calls",
        target: targeted ? { kind: "atMost", bound: 15, text: "≤ 15" } : undefined,
      },
      rotation.apiCalls,
      undefined,
      () => NaN,
    );
  }
}

// ------------------------------------------------------------------------------------------------
// Figure 6: npm test
// ------------------------------------------------------------------------------------------------

async function testPhase(): Promise<void> {
  log("6. npm test (once)");
  const run = await timeCommand(
    "npm",
    ["test"],
    repositoryRoot,
    { ...process.env, CI: "1", FORCE_COLOR: "0" },
    900_000,
  );
  const summary = vitestSummary(run.stdout + run.stderr);
  const vitestWall = vitestDuration(run.stdout);
  const slowestFiles = vitestFileTimes(run.stdout);
  raw.npmTest = {
    wallMs: run.wallMs,
    exitCode: run.exitCode,
    ...summary,
    vitestDuration: vitestWall,
    slowestFiles,
    stdoutTail: plainText(run.stdout).slice(-3000),
    stderrTail: plainText(run.stderr).slice(-1500),
  };
  log(
    `  npm test: ${run.wallMs.toFixed(0)} ms, exit ${run.exitCode}, ${summary.testFiles ?? "?"} files, ${summary.tests ?? "?"} tests`,
  );
  ratioFigure(
    {
      id: "npmTest.wall",
      group: "tests",
      figure: "`npm test` wall time (tsc --noEmit, eslint, vitest)",
      unit: "ms",
      target: { kind: "atMost", bound: 60_000, text: "< 60 s" },
      note: `exit ${run.exitCode}; test files ${summary.testFiles ?? "?"}; tests ${summary.tests ?? "?"}; vitest's own duration ${vitestWall ?? "?"}; slowest files: ${
        slowestFiles
          .slice(0, 3)
          .map((file) => `${file.file} ${(file.ms / 1000).toFixed(1)} s`)
          .join(", ") || "?"
      }`,
    },
    run.wallMs,
    undefined,
    () => NaN,
  );
}

// ------------------------------------------------------------------------------------------------
// Figure 7: keyguard check --plan on Terraform plans
// ------------------------------------------------------------------------------------------------

/** The gate's Terraform reader as built (dist/), loaded only by this phase. */
function builtPlanReader(): (given: string, cwd: string) => { records: { resources: unknown[] } } {
  const reader = require(path.join(repositoryRoot, "dist", "gate", "terraform", "input.js")) as {
    readPlanInput: (given: string, cwd: string) => { records: { resources: unknown[] } };
  };
  return reader.readPlanInput;
}

/** `keyguard check --plan FILE --format json` as a user runs it; the exit code must be a verdict's (0 or 1). */
async function timePlanCheck(plan: GeneratedPlan): Promise<{ wallMs: number; exitCode: number; findings: string }> {
  const run = await timeCommand(
    process.execPath,
    [keyguardBin, "check", "--plan", plan.file, "--format", "json", "--quiet"],
    repositoryRoot,
    { ...process.env, CI: "1" },
  );
  if (run.exitCode !== 0 && run.exitCode !== 1)
    throw new Error(
      `keyguard check --plan on ${plan.resources} resources failed (exit ${run.exitCode}): ${plainText(run.stderr).slice(-3000)}`,
    );
  let findings = "?";
  try {
    const report = JSON.parse(run.stdout) as { summary: { resources: number; mandatory: number; advisory: number } };
    findings = `${report.summary.resources} resources judged, ${report.summary.mandatory} mandatory and ${report.summary.advisory} advisory findings`;
  } catch {
    // The wall time is the figure; the report is only read for what it found.
  }
  return { wallMs: run.wallMs, exitCode: run.exitCode, findings };
}

/** Milliseconds `work` takes, run once, synchronously. */
function timeOnce(work: () => unknown): number {
  const startedAt = process.hrtime.bigint();
  work();
  return elapsedMs(startedAt);
}

async function terraformPhase(): Promise<void> {
  log(`7. keyguard check --plan on generated Terraform plans of ${reps.terraformSizes.join(", ")} resources`);
  const readPlanInput = builtPlanReader();
  const fixed = writeTerraformPlan(workDirectory, 10);
  const perSize: {
    plan: GeneratedPlan;
    parseMs: Summary;
    readMs: Summary;
    checkMs: Summary;
    exitCodes: number[];
    findings: string;
  }[] = [];
  const fixedRuns: number[] = [];
  let stoppedBy: Error | undefined;
  for (const [index, resources] of reps.terraformSizes.entries()) {
    const generatedAt = process.hrtime.bigint();
    const plan = writeTerraformPlan(workDirectory, resources);
    log(
      `  plan of ${resources.toLocaleString("en")} resources: ${(plan.bytes / 2 ** 20).toFixed(1)} MiB (${elapsedMs(generatedAt).toFixed(0)} ms to write or find)`,
    );
    const parse: number[] = [];
    const read: number[] = [];
    const check: number[] = [];
    const exitCodes: number[] = [];
    let findings = "";
    try {
      for (let round = 0; round < reps.terraformRounds[index]; round++) {
        // The three take turns, so a shared machine's load drifts over all of them alike.
        let text: string | undefined = fs.readFileSync(plan.file, "utf8");
        parse.push(timeOnce(() => JSON.parse(text!)));
        text = undefined;
        read.push(timeOnce(() => readPlanInput(plan.file, repositoryRoot)));
        const run = await timePlanCheck(plan);
        check.push(run.wallMs);
        exitCodes.push(run.exitCode);
        findings = run.findings;
        if (index === 0) fixedRuns.push((await timePlanCheck(fixed)).wallMs);
        log(
          `  ${resources.toLocaleString("en")} resources: JSON.parse ${parse[round].toFixed(0)} ms, reading and mapping ${read[round].toFixed(0)} ms, keyguard check --plan ${run.wallMs.toFixed(0)} ms (exit ${run.exitCode})`,
        );
      }
    } catch (error) {
      // A size the command cannot judge stops the larger ones; the smaller sizes' figures stand, and the
      // phase still fails with the reason.
      stoppedBy = error as Error;
      log(`  stopped at ${resources.toLocaleString("en")} resources: ${stoppedBy.message}`);
      break;
    }
    perSize.push({
      plan,
      parseMs: summarize(parse),
      readMs: summarize(read),
      checkMs: summarize(check),
      exitCodes,
      findings,
    });
  }
  if (perSize.length === 0) throw stoppedBy;
  const fixedMs = summarize(fixedRuns);
  raw.terraform = { perSize, fixedMs, stoppedBy: stoppedBy?.message };
  for (const measured of perSize) {
    const size = measured.plan.resources.toLocaleString("en");
    const mebibytes = (measured.plan.bytes / 2 ** 20).toFixed(0);
    ratioFigure(
      {
        id: `terraform.check.${measured.plan.resources}.vsParse`,
        group: "terraform",
        figure: `\`keyguard check --plan\` on a generated plan of ${size} resources (${mebibytes} MiB): time to verdict, the whole command (Node's start, reading and mapping, the pack's start, Analyze × ${size}, AnalyzeStack, the JSON report)`,
        unit: "ms",
        comparedWith: "JSON.parse of the same file, in the bench's process",
        ratioMeaning: "check ÷ parse",
        target: { kind: "atMost", bound: 3, text: "≤ 3.00× the parse" },
        note: `exit codes ${[...new Set(measured.exitCodes)].join("/")}; ${measured.findings}; the same command on a plan of 10 resources takes ${fixedMs.median.toFixed(0)} ms`,
      },
      measured.checkMs,
      measured.parseMs,
    );
    ratioFigure(
      {
        id: `terraform.read.${measured.plan.resources}.vsParse`,
        group: "terraform",
        figure: `Reading and mapping the plan of ${size} resources in the gate (readPlanInput: read the file, parse, map, link, locate the resource blocks), in the bench's process`,
        unit: "ms",
        comparedWith: "JSON.parse of the same file",
        ratioMeaning: "reading and mapping ÷ parse",
        note: "diagnostic: the gate's own share of the command",
      },
      measured.readMs,
      measured.parseMs,
    );
  }
  // Linear growth: time per resource flat from one size to the next (quadratic work would multiply it by the size ratio).
  for (let index = 1; index < perSize.length; index++) {
    const smaller = perSize[index - 1];
    const larger = perSize[index];
    const sizeRatio = larger.plan.resources / smaller.plan.resources;
    const targeted = smaller.plan.resources === 10_000 && larger.plan.resources === 50_000;
    const perResource = (ms: Summary, resources: number) => (ms.median * 1000) / resources;
    ratioFigure(
      {
        id: `terraform.linearity.${smaller.plan.resources}-${larger.plan.resources}`,
        group: "terraform",
        figure: `\`keyguard check --plan\` time per resource at ${larger.plan.resources.toLocaleString("en")} resources`,
        unit: "µs",
        comparedWith: `per resource at ${smaller.plan.resources.toLocaleString("en")}`,
        ratioMeaning: `growth for ${sizeRatio}× the resources; quadratic would be ${sizeRatio}×`,
        target: targeted ? { kind: "atMost", bound: 1.2, text: "≤ 1.20× per resource" } : undefined,
        note: `JSON.parse grows ${(perResource(larger.parseMs, larger.plan.resources) / perResource(smaller.parseMs, smaller.plan.resources)).toFixed(2)}× per resource over the same step; reading and mapping ${(perResource(larger.readMs, larger.plan.resources) / perResource(smaller.readMs, smaller.plan.resources)).toFixed(2)}×${targeted ? "" : "; diagnostic (the target is from 10,000 to 50,000)"}`,
      },
      perResource(larger.checkMs, larger.plan.resources),
      perResource(smaller.checkMs, smaller.plan.resources),
    );
  }
  if (stoppedBy) throw stoppedBy;
  if (flags.profile) {
    // One more run of the largest plan with every process profiled: where the time goes.
    const largest = perSize[perSize.length - 1].plan;
    const { split } = await profiledCheck(
      ["--plan", largest.file, "--format", "json", "--quiet"],
      `check-plan${largest.resources}`,
    );
    raw.terraformProfile = split;
    log(`  keyguard check --plan on ${largest.resources} resources, profiled: ${describeCostSplit(split)}`);
  }
}

// ------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  fs.mkdirSync(workDirectory, { recursive: true });
  const startedAt = benchStartedAt;
  const loadBefore = os.loadavg();
  log(
    `keyguard bench: phases ${phases.join(", ")}${flags.quick ? " (quick)" : ""} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, load ${loadBefore.map((load) => load.toFixed(2)).join(" ")}`,
  );
  const runners: Record<Phase, () => Promise<void>> = {
    packs: packPhase,
    gate: gatePhase,
    audit: auditPhase,
    rotation: rotationPhase,
    tests: testPhase,
    terraform: terraformPhase,
  };
  const failures: string[] = [];
  await ensureBuilt();
  const phaseSeconds: Partial<Record<Phase, number>> = {};
  const runPhase = async (phase: Phase): Promise<void> => {
    const phaseStartedAt = process.hrtime.bigint();
    try {
      await runners[phase]();
    } catch (error) {
      // One broken phase must not hide the others' figures: record it, report it, exit non-zero.
      const message = `${phase}: ${(error as Error).stack ?? String(error)}`;
      failures.push(message);
      log(`PHASE FAILED ${message}`);
    }
    phaseSeconds[phase] = elapsedMs(phaseStartedAt) / 1000;
    log(`  (${phase}: ${phaseSeconds[phase]!.toFixed(0)} s)`);
  };
  // Every phase runs alone. (Running the rotation phase, which mostly waits, alongside npm test saved
  // 40 s but added ~0.5 s of event-loop lag to the 30 s rotation's detection delay: not worth it.)
  for (const phase of phases) await runPhase(phase);
  raw.phaseSeconds = phaseSeconds;
  const durationMs = elapsedMs(startedAt);
  if (complete) {
    ratioFigure(
      {
        id: "bench.duration",
        group: "bench",
        figure: "`npm run bench` itself, all phases",
        unit: "ms",
        target: { kind: "atMost", bound: 600_000, text: "< 10 min" },
      },
      durationMs,
      undefined,
      () => NaN,
    );
  }
  const results = rounded({
    generatedAt: new Date().toISOString(),
    complete,
    phases,
    quick: flags.quick,
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      totalMemoryGiB: os.totalmem() / 2 ** 30,
      loadAverageBefore: loadBefore,
      loadAverageAfter: os.loadavg(),
    },
    durationMs,
    failures,
    figures,
    raw,
  });
  const resultsFile = complete
    ? path.join(repositoryRoot, "bench", "results.json")
    : path.join(workDirectory, "results.partial.json");
  writeAtomically(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  const heading = `Measured ${results.generatedAt} on ${results.machine.cpus} × ${results.machine.cpuModel ?? "cpu"}, Node ${process.version}; load average before/after ${loadBefore.map((load) => load.toFixed(2)).join(" ")} / ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(
      " ",
    )}; whole bench ${(durationMs / 1000).toFixed(0)} s.${failures.length ? ` **Failed phases: ${failures.map((failure) => failure.split(":")[0]).join(", ")}** (see bench/results.json).` : ""}`;
  const table = `${renderSummary(figures)}\n\n${renderTable(figures)}`;
  if (complete) writeBenchmarksTable(path.join(repositoryRoot, "BENCHMARKS.md"), heading, table);
  log(
    `\n${heading}\n\n${table}\n\nwrote ${path.relative(repositoryRoot, resultsFile)}${complete ? " and BENCHMARKS.md" : ""}`,
  );
  if (failures.length) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
