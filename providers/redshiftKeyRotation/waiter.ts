/**
 * Waiting for a Redshift cluster: adaptive polling under a deadline the provider enforces itself
 * (the engine's customTimeouts never reach a dynamic provider).
 *
 * Serialized by value with the provider: plain functions and data only.
 */

/** Time as the waiter sees it; tests and the bench may pass a virtual clock. */
export interface WaiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: WaiterClock = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/**
 * The poll schedule. Early polls are fast so a short rotation is seen quickly; while the wait is
 * under `fastPhaseMs` the delay stays at most `fastPhaseMaxDelayMs` (a 30 s rotation is noticed
 * within 2 s with about 15 calls); after that the delay grows with the time already waited
 * (`proportionalDelay` of it, at most `maxDelayMs`), so an hour-long rotation costs few calls.
 */
export interface PollSchedule {
  initialDelayMs: number;
  multiplier: number;
  fastPhaseMs: number;
  fastPhaseMaxDelayMs: number;
  proportionalDelay: number;
  maxDelayMs: number;
}

export const DEFAULT_POLL_SCHEDULE: PollSchedule = {
  initialDelayMs: 1_000,
  multiplier: 2,
  fastPhaseMs: 60_000,
  fastPhaseMaxDelayMs: 2_000,
  proportionalDelay: 0.1,
  maxDelayMs: 30_000,
};

/** The delay before the next poll, given the previous delay and the time waited so far. */
export function nextPollDelay(schedule: PollSchedule, previousDelayMs: number | undefined, waitedMs: number): number {
  if (previousDelayMs === undefined) return schedule.initialDelayMs;
  const grown = previousDelayMs * schedule.multiplier;
  if (waitedMs < schedule.fastPhaseMs) return Math.min(grown, schedule.fastPhaseMaxDelayMs);
  return Math.min(schedule.maxDelayMs, Math.max(schedule.fastPhaseMaxDelayMs, waitedMs * schedule.proportionalDelay));
}

/** The error thrown when the deadline passes (a plain Error named DeadlineExceededError: no class to serialize). */
export function deadlineExceeded(message: string): Error {
  const error = new Error(message);
  error.name = "DeadlineExceededError";
  return error;
}

export interface PollOptions<T> {
  /** One look at the world; undefined when it could not be read (a transient failure): poll again. */
  poll: () => Promise<T | undefined>;
  /** True when the wait is over. */
  isDone: (value: T) => boolean;
  /** Final, non-transitional states that will never become done: throw the returned error. */
  failure?: (value: T) => Error | undefined;
  deadline: number;
  schedule: PollSchedule;
  clock: WaiterClock;
  /** The whole error message when the deadline passes, given the last value seen. */
  describeTimeout: (last: T | undefined) => string;
  /** Skip the first sleep (the caller has not looked yet). */
  pollImmediately?: boolean;
}

/** Polls until isDone, a failure, or the deadline (then a DeadlineExceededError). */
export async function pollUntil<T>(options: PollOptions<T>): Promise<T> {
  const { clock, deadline, schedule } = options;
  const started = clock.now();
  let delay: number | undefined;
  let last: T | undefined;
  let first = true;
  for (;;) {
    if (!(first && options.pollImmediately)) {
      delay = nextPollDelay(schedule, delay, clock.now() - started);
      const remaining = deadline - clock.now();
      if (remaining <= 0) throw deadlineExceeded(options.describeTimeout(last));
      await clock.sleep(Math.min(delay, remaining));
    }
    first = false;
    if (clock.now() > deadline) throw deadlineExceeded(options.describeTimeout(last));
    const value = await options.poll();
    if (value !== undefined) {
      last = value;
      if (options.isDone(value)) return value;
      const failure = options.failure?.(value);
      if (failure) throw failure;
    }
  }
}
