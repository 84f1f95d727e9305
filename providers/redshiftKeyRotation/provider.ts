/**
 * The dynamic provider behind RedshiftKeyRotation.
 *
 * Pulumi serializes this object (and, by value, everything it reaches: this module, waiter.ts,
 * clients.ts, the facts it reads) into the stack's state; `@pulumi/pulumi/cmd/dynamic-provider`
 * runs it in another process. So: SDKs are required inside functions, no client or credential is
 * captured, and every value reachable from here is plain data or a plain function.
 *
 * The one promise it keeps above all: the state never records a rotation that did not finish.
 * `rotationCount` and `lastRotatedAt` change only in the outputs of an update that saw the cluster
 * go back to `available` after its rotation; any failure leaves the previous state untouched.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  CLUSTER_STATUS,
  KMS_ERRORS,
  REDSHIFT_ERRORS,
  TRANSITIONAL_CLUSTER_STATUSES,
  UNKNOWN_ARRAY_SENTINEL,
  UNKNOWN_BOOLEAN_SENTINEL,
  UNKNOWN_NUMBER_SENTINEL,
  UNKNOWN_OBJECT_SENTINEL,
  UNKNOWN_STRING_SENTINEL,
  clusterIdentifierProblem,
  describeValue,
  keyArnProblem,
} from "../../facts";
import {
  type AwsClientSettings,
  type AwsClients,
  DEFAULT_RETRY_SETTINGS,
  type RetrySettings,
  cappedExponentialBackoffWithJitter,
  createAwsClients,
  resolvedRegion,
} from "./clients";
import { DEFAULT_POLL_SCHEDULE, type PollSchedule, REAL_CLOCK, type WaiterClock, deadlineExceeded, pollUntil } from "./waiter";

/** The resource's inputs after check (defaults applied). */
export interface RotationInputs extends AwsClientSettings {
  clusterIdentifier: string;
  kmsKeyId: string;
  triggers?: Record<string, string | number | boolean>;
  followKeyMaterialRotations: boolean;
  timeoutMinutes: number;
}

/** What KMS said about the key's rotation. Dates are ISO 8601. */
export interface KeyRotationState {
  keyRotationEnabled: boolean;
  rotationPeriodInDays?: number;
  nextRotationDate?: string;
  onDemandRotationStartDate?: string;
  latestKeyMaterialRotationDate?: string;
}

export interface RotationOutputs extends RotationInputs, KeyRotationState {
  /** The region the calls went to: the region input, or the SDK's default (AWS_REGION, the profile's). */
  resolvedRegion: string;
  rotationCount: number;
  lastRotatedAt?: string;
}

/** Timing knobs; production uses DEFAULT_TUNING, tests shrink them to run hundreds of scenarios fast. */
export interface ProviderTuning {
  poll: PollSchedule;
  retry: RetrySettings;
  clock: WaiterClock;
}

export const DEFAULT_TUNING: ProviderTuning = { poll: DEFAULT_POLL_SCHEDULE, retry: DEFAULT_RETRY_SETTINGS, clock: REAL_CLOCK };

export const DEFAULT_TIMEOUT_MINUTES = 60;
/**
 * diff runs in every `pulumi preview`: its KMS reads get at most this long, whatever timeoutMinutes
 * says, so an unreachable KMS endpoint fails a preview in minutes instead of stalling it for an hour.
 */
export const DIFF_TIMEOUT_MINUTES = 2;
/**
 * Pulumi's closure serializer cannot carry a Set (it rebuilds an empty, broken one), so the fact's
 * Set is copied into an array when this module loads, and the array is what gets serialized.
 */
const TRANSITIONAL_STATUSES: readonly string[] = [...TRANSITIONAL_CLUSTER_STATUSES];
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

