/**
 * The processes one keyguard process started (the program's process group, the policy pack), so
 * that a signal to keyguard (a cancelled CI job: SIGTERM; Ctrl-C: SIGINT) stops them all before it
 * exits, instead of leaving a busy program or a pack running without a parent.
 */
const stops = new Set<() => void>();

/** Registers how to stop a process right away; returns the function that unregisters it. */
export function trackProcess(stop: () => void): () => void {
  stops.add(stop);
  return () => stops.delete(stop);
}

/** Stops every process still registered (SIGKILL: there is no time to be polite). */
export function stopTrackedProcesses(): void {
  for (const stop of [...stops]) {
    stops.delete(stop);
    try {
      stop();
    } catch {
      // already gone
    }
  }
}

/** SIGKILL to a whole process group: the process and the children it left holding its stdout/stderr. */
export function killProcessGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // the group is gone already
  }
}
