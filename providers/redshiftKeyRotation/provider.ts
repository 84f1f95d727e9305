/**
 * The dynamic provider behind RedshiftKeyRotation: its resource operations (check, diff, create,
 * update, read, delete). The work they share lives beside it: inputs.ts (checks and defaults),
 * context.ts (clients, region, deadline, retry), errors.ts (what an SDK error means), cluster.ts
 * (find, wait, re-key), keyRotation.ts (the KMS reads), clients.ts and waiter.ts.
 *
 * Pulumi serializes this object (and, by value, everything it reaches: those modules and the facts
 * they read) into the stack's state; `@pulumi/pulumi/cmd/dynamic-provider` runs it in another
 * process, which resolves a relative require from its own location. So: local modules travel by
 * value (never `require("./...")` inside a function), SDKs are required inside functions, no
 * client or credential is captured, and every value reachable from here is plain data or a plain
 * function (no Set, no class).
 *
 * The one promise it keeps above all: the state never records a rotation that did not finish.
 * `rotationCount` and `lastRotatedAt` change only in the outputs of an update that saw the cluster
 * go back to `available` after its rotation; any failure leaves the previous state untouched.
 */
import type * as pulumi from "@pulumi/pulumi";
import { assertClusterUsesKey, findCluster, rekeyCluster, waitForClusterAvailable } from "./cluster";
import {
  type ClientCache,
  DEFAULT_TUNING,
  DIFF_TIMEOUT_MINUTES,
  type ProviderSession,
  type ProviderTuning,
  retryTransient,
  withAwsContext,
} from "./context";
import { isUnknown } from "../../facts";
import { type RotationInputs, containsUnknown, inputProblems, validatedInputs, withDefaults } from "./inputs";
import {
  type KeyRotationState,
  assertAutomaticRotationOn,
  keyMaterialAdvanced,
  readKeyRotationState,
} from "./keyRotation";

// What tests and the bench build a provider with.
export { DEFAULT_TUNING, DIFF_TIMEOUT_MINUTES, type ProviderTuning } from "./context";

export interface RotationOutputs extends RotationInputs, KeyRotationState {
  /** The region the calls went to: the region input, or the SDK's default (AWS_REGION, the profile's). */
  resolvedRegion: string;
  rotationCount: number;
  lastRotatedAt?: string;
}

export function createRedshiftKeyRotationProvider(
  tuning: ProviderTuning = DEFAULT_TUNING,
): pulumi.dynamic.ResourceProvider {
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
        const cluster = await waitForClusterAvailable(context, "before adopting it", { pollImmediately: true });
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
        if (checked.followKeyMaterialRotations && keyMaterialAdvanced(recorded, keyState))
          reasons.push("KMS rotated the key material");
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
        const cluster = await waitForClusterAvailable(context, "before re-keying it", {
          pollImmediately: true,
          acceptRotatingKeys: true,
        });
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
        const cluster = await retryTransient(context, "DescribeClusters", () => findCluster(context));
        // A cluster that no longer exists reads as gone: the engine drops the resource from the stack.
        if (!cluster) return { id: "", props: {} };
        const refreshed: Partial<RotationOutputs> = { ...recorded, resolvedRegion: context.region };
        if (cluster.kmsKeyId) refreshed.kmsKeyId = cluster.kmsKeyId;
        try {
          const keyState = await readKeyRotationState({
            ...context,
            inputs: { ...checked, kmsKeyId: refreshed.kmsKeyId ?? checked.kmsKeyId },
          });
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
// Diff

const SETTINGS_THAT_UPDATE = [
  "region",
  "followKeyMaterialRotations",
  "timeoutMinutes",
  "profile",
  "roleArn",
  "redshiftEndpoint",
  "kmsEndpoint",
];

async function diffRotation(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  session: ProviderSession,
): Promise<pulumi.dynamic.DiffResult> {
  if (isUnknown(news.clusterIdentifier) || news.clusterIdentifier !== olds.clusterIdentifier) {
    return { changes: true, replaces: ["clusterIdentifier"], deleteBeforeReplace: false };
  }
  // A value unknown during preview is a pending change, never an error.
  if (Object.entries(news).some(([name, value]) => name !== "__provider" && containsUnknown(value)))
    return { changes: true };
  if (news.kmsKeyId !== olds.kmsKeyId || !sameTriggers(olds.triggers, news.triggers)) return { changes: true };
  const nextInputs = withDefaults(news);
  if (SETTINGS_THAT_UPDATE.some((name) => nextInputs[name] !== olds[name])) return { changes: true };
  if (nextInputs.followKeyMaterialRotations !== true || inputProblems(news).length > 0) return { changes: false };
  const checked = validatedInputs(news);
  const deadlineMinutes = Math.min(checked.timeoutMinutes, DIFF_TIMEOUT_MINUTES);
  return withAwsContext(
    checked,
    session,
    async (context) => {
      const keyState = await readKeyRotationState(context);
      return { changes: keyMaterialAdvanced(olds as Partial<RotationOutputs>, keyState) };
    },
    deadlineMinutes,
  );
}

function sameTriggers(a: unknown, b: unknown): boolean {
  const entries = (value: unknown) =>
    value && typeof value === "object"
      ? Object.entries(value as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      : [];
  return JSON.stringify(entries(a)) === JSON.stringify(entries(b));
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/** Outputs go through protobuf Structs, which have no undefined. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;
}