export function createRedshiftKeyRotationProvider(tuning: ProviderTuning = DEFAULT_TUNING): pulumi.dynamic.ResourceProvider {
  /**
   * Clients by settings, filled at run time in the host process (which deserializes the provider
   * once and serves every resource's calls with it): connections and credentials are reused across
   * resources and operations. Empty when serialized: the program process never runs the methods.
   */
  const clientCache: ClientCache = {};
  const session: ProviderSession = { tuning, clientCache };
  return {
    async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
      const failures = inputProblems(news);
      return { inputs: failures.length === 0 ? withDefaults(news) : news, failures };
    },

    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
      return diffRotation(olds, news, session);
    },

    async create(inputs: Record<string, unknown>) {
      const checked = validatedInputs(inputs);
      return withAwsContext(checked, session, async (context) => {
        const cluster = await waitForClusterAvailable(context, "before adopting it", true);
        assertClusterUsesKey(context, cluster);
        const keyState = await readKeyRotationState(context);
        assertAutomaticRotationOn(context, keyState);
        // Found, not re-keyed: the cluster was just created with (or already uses) this key.
        const outs: RotationOutputs = { ...checked, resolvedRegion: context.region, rotationCount: 0, ...keyState };
        return { id: checked.clusterIdentifier, outs: withoutUndefined(outs) };
      });
    },

    async update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
      const checked = validatedInputs(news);
      const recorded = olds as Partial<RotationOutputs>;
      return withAwsContext(checked, session, async (context) => {
        const reasons: string[] = [];
        if (recorded.kmsKeyId !== checked.kmsKeyId) reasons.push("kmsKeyId changed");
        if (!sameTriggers(recorded.triggers, checked.triggers)) reasons.push("triggers changed");
        const keyState = await readKeyRotationState(context);
        assertAutomaticRotationOn(context, keyState);
        if (checked.followKeyMaterialRotations && keyMaterialAdvanced(recorded, keyState)) reasons.push("KMS rotated the key material");
        const base = { ...checked, resolvedRegion: context.region, rotationCount: numberOr(recorded.rotationCount, 0) };
        if (reasons.length === 0) {
          // Settings changed, nothing to re-key: keep what the cluster's keys account for.
          const outs: RotationOutputs = {
            ...base,
            ...keyState,
            lastRotatedAt: recorded.lastRotatedAt,
            latestKeyMaterialRotationDate: recorded.latestKeyMaterialRotationDate,
            onDemandRotationStartDate: recorded.onDemandRotationStartDate,
          };
          return { outs: withoutUndefined(outs) };
        }
        const cluster = await waitForClusterAvailable(context, "before re-keying it", true, true);
        assertClusterUsesKey(context, cluster);
        await rekeyCluster(context, cluster);
        const outs: RotationOutputs = {
          ...base,
          ...keyState,
          rotationCount: base.rotationCount + 1,
          lastRotatedAt: new Date(tuning.clock.now()).toISOString(),
        };
        return { outs: withoutUndefined(outs) };
      });
    },

    async read(id: string, props: Record<string, unknown>) {
      const recorded = props as Partial<RotationOutputs>;
      const clusterIdentifier = typeof recorded.clusterIdentifier === "string" ? recorded.clusterIdentifier : id;
      const checked = validatedInputs({ ...props, clusterIdentifier });
      return withAwsContext(checked, session, async (context) => {
        const cluster = await retryTransient(context, "DescribeClusters", () => describeCluster(context, { missingIsUndefined: true }));
        // A cluster that no longer exists reads as gone: the engine drops the resource from the stack.
        if (cluster === "missing") return { id: "", props: {} };
        const refreshed: Partial<RotationOutputs> = { ...recorded, resolvedRegion: context.region };
        if (cluster.kmsKeyId) refreshed.kmsKeyId = cluster.kmsKeyId;
        try {
          const keyState = await readKeyRotationState({ ...context, inputs: { ...checked, kmsKeyId: refreshed.kmsKeyId ?? checked.kmsKeyId } });
          // latestKeyMaterialRotationDate and onDemandRotationStartDate say what the cluster's keys
          // account for; refresh must not move them, or a pending re-key would be forgotten.
          refreshed.keyRotationEnabled = keyState.keyRotationEnabled;
          refreshed.rotationPeriodInDays = keyState.rotationPeriodInDays;
          refreshed.nextRotationDate = keyState.nextRotationDate;
        } catch {
          // The key may be gone or unreadable; the cluster's own state is still worth reporting.
        }
        return { id: clusterIdentifier, props: withoutUndefined(refreshed) };
      });
    },

    async delete() {
      // Deliberately nothing: the resource only records re-keys; the cluster and key are not ours to delete.
    },
  };
}

