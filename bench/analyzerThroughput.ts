// Figures 1, 2 and 3: pack start, Analyze latency and AnalyzeStack cost, for keyguard's shipped pack,
// the framework's floor (a no-op pack) and @pulumi/awsguard, all through the gate's own engine-side
// host (engine/analyzerHost.ts), which launches a pack exactly as `pulumi preview --policy-pack` does.
//
// Every pack gets the same resources in the same order, and the packs take turns (round-robin) so
// that the shared machine's load drifts over all of them alike; comparisons are ratios of medians.
import * as fs from "node:fs";
import * as path from "node:path";

import { startAnalyzer, toStruct, type AnalyzerHost, type AnalyzerStackResource } from "../engine";
import { elapsedMs, summarize, type Summary } from "./stats";
import { shapedStack, type StackShape, type SyntheticResource } from "./stackShapes";

export interface PackUnderTest {
  /** Short key used in results.json. */
  id: string;
  /** Human name for BENCHMARKS.md. */
  label: string;
  directory: string;
  /** Start it only every n-th round (for a pack that takes many times longer than the others). Default 1. */
  everyNthRound?: number;
}

export interface StartFigures {
  /** Launch-to-port milliseconds per pack id. */
  startMs: Record<string, Summary>;
  samplesMs: Record<string, number[]>;
}

/** Launches the packs in turn for `rounds` rounds and records launch-to-port times. */
export async function measurePackStarts(
  packs: readonly PackUnderTest[],
  rounds: number,
  log: (line: string) => void,
): Promise<StartFigures> {
  const samplesMs: Record<string, number[]> = Object.fromEntries(packs.map((pack) => [pack.id, [] as number[]]));
  for (let round = 0; round < rounds; round++) {
    const line: string[] = [];
    for (const pack of packs) {
      if (round % (pack.everyNthRound ?? 1) !== 0) continue;
      const host = await startAnalyzer({ packDir: pack.directory, startTimeoutMs: 180_000 });
      samplesMs[pack.id].push(host.startupMs);
      line.push(`${pack.id} ${host.startupMs.toFixed(0)} ms`);
      await host.close();
    }
    log(`  start round ${round + 1}/${rounds}: ${line.join(", ")}`);
  }
  return {
    samplesMs,
    startMs: Object.fromEntries(packs.map((pack) => [pack.id, summarize(samplesMs[pack.id])])),
  };
}

export interface AnalyzeFigures {
  /** Per-call latency of Analyze over gRPC, in milliseconds. */
  latencyMs: Summary;
  /** Wall time of all calls, one after the other (as the engine analyzes a preview's resources). */
  totalMs: number;
  calls: number;
  /** How many diagnostics the pack returned over all calls (proves it did its work). */
  diagnostics: number;
}

export interface AnalyzeStackFigures {
  shape: StackShape;
  resources: number;
  /** Round-trip wall time of one AnalyzeStack call (request built from plain objects, sent, answered). */
  roundTripMs: Summary;
  /** Median round trip per resource, in microseconds: linear growth keeps it flat across sizes. */
  microsecondsPerResource: number;
  /** Median time this process spends turning the resources into protobuf Structs (part of every round trip, the same for every pack). */
  harnessMarshalMs: number;
  diagnostics: number;
  /** Peak resident memory of the pack's process over this size's rounds (VmHWM), when measured. */
  peakRssMiB?: number;
}

function asAnalyzerResource(resource: SyntheticResource): AnalyzerStackResource {
  return {
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    properties: resource.properties,
    parent: resource.parent,
    dependencies: resource.dependencies,
    propertyDependencies: resource.propertyDependencies,
  };
}

/** Inputs as Analyze gets them: no outputs the provider computes (id, arn, keyId). */
function asAnalyzeInputs(resource: SyntheticResource): AnalyzerStackResource {
  const { id: _id, arn: _arn, keyId: _keyId, ...inputs } = resource.properties;
  return { urn: resource.urn, type: resource.type, name: resource.name, properties: inputs };
}

/**
 * Starts every pack once and configures it with its defaults, as the engine does before analyzing.
 * With `profileDirectory`, each pack runs under `node --cpu-prof` and writes its profile there when closed.
 */
export async function startConfigured(
  packs: readonly PackUnderTest[],
  profileDirectory?: string,
): Promise<Map<string, AnalyzerHost>> {
  const hosts = new Map<string, AnalyzerHost>();
  for (const pack of packs) {
    const nodeArgs = profileDirectory
      ? [
          "--require",
          path.join(__dirname, "profiling", "exitOnSigterm.js"),
          "--cpu-prof",
          `--cpu-prof-dir=${profileDirectory}`,
          `--cpu-prof-name=${pack.id}.cpuprofile`,
        ]
      : [];
    const host = await startAnalyzer({
      packDir: pack.directory,
      startTimeoutMs: 180_000,
      callTimeoutMs: 600_000,
      nodeArgs,
    });
    await host.configure({});
    hosts.set(pack.id, host);
  }
  return hosts;
}

/**
 * Analyze: `calls` resources (half keys, half clusters), one call at a time, on every pack in turn
 * in blocks of 100 so all packs see the same machine load. A warm-up of `warmUpCalls` first lets the
 * JIT settle; it is not counted.
 */
