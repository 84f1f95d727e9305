/**
 * A run always ends: --timeout bounds the whole check (program, pack, evaluation), killing the
 * program's process group (children holding its pipes included) and the pack; SIGTERM and SIGINT
 * to keyguard stop everything it started and exit 143 / 130. Processes are found by a marker in
 * their environment (every process of the run inherits it), never by name.
 */
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { runKeyguard, startKeyguard } from "./keyguardProcess";
import { runCli } from "./gateHarness";

const fixture = (name: string) => path.join(__dirname, "fixtures", name);
const MARKER_VARIABLE = "KEYGUARD_TEST_RUN_MARKER";

/** The processes whose environment holds this marker: the ones a run started and left running. */
function processesWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, "latin1").includes(`${MARKER_VARIABLE}=${marker}`))
        found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Waits (briefly) for the run's processes to be gone: the kernel reaps a killed process within moments. */
async function processesLeft(marker: string): Promise<number[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const left = processesWithMarker(marker);
    if (left.length === 0) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return processesWithMarker(marker);
}

function markedEnvironment(): { marker: string; env: NodeJS.ProcessEnv } {
  const marker = randomUUID();
  return { marker, env: { ...process.env, [MARKER_VARIABLE]: marker } };
}

/**
 * The `sleep 45` the programs leave behind used to hold keyguard until it ended: a run that waits
 * for it takes at least 45 s from keyguard's start, whatever the machine's speed, so a run that
 * ends sooner did not wait.
 */
const THE_SLEEP_MS = 45_000;

describe("--timeout bounds the run", () => {
  it("a program whose child holds its stdout and stderr: stopped at --timeout with the child, and keyguard exits", async () => {
    const { marker, env } = markedEnvironment();
    const run = await runKeyguard(
      ["check", "--project", fixture("leaves-a-child"), "--stack", "waits", "--timeout", "5s", "--quiet"],
      { env },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /keyguard: error: program .*leaves-a-child\/index\.ts did not finish within 5s \(--timeout\)/,
    );
    expect(run.elapsedMs).toBeLessThan(THE_SLEEP_MS);
    expect(await processesLeft(marker)).toEqual([]);
  }, 90_000);

  it("a program that passes but leaves a child holding its pipes: keyguard reports and exits, the child is stopped", async () => {
    const { marker, env } = markedEnvironment();
    const run = await runKeyguard(["check", "--project", fixture("leaves-a-child"), "--stack", "passes"], { env });
    expect(run.stdout).toMatch(/PASSED/);
    expect(run.code).toBe(0);
    expect(run.elapsedMs).toBeLessThan(THE_SLEEP_MS);
    expect(await processesLeft(marker)).toEqual([]);
  }, 90_000);

  it("a policy pack that never answers: the run ends at --timeout and the pack is stopped", async () => {
    const { marker, env } = markedEnvironment();
    const run = await runKeyguard(
      [
        "check",
        "--project",
        fixture("leaves-a-child"),
        "--stack",
        "passes",
        "--policy-pack",
        fixture("hanging-pack"),
        "--timeout",
        "15s",
        "--quiet",
      ],
      { env },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "keyguard: error: keyguard check did not finish within 15s (--timeout): the policy pack was still evaluating the program's resources, and was stopped\n",
    );
    expect(await processesLeft(marker)).toEqual([]);
  }, 90_000);

  it("a --timeout longer than Node's timers hold is refused, not turned into 1 ms", async () => {
    const run = await runCli(["check", "--project", fixture("leaves-a-child"), "--timeout", "35792m"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'keyguard: error: --timeout "35792m" is longer than keyguard can wait: at most 35791m (2147483s, about 24 days)\n',
    );
  });
});

describe("a signal to keyguard stops everything it started", () => {
  for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const) {
    it(`${signal} while a busy program runs: exit ${code}, no process of the run left`, async () => {
      const { marker, env } = markedEnvironment();
      const pidFile = path.join(os.tmpdir(), `keyguard-signal-${marker}.pid`);
      const keyguard = startKeyguard(["check", "--project", fixture("never-ends"), "--timeout", "10m"], {
        env: { ...env, NEVER_ENDS_PID_FILE: pidFile },
      });
      try {
        // The program is running (busy) once it wrote its pid; the pack is running or starting.
        for (let waited = 0; !fs.existsSync(pidFile) && waited < 60_000; waited += 100)
          await new Promise((resolve) => setTimeout(resolve, 100));
        expect(fs.existsSync(pidFile)).toBe(true);
        expect(processesWithMarker(marker).length).toBeGreaterThanOrEqual(2);
        keyguard.child.kill(signal);
        const run = await keyguard.exited;
        expect(run.code).toBe(code);
        expect(run.stderr).toContain(
          `keyguard: stopped by ${signal}; the program and the policy pack were stopped too`,
        );
        expect(await processesLeft(marker)).toEqual([]);
      } finally {
        keyguard.child.kill("SIGKILL");
        fs.rmSync(pidFile, { force: true });
      }
    }, 90_000);
  }
});