/** The provider object RedshiftKeyRotation serializes into the state. */
export const redshiftKeyRotationProvider = createRedshiftKeyRotationProvider();

// ---------------------------------------------------------------------------------------------
// Inputs

function isUnknown(value: unknown): boolean {
  return (
    value === UNKNOWN_STRING_SENTINEL ||
    value === UNKNOWN_BOOLEAN_SENTINEL ||
    value === UNKNOWN_NUMBER_SENTINEL ||
    value === UNKNOWN_ARRAY_SENTINEL ||
    value === UNKNOWN_OBJECT_SENTINEL
  );
}

function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (value !== null && typeof value === "object") return Object.values(value).some((member) => containsUnknown(member));
  return false;
}

/** One CheckFailure per bad input, each naming the input, the value and what is allowed. Unknowns pass. */
export function inputProblems(news: Record<string, unknown>): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason: `RedshiftKeyRotation ${property}: ${reason}` });
  const known = (name: string) => news[name] !== undefined && news[name] !== null && !isUnknown(news[name]);

  if (!isUnknown(news.clusterIdentifier)) {
    const problem = clusterIdentifierProblem(news.clusterIdentifier);
    if (problem) fail("clusterIdentifier", problem);
  }
  if (!isUnknown(news.kmsKeyId)) {
    const problem = keyArnProblem(news.kmsKeyId);
    if (problem) fail("kmsKeyId", problem);
  }
  if (known("timeoutMinutes")) {
    const timeout = news.timeoutMinutes;
    if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0) {
      fail("timeoutMinutes", `got ${describeValue(timeout)}; expected a positive number of minutes (default ${DEFAULT_TIMEOUT_MINUTES})`);
    }
  }
  if (known("followKeyMaterialRotations") && typeof news.followKeyMaterialRotations !== "boolean") {
    fail("followKeyMaterialRotations", `got ${describeValue(news.followKeyMaterialRotations)}; expected true or false (default true)`);
  }
  if (known("triggers")) {
    const triggers = news.triggers;
    if (typeof triggers !== "object" || Array.isArray(triggers)) {
      fail("triggers", `got ${describeValue(triggers)}; expected a map of strings, numbers or booleans`);
    } else {
      for (const [name, value] of Object.entries(triggers as Record<string, unknown>)) {
        if (!isUnknown(value) && typeof value !== "string" && typeof value !== "boolean" && !(typeof value === "number" && Number.isFinite(value))) {
          fail("triggers", `entry ${JSON.stringify(name)} is ${describeValue(value)}; expected a string, a finite number or a boolean`);
        }
      }
    }
  }
  if (known("region") && (typeof news.region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(news.region))) {
    fail("region", `got ${describeValue(news.region)}; expected an AWS region name like us-east-1`);
  }
  if (known("profile") && (typeof news.profile !== "string" || news.profile.length === 0)) {
    fail("profile", `got ${describeValue(news.profile)}; expected the name of a profile in the AWS shared config`);
  }
  if (known("roleArn") && (typeof news.roleArn !== "string" || !ROLE_ARN_PATTERN.test(news.roleArn))) {
    fail("roleArn", `got ${describeValue(news.roleArn)}; expected an IAM role ARN like arn:aws:iam::111122223333:role/keyguard-rotation`);
  }
  for (const name of ["redshiftEndpoint", "kmsEndpoint"]) {
    if (!known(name)) continue;
    const problem = endpointProblem(news[name]);
    if (problem) fail(name, problem);
  }
  return failures;
}

