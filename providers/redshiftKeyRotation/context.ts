/**
 * The context of one provider operation: its validated inputs, the AWS clients for its settings
 * (cached per settings in the host process), its region and its deadline; and the provider's own
 * retry of transient failures under that deadline.
 *
 * Serialized by value with the provider (see provider.ts): SDKs are required inside functions,
 * plain data and plain functions only.
 */
import {
  type AwsClientSettings,
  type AwsClients,
  DEFAULT_RETRY_SETTINGS,
  type RetrySettings,
  cappedExponentialBackoffWithJitter,
  createAwsClients,
  resolvedRegion,
} from "./clients";
import { errorMessage, errorName, isTransient } from "./errors";
import type { RotationInputs } from "./inputs";
import { DEFAULT_POLL_SCHEDULE, type PollSchedule, REAL_CLOCK, type WaiterClock, deadlineExceeded } from "./waiter";

/** Timing knobs; production uses DEFAULT_TUNING, tests shrink them to run hundreds of scenarios fast. */
export interface ProviderTuning {
  poll: PollSchedule;
  retry: RetrySettings;
  clock: WaiterClock;
}

export const DEFAULT_TUNING: ProviderTuning = {
  poll: DEFAULT_POLL_SCHEDULE,
  retry: DEFAULT_RETRY_SETTINGS,
  clock: REAL_CLOCK,
};

/**
 * diff runs in every `pulumi preview`: its KMS reads get at most this long, whatever timeoutMinutes
 * says, so an unreachable KMS endpoint fails a preview in minutes instead of stalling it for an hour.
 */
export const DIFF_TIMEOUT_MINUTES = 2;

export interface AwsContext {
  inputs: RotationInputs;
  clients: AwsClients;
  region: string;
  deadline: number;
  /** How long this call may take: timeoutMinutes, or less for a preview's diff. */
  deadlineMinutes: number;
  tuning: ProviderTuning;
}

export type ClientCache = Record<string, AwsClients>;

export interface ProviderSession {
  tuning: ProviderTuning;
  clientCache: ClientCache;
}

export async function withAwsContext<T>(
  inputs: RotationInputs,
  session: ProviderSession,
  work: (context: AwsContext) => Promise<T>,
  deadlineMinutes: number = inputs.timeoutMinutes,
): Promise<T> {
  const { tuning, clientCache } = session;
  const settings: AwsClientSettings = {
    region: inputs.region,
    profile: inputs.profile,
    roleArn: inputs.roleArn,
    redshiftEndpoint: inputs.redshiftEndpoint,
    kmsEndpoint: inputs.kmsEndpoint,
  };
  const cacheKey = JSON.stringify([settings, tuning.retry]);
  const clients = (clientCache[cacheKey] ??= createAwsClients(settings, tuning.retry));
  const region = inputs.region ?? (await resolvedRegion(clients));
  if (!region) {
    throw new Error(
      `RedshiftKeyRotation ${inputs.clusterIdentifier}: no AWS region; set the region input or AWS_REGION (a dynamic provider does not inherit an aws.Provider's region)`,
    );
  }
  const deadline = tuning.clock.now() + deadlineMinutes * 60_000;
  return work({ inputs, clients, region, deadline, deadlineMinutes, tuning });
}

export function where(context: AwsContext): string {
  return `cluster ${JSON.stringify(context.inputs.clusterIdentifier)} in ${context.region}`;
}

/**
 * Node's timers hold at most 2^31 - 1 ms (24.8 days): AbortSignal.timeout fires after 1 ms beyond
 * that and throws a RangeError beyond 2^32 - 1, so a long timeoutMinutes would abort every call at
 * once. A call never needs a longer signal; the loops still enforce the full deadline themselves.
 */
const LONGEST_TIMER_MS = 2_147_483_647;

/** An abort signal that fires at the deadline, so no SDK call (retries included) outlives it. */
export function deadlineSignal(context: AwsContext): AbortSignal {
  return AbortSignal.timeout(
    Math.min(LONGEST_TIMER_MS, Math.max(1, Math.ceil(context.deadline - context.tuning.clock.now()))),
  );
}

export function timedOut(context: AwsContext, what: string): Error {
  return deadlineExceeded(
    `RedshiftKeyRotation ${where(context)}: timed out after ${context.deadlineMinutes} minute(s) (${
      context.deadlineMinutes < context.inputs.timeoutMinutes
        ? `a preview's diff waits at most ${DIFF_TIMEOUT_MINUTES}`
        : "timeoutMinutes"
    }) ${what}`,
  );
}

/**
 * The provider's own retries (after the SDK's quick ones gave up, or for RotateEncryptionKey, which
 * the SDK never retries) wait on the poll schedule's scale: capped exponential backoff with full
 * jitter from initialDelayMs up to maxDelayMs (1 s .. 30 s in production).
 */
export function providerRetryDelay(context: AwsContext, attempt: number): number {
  const { poll } = context.tuning;
  return cappedExponentialBackoffWithJitter(attempt, poll.initialDelayMs, poll.maxDelayMs);
}

/** Runs a call; transient failures are retried with capped exponential backoff and jitter until the deadline. */
export async function retryTransient<T>(context: AwsContext, what: string, call: () => Promise<T>): Promise<T> {
  const { clock } = context.tuning;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (clock.now() >= context.deadline || errorName(error) === "AbortError") {
        throw timedOut(context, `while calling ${what} (last error: ${errorName(error) || errorMessage(error)})`);
      }
      if (!isTransient(error)) throw error;
      const remaining = context.deadline - clock.now();
      await clock.sleep(Math.min(remaining, providerRetryDelay(context, attempt)));
    }
  }
}
