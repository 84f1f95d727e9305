// Peak memory of a command and every process it starts (keyguard and its policy pack): each
// process's high-water mark (VmHWM in /proc/<pid>/status, Linux), sampled while it runs; the figure
// is the sum of the processes' peaks (an upper bound on what they held at once).
import * as fs from "node:fs";

/** The process ids of `pid`'s children, as /proc lists them. */
function childrenOf(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/))
      .filter((child) => child.length > 0)
      .map(Number);
  } catch {
    return [];
  }
}

function highWaterMarkKiB(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Samples the process tree under `pid` until stop() is called; peakMiB() is the sum of per-process peaks. */
export function watchPeakMemory(pid: number, intervalMs = 200): { stop(): void; peakMiB(): number } {
  const peaks = new Map<number, number>();
  const sample = () => {
    const pending = [pid];
    while (pending.length > 0) {
      const current = pending.pop()!;
      const peak = highWaterMarkKiB(current);
      if (peak !== undefined) peaks.set(current, Math.max(peaks.get(current) ?? 0, peak));
      pending.push(...childrenOf(current));
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => clearInterval(timer),
    peakMiB: () => [...peaks.values()].reduce((sum, kib) => sum + kib, 0) / 1024,
  };
}