/** Endpoints are stored in state in plain text: only http(s) URLs without user info or query are accepted. */
function endpointProblem(value: unknown): string | undefined {
  const allowed = "expected an http(s) URL like http://localhost:4566, without user name, password or query (it is stored in the state in plain text)";
  if (typeof value !== "string") return `got ${describeValue(value)}; ${allowed}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `got ${describeValue(value)}; ${allowed}`;
  }
  if (url.username || url.password) return `got a URL with credentials in it (not shown); ${allowed}`;
  if (url.search) return `got a URL with a query string (not shown, it may hold a token); ${allowed}`;
  if (url.protocol !== "http:" && url.protocol !== "https:") return `got ${describeValue(value)}; ${allowed}`;
  return undefined;
}

function withDefaults(news: Record<string, unknown>): Record<string, unknown> {
  return {
    ...news,
    followKeyMaterialRotations: news.followKeyMaterialRotations ?? true,
    timeoutMinutes: news.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES,
  };
}

/** Inputs for create/update/read: check ran already in the engine, but a bad value must still never reach AWS. */
function validatedInputs(raw: Record<string, unknown>): RotationInputs {
  const failures = inputProblems(raw);
  const unknown = Object.entries(raw).filter(([name, value]) => name !== "__provider" && containsUnknown(value));
  if (unknown.length > 0) failures.push({ property: unknown[0][0], reason: `RedshiftKeyRotation ${unknown[0][0]}: the value is still unknown` });
  if (failures.length > 0) throw new Error(failures.map((failure) => failure.reason).join("\n"));
  const inputs = withDefaults(raw);
  const optionalString = (name: string) => (typeof inputs[name] === "string" ? (inputs[name] as string) : undefined);
  return {
    clusterIdentifier: inputs.clusterIdentifier as string,
    kmsKeyId: inputs.kmsKeyId as string,
    region: optionalString("region"),
    triggers: inputs.triggers as RotationInputs["triggers"],
    followKeyMaterialRotations: inputs.followKeyMaterialRotations as boolean,
    timeoutMinutes: inputs.timeoutMinutes as number,
    profile: optionalString("profile"),
    roleArn: optionalString("roleArn"),
    redshiftEndpoint: optionalString("redshiftEndpoint"),
    kmsEndpoint: optionalString("kmsEndpoint"),
  };
}

// ---------------------------------------------------------------------------------------------
// Diff

const SETTINGS_THAT_UPDATE = ["region", "followKeyMaterialRotations", "timeoutMinutes", "profile", "roleArn", "redshiftEndpoint", "kmsEndpoint"];

async function diffRotation(olds: Record<string, unknown>, news: Record<string, unknown>, session: ProviderSession): Promise<pulumi.dynamic.DiffResult> {
  if (isUnknown(news.clusterIdentifier) || news.clusterIdentifier !== olds.clusterIdentifier) {
    return { changes: true, replaces: ["clusterIdentifier"], deleteBeforeReplace: false };
  }
  // A value unknown during preview is a pending change, never an error.
  if (Object.entries(news).some(([name, value]) => name !== "__provider" && containsUnknown(value))) return { changes: true };
  if (news.kmsKeyId !== olds.kmsKeyId || !sameTriggers(olds.triggers, news.triggers)) return { changes: true };
  const nextInputs = withDefaults(news);
  if (SETTINGS_THAT_UPDATE.some((name) => nextInputs[name] !== olds[name])) return { changes: true };
  if (nextInputs.followKeyMaterialRotations !== true || inputProblems(news).length > 0) return { changes: false };
  const checked = validatedInputs(news);
  const deadlineMinutes = Math.min(checked.timeoutMinutes, DIFF_TIMEOUT_MINUTES);
  return withAwsContext(checked, session, async (context) => {
    const keyState = await readKeyRotationState(context);
    return { changes: keyMaterialAdvanced(olds as Partial<RotationOutputs>, keyState) };
  }, deadlineMinutes);
}

function sameTriggers(a: unknown, b: unknown): boolean {
  const entries = (value: unknown) =>
    value && typeof value === "object" ? Object.entries(value as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)) : [];
  return JSON.stringify(entries(a)) === JSON.stringify(entries(b));
}

/** KMS rotated the material since the cluster was last re-keyed (or an on-demand rotation began). */
export function keyMaterialAdvanced(recorded: Partial<KeyRotationState>, current: KeyRotationState): boolean {
  if (current.latestKeyMaterialRotationDate) {
    if (!recorded.latestKeyMaterialRotationDate) return true;
    if (Date.parse(current.latestKeyMaterialRotationDate) > Date.parse(recorded.latestKeyMaterialRotationDate)) return true;
  }
  return current.onDemandRotationStartDate !== undefined && current.onDemandRotationStartDate !== recorded.onDemandRotationStartDate;
}

// ---------------------------------------------------------------------------------------------
// AWS calls

interface AwsContext {
  inputs: RotationInputs;
  clients: AwsClients;
  region: string;
  deadline: number;
  /** How long this call may take: timeoutMinutes, or less for a preview's diff. */
  deadlineMinutes: number;
  tuning: ProviderTuning;
}

interface ClusterSnapshot {
  status: string;
  encrypted: boolean;
  kmsKeyId: string | undefined;
  /** The cluster's account, from its ClusterNamespaceArn (arn:<partition>:redshift:<region>:<account>:namespace:<id>). */
  accountId: string | undefined;
}

type ClientCache = Record<string, AwsClients>;

interface ProviderSession {
  tuning: ProviderTuning;
  clientCache: ClientCache;
}

async function withAwsContext<T>(
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

function where(context: AwsContext): string {
  return `cluster ${JSON.stringify(context.inputs.clusterIdentifier)} in ${context.region}`;
}

/**
 * Node's timers hold at most 2^31 - 1 ms (24.8 days): AbortSignal.timeout fires after 1 ms beyond
 * that and throws a RangeError beyond 2^32 - 1, so a long timeoutMinutes would abort every call at
 * once. A call never needs a longer signal; the loops still enforce the full deadline themselves.
 */
const LONGEST_TIMER_MS = 2_147_483_647;

/** An abort signal that fires at the deadline, so no SDK call (retries included) outlives it. */
function deadlineSignal(context: AwsContext): AbortSignal {
  return AbortSignal.timeout(Math.min(LONGEST_TIMER_MS, Math.max(1, Math.ceil(context.deadline - context.tuning.clock.now()))));
}

function errorName(error: unknown): string {
  return error && typeof error === "object" && "name" in error ? String((error as { name: unknown }).name) : "";
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The Redshift wire code (ClusterNotFound, ...) of an SDK error, or undefined. */
function redshiftErrorCode(error: unknown): string | undefined {
  const name = errorName(error);
  for (const [code, fact] of Object.entries(REDSHIFT_ERRORS)) {
    if (fact.sdkName === name || code === name) return code;
  }
  return undefined;
}

/** Errors worth another try after a pause: throttling, 5xx, timeouts, dropped connections, retryable faults. */
function isTransient(error: unknown): boolean {
  const name = errorName(error);
  const code = redshiftErrorCode(error);
  if (code && code !== "InvalidClusterState") return REDSHIFT_ERRORS[code as keyof typeof REDSHIFT_ERRORS].retryable;
  if (name in KMS_ERRORS) return KMS_ERRORS[name as keyof typeof KMS_ERRORS].retryable;
  if (/throttl|TooManyRequests|RequestLimitExceeded|SlowDown|TimeoutError|RequestTimeout|ServiceUnavailable|InternalFailure/i.test(name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (typeof status === "number" && status >= 500) return true;
  const networkCode = (error as { code?: unknown } | undefined)?.code;
  if (typeof networkCode === "string" && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ECONNABORTED|EAI_AGAIN)$/.test(networkCode)) return true;
  return /socket hang up|ECONNRESET|timed? ?out/i.test(errorMessage(error));
}

function timedOut(context: AwsContext, what: string): Error {
  return deadlineExceeded(
    `RedshiftKeyRotation ${where(context)}: timed out after ${context.deadlineMinutes} minute(s) (${
      context.deadlineMinutes < context.inputs.timeoutMinutes ? `a preview's diff waits at most ${DIFF_TIMEOUT_MINUTES}` : "timeoutMinutes"
    }) ${what}`,
  );
}

/**
 * The provider's own retries (after the SDK's quick ones gave up, or for RotateEncryptionKey, which
 * the SDK never retries) wait on the poll schedule's scale: capped exponential backoff with full
 * jitter from initialDelayMs up to maxDelayMs (1 s .. 30 s in production).
 */
function providerRetryDelay(context: AwsContext, attempt: number): number {
  const { poll } = context.tuning;
  return cappedExponentialBackoffWithJitter(attempt, poll.initialDelayMs, poll.maxDelayMs);
}

/** Runs a call; transient failures are retried with capped exponential backoff and jitter until the deadline. */
async function retryTransient<T>(context: AwsContext, what: string, call: () => Promise<T>): Promise<T> {
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

async function describeCluster(context: AwsContext, options: { missingIsUndefined?: boolean } = {}): Promise<ClusterSnapshot | "missing"> {
  const { DescribeClustersCommand } = require("@aws-sdk/client-redshift") as typeof import("@aws-sdk/client-redshift");
  let response: import("@aws-sdk/client-redshift").DescribeClustersCommandOutput;
  try {
    response = await context.clients.redshift.send(new DescribeClustersCommand({ ClusterIdentifier: context.inputs.clusterIdentifier }), {
      abortSignal: deadlineSignal(context),
    });
  } catch (error) {
    if (redshiftErrorCode(error) === "ClusterNotFound") {
      if (options.missingIsUndefined) return "missing";
      throw clusterNotFound(context);
    }
    // Transient failures and the deadline's abort go back to the caller's retry or poll loop.
    if (isTransient(error) || errorName(error) === "AbortError" || errorName(error) === "DeadlineExceededError") throw error;
    throw new Error(`RedshiftKeyRotation ${where(context)}: Redshift DescribeClusters failed with ${errorName(error) || "an error"}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  const cluster = response.Clusters?.find((candidate) => candidate.ClusterIdentifier === context.inputs.clusterIdentifier);
  if (!cluster) {
    if (options.missingIsUndefined) return "missing";
    throw clusterNotFound(context);
  }
  return {
    status: cluster.ClusterStatus ?? "unknown",
    encrypted: cluster.Encrypted === true,
    kmsKeyId: cluster.KmsKeyId,
    accountId: cluster.ClusterNamespaceArn?.split(":")[4] || undefined,
  };
}

