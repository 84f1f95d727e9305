// Reads a V8 .cpuprofile (from `node --cpu-prof`) and lists where the time went: self time per
// function and per package, so the journal (docs/benchmarks-journal.md) can say what holds a missed target back.
import * as fs from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  selfMs: number;
  percent: number;
}

/** The package (or "node:internal", "(program)", "(garbage collector)") a profile frame belongs to. */
function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const nodeModules = url.lastIndexOf("node_modules/");
  if (nodeModules >= 0) {
    const rest = url.slice(nodeModules + "node_modules/".length).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith("node:")) return "node:internal";
  return url.replace(/^file:\/\//, "").replace(process.cwd() + "/", "");
}

export function summarizeCpuProfile(
  file: string,
  top = 12,
): { totalMs: number; byFunction: HotSpot[]; byOwner: HotSpot[] } {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const nodesById = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByFunction = new Map<string, number>();
  const selfByOwner = new Map<string, number>();
  let totalMicroseconds = 0;
  profile.samples.forEach((nodeId, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    totalMicroseconds += delta;
    const frame = nodesById.get(nodeId)?.callFrame;
    if (!frame) return;
    const owner = ownerOf(frame.url, frame.functionName);
    const name = `${frame.functionName || "(anonymous)"} ${owner}:${frame.lineNumber + 1}`;
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + delta);
    selfByOwner.set(owner, (selfByOwner.get(owner) ?? 0) + delta);
  });
  const rank = (map: Map<string, number>): HotSpot[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micro]) => ({ name, selfMs: micro / 1000, percent: (micro / totalMicroseconds) * 100 }));
  return { totalMs: totalMicroseconds / 1000, byFunction: rank(selfByFunction), byOwner: rank(selfByOwner) };
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) {
    const summary = summarizeCpuProfile(file);
    console.log(`${file}: ${summary.totalMs.toFixed(0)} ms sampled`);
    for (const spot of summary.byOwner)
      console.log(
        `  owner ${spot.percent.toFixed(1).padStart(5)}% ${spot.selfMs.toFixed(0).padStart(7)} ms ${spot.name}`,
      );
    for (const spot of summary.byFunction)
      console.log(
        `  fn    ${spot.percent.toFixed(1).padStart(5)}% ${spot.selfMs.toFixed(0).padStart(7)} ms ${spot.name}`,
      );
  }
}
