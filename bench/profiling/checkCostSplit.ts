// Where `keyguard check` spends its CPU: one run with every Node process profiled
// (cpuProfileHook.js through NODE_OPTIONS), the profiles split into the program (the Pulumi program
// under mocks, in its own process), the transport (marshalling, gRPC and IPC on both ends) and the
// pack (@pulumi/policy and keyguard's rules). `npm run bench -- --only gate --profile` prints it and
// keeps it in results.json.
import * as fs from "node:fs";
import * as path from "node:path";

import { summarizeCpuProfile } from "./summarizeCpuProfile";

export interface CostSplit {
  wallMs: number;
  /** CPU milliseconds per part (idle excluded). */
  cpuMs: Record<string, number>;
  /** The same, one line per process and owner, for the analysis. */
  byProcess: Record<string, Record<string, number>>;
}

/** Which process a profile belongs to, from the file name cpuProfileHook.js gives it (`<script>-<pid>`). */
function processOf(file: string): "gate" | "program" | "pack" | undefined {
  const name = path.basename(file);
  if (name.startsWith("keyguard.js-")) return "gate";
  if (name.startsWith("run-policy-pack-")) return "pack";
  // The program's process runs `node -e <loader>`: no script name.
  if (name.startsWith("node-")) return "program";
  return undefined;
}

const TRANSPORT_OWNERS = new Set(["google-protobuf", "@grpc/grpc-js", "node:internal"]);

/** The part of the check a profile owner's time belongs to. */
function partOf(process: "gate" | "program" | "pack", owner: string): string {
  if (owner === "(garbage collector)") return `${process}: garbage collection`;
  if (process === "program") return "program (Pulumi's runtime under mocks, the program, the component)";
  if (process === "gate")
    return TRANSPORT_OWNERS.has(owner)
      ? "transport, gate side (protobuf, gRPC/HTTP2, IPC with the program; Node internals incl. module loading)"
      : "gate (start, evaluation, report)";
  return TRANSPORT_OWNERS.has(owner)
    ? "transport, pack side (protobuf, gRPC/HTTP2; Node internals incl. module loading)"
    : "pack (@pulumi/policy, keyguard's rules, the pack's start)";
}

export function checkCostSplit(profileDirectory: string, wallMs: number): CostSplit {
  const cpuMs: Record<string, number> = {};
  const byProcess: Record<string, Record<string, number>> = {};
  for (const file of fs.readdirSync(profileDirectory).filter((name) => name.endsWith(".cpuprofile"))) {
    const owner = processOf(file);
    if (!owner) continue;
    const summary = summarizeCpuProfile(path.join(profileDirectory, file), Infinity);
    for (const spot of summary.byOwner) {
      if (spot.name === "(idle)" || spot.name === "(program)") continue;
      const part = partOf(owner, spot.name);
      cpuMs[part] = (cpuMs[part] ?? 0) + spot.selfMs;
      (byProcess[owner] ??= {})[spot.name] = (byProcess[owner][spot.name] ?? 0) + spot.selfMs;
    }
  }
  return { wallMs, cpuMs, byProcess };
}

export function describeCostSplit(split: CostSplit): string {
  const total = Object.values(split.cpuMs).reduce((sum, value) => sum + value, 0);
  const parts = Object.entries(split.cpuMs)
    .sort((a, b) => b[1] - a[1])
    .map(([part, ms]) => `${part} ${(ms / 1000).toFixed(1)} s (${((ms / total) * 100).toFixed(0)}%)`);
  return `wall ${(split.wallMs / 1000).toFixed(1)} s (profiled), CPU ${(total / 1000).toFixed(1)} s: ${parts.join("; ")}`;
}