function clusterNotFound(context: AwsContext): Error {
  return new Error(
    `RedshiftKeyRotation ${where(context)}: the cluster was not found (Redshift ClusterNotFound). Check clusterIdentifier, region and the account the credentials belong to.`,
  );
}

/**
 * Polls DescribeClusters until the cluster is available (or, with acceptRotating, rotating keys).
 * Transient failures are polled through; a status that never returns to available on its own fails.
 */
async function waitForClusterAvailable(context: AwsContext, purpose: string, pollImmediately: boolean, acceptRotating = false): Promise<ClusterSnapshot> {
  return pollUntil<ClusterSnapshot>({
    poll: async () => {
      try {
        return (await describeCluster(context)) as ClusterSnapshot;
      } catch (error) {
        if (errorName(error) === "AbortError") return undefined;
        if (isTransient(error)) return undefined;
        throw error;
      }
    },
    isDone: (cluster) => cluster.status === CLUSTER_STATUS.available || (acceptRotating && cluster.status === CLUSTER_STATUS.rotatingKeys),
    failure: (cluster) =>
      TRANSITIONAL_STATUSES.includes(cluster.status)
        ? undefined
        : new Error(`RedshiftKeyRotation ${where(context)}: the cluster is ${JSON.stringify(cluster.status)}, which does not return to available on its own; nothing was done`),
    deadline: context.deadline,
    schedule: context.tuning.poll,
    clock: context.tuning.clock,
    pollImmediately,
    describeTimeout: (last) =>
      `RedshiftKeyRotation ${where(context)}: timed out after ${context.inputs.timeoutMinutes} minute(s) (timeoutMinutes) ` +
      (last?.status === CLUSTER_STATUS.rotatingKeys
        ? `waiting for the cluster to finish rotating its keys (${purpose}); it was still rotating-keys. The rotation may still finish, but this update does not record it: run pulumi up again and it waits for the running rotation instead of starting another.`
        : `waiting for the cluster to become available ${purpose}; last status: ${last ? last.status : "unknown (DescribeClusters did not answer)"}`),
  });
}