export async function measureAnalyze(
  hosts: Map<string, AnalyzerHost>,
  shape: StackShape,
  calls: number,
  warmUpCalls: number,
  log: (line: string) => void,
): Promise<Record<string, AnalyzeFigures>> {
  const resources = shapedStack(shape, calls).map(asAnalyzeInputs);
  const ids = [...hosts.keys()];
  const latencies: Record<string, number[]> = Object.fromEntries(ids.map((id) => [id, [] as number[]]));
  const diagnostics: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
  for (const id of ids) {
    const host = hosts.get(id)!;
    for (let i = 0; i < warmUpCalls; i++) await host.analyze(resources[i % resources.length]);
  }
  const blockSize = 100;
  for (let blockStart = 0; blockStart < resources.length; blockStart += blockSize) {
    const block = resources.slice(blockStart, blockStart + blockSize);
    for (const id of ids) {
      const host = hosts.get(id)!;
      for (const resource of block) {
        const startedAt = process.hrtime.bigint();
        const result = await host.analyze(resource);
        latencies[id].push(elapsedMs(startedAt));
        diagnostics[id] += result.diagnostics.length;
      }
    }
    if ((blockStart / blockSize) % 5 === 4)
      log(`  analyze: ${blockStart + block.length}/${resources.length} resources on every pack`);
  }
  return Object.fromEntries(
    ids.map((id) => [
      id,
      {
        latencyMs: summarize(latencies[id]),
        totalMs: latencies[id].reduce((sum, value) => sum + value, 0),
        calls: latencies[id].length,
        diagnostics: diagnostics[id],
      },
    ]),
  );
}

/** How long this process takes to marshal `resources` into protobuf Structs, median of `repetitions`. */
function marshalMedianMs(resources: readonly AnalyzerStackResource[], repetitions: number): number {
  const samples: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const startedAt = process.hrtime.bigint();
    for (const resource of resources) toStruct(resource.properties);
    samples.push(elapsedMs(startedAt));
  }
  return summarize(samples).median;
}

/** One stack to measure: its shape and size, how many repetitions, and which packs (default: all). */
export interface StackSizePlan {
  shape: StackShape;
  resources: number;
  repetitions: number;
  packIds?: readonly string[];
  /** Asked before every round after the second: false stops the size there (a time budget). Default: always go on. */
  keepGoing?: () => boolean;
  /** Also record each pack process's peak resident memory over this size's rounds. */
  measurePeakMemory?: boolean;
}

/**
 * Peak resident memory of a process (Linux: VmHWM in /proc/<pid>/status), in MiB; with `reset`, first
 * resets the peak to the current size (writing 5 to /proc/<pid>/clear_refs), so that the next reading
 * is the peak of what happens in between. Undefined where /proc cannot tell.
 */
export function peakResidentMiB(pid: number | undefined, reset = false): number | undefined {
  if (pid === undefined) return undefined;
  try {
    if (reset) fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** AnalyzeStack on stacks of each planned size, the planned packs taking turns. */
export async function measureAnalyzeStack(
  hosts: Map<string, AnalyzerHost>,
  plans: readonly StackSizePlan[],
  log: (line: string) => void,
): Promise<Record<string, AnalyzeStackFigures[]>> {
  const figures: Record<string, AnalyzeStackFigures[]> = Object.fromEntries(
    [...hosts.keys()].map((id) => [id, [] as AnalyzeStackFigures[]]),
  );
  for (const [planIndex, plan] of plans.entries()) {
    const ids = [...(plan.packIds ?? hosts.keys())];
    const size = plan.resources;
    const resources = shapedStack(plan.shape, size).map(asAnalyzerResource);
    const roundTrips: Record<string, number[]> = Object.fromEntries(ids.map((id) => [id, [] as number[]]));
    const diagnostics: Record<string, number> = {};
    // One untimed call per pack first: the first AnalyzeStack of a process pays for JIT warm-up.
    if (planIndex === 0) for (const id of hosts.keys()) await hosts.get(id)!.analyzeStack(resources);
    if (plan.measurePeakMemory) for (const id of ids) peakResidentMiB(hosts.get(id)!.pid, true);
    for (let round = 0; round < plan.repetitions; round++) {
      if (round >= 2 && plan.keepGoing && !plan.keepGoing()) break;
      for (const id of ids) {
        const startedAt = process.hrtime.bigint();
        const result = await hosts.get(id)!.analyzeStack(resources);
        roundTrips[id].push(elapsedMs(startedAt));
        diagnostics[id] = result.diagnostics.length;
      }
    }
    const peaks = plan.measurePeakMemory
      ? Object.fromEntries(ids.map((id) => [id, peakResidentMiB(hosts.get(id)!.pid)]))
      : {};
    const marshalMs = marshalMedianMs(resources, 3);
    for (const id of ids) {
      const roundTripMs = summarize(roundTrips[id]);
      figures[id].push({
        shape: plan.shape,
        resources: size,
        roundTripMs,
        microsecondsPerResource: (roundTripMs.median * 1000) / size,
        harnessMarshalMs: marshalMs,
        diagnostics: diagnostics[id],
        peakRssMiB: peaks[id],
      });
    }
    const peakNote = plan.measurePeakMemory
      ? `; peak RSS ${ids.map((id) => `${id} ${peaks[id]?.toFixed(0) ?? "?"} MiB`).join(", ")}`
      : "";
    log(
      `  analyzeStack ${plan.shape} ${size}: ${ids.map((id) => `${id} ${summarize(roundTrips[id]).median.toFixed(0)} ms`).join(", ")} (marshalling ${marshalMs.toFixed(0)} ms${peakNote})`,
    );
  }
  return figures;
}