function assertClusterUsesKey(context: AwsContext, cluster: ClusterSnapshot): void {
  if (!cluster.encrypted) {
    throw new Error(`RedshiftKeyRotation ${where(context)}: the cluster is not encrypted; RotateEncryptionKey needs an encrypted cluster (set encrypted and kmsKeyId on it)`);
  }
  const keyId = (reference: string) => reference.split("/").pop();
  if (!cluster.kmsKeyId || (cluster.kmsKeyId !== context.inputs.kmsKeyId && keyId(cluster.kmsKeyId) !== keyId(context.inputs.kmsKeyId))) {
    throw new Error(
      `RedshiftKeyRotation ${where(context)}: the cluster is encrypted with ${JSON.stringify(cluster.kmsKeyId ?? "an unnamed key")}, not kmsKeyId ${JSON.stringify(context.inputs.kmsKeyId)}`,
    );
  }
}

/**
 * Re-keys the cluster exactly once and returns only when it is available again. `firstLook` is a
 * DescribeClusters answer (available or rotating-keys) taken just before.
 *
 * Before every RotateEncryptionKey it looks at the cluster: one already rotating-keys (a request
 * whose response was lost, an interrupted `pulumi up`, or anyone else's) is waited for instead of
 * being doubled. RotateEncryptionKey itself is never retried by the SDK for the same reason.
 */
async function rekeyCluster(context: AwsContext, firstLook: ClusterSnapshot): Promise<void> {
  const { RotateEncryptionKeyCommand } = require("@aws-sdk/client-redshift") as typeof import("@aws-sdk/client-redshift");
  const { clock } = context.tuning;
  for (let attempt = 0; ; attempt += 1) {
    const cluster = attempt === 0 ? firstLook : await waitForClusterAvailable(context, "before re-keying it", true, true);
    if (cluster.status === CLUSTER_STATUS.rotatingKeys) {
      await waitForClusterAvailable(context, "after its rotation", false);
      return;
    }
    try {
      await context.clients.redshiftSingleAttempt().send(new RotateEncryptionKeyCommand({ ClusterIdentifier: context.inputs.clusterIdentifier }), {
        abortSignal: deadlineSignal(context),
      });
    } catch (error) {
      if (clock.now() >= context.deadline || errorName(error) === "AbortError") {
        throw timedOut(context, `calling RotateEncryptionKey; the rotation may or may not have started and is not recorded: run pulumi up again to wait for it`);
      }
      const code = redshiftErrorCode(error);
      if (code === "ClusterNotFound") throw clusterNotFound(context);
      // InvalidClusterState: the cluster is busy (maybe already rotating); look again, then wait or retry.
      if (code === "InvalidClusterState" || isTransient(error)) {
        await clock.sleep(Math.min(context.deadline - clock.now(), providerRetryDelay(context, attempt)));
        continue;
      }
      throw new Error(`RedshiftKeyRotation ${where(context)}: RotateEncryptionKey failed with ${errorName(error) || "an error"}: ${errorMessage(error)}`, { cause: error });
    }
    await waitForClusterAvailable(context, "after its rotation", false);
    return;
  }
}

const KMS_ERROR_HINTS: Record<string, string> = {
  NotFoundException: "the key does not exist in this account and region",
  InvalidArnException: "kmsKeyId is not a valid KMS key ARN",
  KMSInvalidStateException: "the key is disabled, pending deletion or pending import; a key in that state does not rotate",
  UnsupportedOperationException:
    "automatic rotation exists only for symmetric encryption keys with KMS-generated material (not asymmetric, HMAC, imported-material or custom key store keys)",
  AccessDeniedException: "the credentials may not read the key's rotation; see the IAM section of the README",
};

async function readKeyRotationState(context: AwsContext): Promise<KeyRotationState> {
  const { GetKeyRotationStatusCommand, ListKeyRotationsCommand } = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
  const keyId = context.inputs.kmsKeyId;
  const kmsCall = async <T>(action: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await retryTransient(context, `KMS ${action}`, call);
    } catch (error) {
      const name = errorName(error);
      if (name === "DeadlineExceededError") throw error;
      const hint = KMS_ERROR_HINTS[name] ?? "see the message";
      throw new Error(`RedshiftKeyRotation ${where(context)}: KMS ${action} for key ${JSON.stringify(keyId)} failed with ${name || "an error"}: ${hint} (${errorMessage(error)})`, { cause: error });
    }
  };
  const status = await kmsCall("GetKeyRotationStatus", () =>
    context.clients.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }), { abortSignal: deadlineSignal(context) }),
  );
  let newest: Date | undefined;
  let marker: string | undefined;
  try {
    do {
      const page = await kmsCall("ListKeyRotations", () =>
        context.clients.kms.send(new ListKeyRotationsCommand({ KeyId: keyId, ...(marker ? { Marker: marker } : {}) }), { abortSignal: deadlineSignal(context) }),
      );
      for (const rotation of page.Rotations ?? []) {
        if (rotation.RotationDate && (!newest || rotation.RotationDate > newest)) newest = rotation.RotationDate;
      }
      marker = page.Truncated ? page.NextMarker : undefined;
    } while (marker);
  } catch (error) {
    // GetKeyRotationStatus has just answered for this key ARN, so the key exists and may be read:
    // ListKeyRotations refusing a key of another account than the cluster's (bring your own key
    // from a security account) is KMS's rule ("Cross-account use: No"), not a fault.
    // GetKeyRotationStatus does: the last automatic rotation is one period before NextRotationDate
    // (on-demand rotations do not move that schedule), and it moves only when KMS rotates.
    // With rotation off there is no schedule, and the caller reports that instead.
    // A refusal for a key of the cluster's own account stays the final error it is.
    const refusal = errorName((error as { cause?: unknown }).cause);
    if (refusal !== "NotFoundException" && refusal !== "AccessDeniedException") throw error;
    const keyAccount = keyId.split(":")[4];
    const cluster = (await retryTransient(context, "DescribeClusters", () => describeCluster(context))) as ClusterSnapshot;
    if (!cluster.accountId || cluster.accountId === keyAccount) throw error;
    newest = lastScheduledRotation(status);
    if (!newest && status.KeyRotationEnabled === true) throw error;
  }
  return {
    keyRotationEnabled: status.KeyRotationEnabled === true,
    rotationPeriodInDays: status.RotationPeriodInDays,
    nextRotationDate: status.NextRotationDate?.toISOString(),
    onDemandRotationStartDate: status.OnDemandRotationStartDate?.toISOString(),
    latestKeyMaterialRotationDate: newest?.toISOString(),
  };
}

/** The start of the current automatic-rotation period (NextRotationDate - RotationPeriodInDays), or undefined. */
function lastScheduledRotation(status: { NextRotationDate?: Date; RotationPeriodInDays?: number }): Date | undefined {
  if (!status.NextRotationDate || typeof status.RotationPeriodInDays !== "number") return undefined;
  return new Date(status.NextRotationDate.getTime() - status.RotationPeriodInDays * 86_400_000);
}

function assertAutomaticRotationOn(context: AwsContext, keyState: KeyRotationState): void {
  if (!keyState.keyRotationEnabled) {
    throw new Error(
      `RedshiftKeyRotation ${where(context)}: automatic rotation is off for key ${JSON.stringify(context.inputs.kmsKeyId)} (GetKeyRotationStatus KeyRotationEnabled=false); turn it on (aws.kms.Key enableKeyRotation: true)`,
    );
  }
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/** Outputs go through protobuf Structs, which have no undefined. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;
}
