/**
 * The cluster: find it (DescribeClusters), wait for it to be available, check it uses the key, and
 * re-key it (RotateEncryptionKey) exactly once.
 *
 * Serialized by value with the provider (see provider.ts): SDKs are required inside functions,
 * plain data and plain functions only.
 */
import { CLUSTER_STATUS, TRANSITIONAL_CLUSTER_STATUSES, keyIdOf, parseArn } from "../../facts";
import { type AwsContext, deadlineSignal, providerRetryDelay, timedOut, where } from "./context";
import { errorMessage, errorName, isTransient, redshiftErrorCode } from "./errors";
import { pollUntil } from "./waiter";

/**
 * Pulumi's closure serializer cannot carry a Set (it rebuilds an empty, broken one), so the fact's
 * Set is copied into an array when this module loads, and the array is what gets serialized.
 */
const TRANSITIONAL_STATUSES: readonly string[] = [...TRANSITIONAL_CLUSTER_STATUSES];

export interface ClusterSnapshot {
  status: string;
  encrypted: boolean;
  kmsKeyId: string | undefined;
  /** The cluster's account, from its ClusterNamespaceArn (arn:<partition>:redshift:<region>:<account>:namespace:<id>). */
  accountId: string | undefined;
}

/** The cluster as Redshift describes it; an error naming the cluster when it does not exist. */
export async function describeCluster(context: AwsContext): Promise<ClusterSnapshot> {
  const cluster = await findCluster(context);
  if (!cluster) throw clusterNotFound(context);
  return cluster;
}

/**
 * The cluster as Redshift describes it, or undefined when it does not exist (Redshift's
 * ClusterNotFound, or an answer without it): for read, where a deleted cluster is news, not a fault.
 */
export async function findCluster(context: AwsContext): Promise<ClusterSnapshot | undefined> {
  const { DescribeClustersCommand } = require("@aws-sdk/client-redshift") as typeof import("@aws-sdk/client-redshift");
  let response: import("@aws-sdk/client-redshift").DescribeClustersCommandOutput;
  try {
    response = await context.clients.redshift.send(
      new DescribeClustersCommand({ ClusterIdentifier: context.inputs.clusterIdentifier }),
      {
        abortSignal: deadlineSignal(context),
      },
    );
  } catch (error) {
    if (redshiftErrorCode(error) === "ClusterNotFound") return undefined;
    // Transient failures and the deadline's abort go back to the caller's retry or poll loop.
    if (isTransient(error) || errorName(error) === "AbortError" || errorName(error) === "DeadlineExceededError")
      throw error;
    throw new Error(
      `RedshiftKeyRotation ${where(context)}: Redshift DescribeClusters failed with ${errorName(error) || "an error"}: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  const cluster = response.Clusters?.find(
    (candidate) => candidate.ClusterIdentifier === context.inputs.clusterIdentifier,
  );
  if (!cluster) return undefined;
  return {
    status: cluster.ClusterStatus ?? "unknown",
    encrypted: cluster.Encrypted === true,
    kmsKeyId: cluster.KmsKeyId,
    accountId: parseArn(cluster.ClusterNamespaceArn)?.accountId || undefined,
  };
}

function clusterNotFound(context: AwsContext): Error {
  return new Error(
    `RedshiftKeyRotation ${where(context)}: the cluster was not found (Redshift ClusterNotFound). Check clusterIdentifier, region and the account the credentials belong to.`,
  );
}

/** How waitForClusterAvailable waits. */
export interface ClusterWaitOptions {
  /** Look at the cluster at once, before the first delay (the caller has not looked yet). Default: false (the caller has just acted). */
  pollImmediately?: boolean;
  /** Stop at rotating-keys too: the caller then waits for a rotation already under way instead of starting one. Default: false. */
  acceptRotatingKeys?: boolean;
}

/**
 * Polls DescribeClusters until the cluster is available (or, with acceptRotatingKeys, rotating keys).
 * Transient failures are polled through; a status that never returns to available on its own fails.
 * `purpose` ("before re-keying it") completes the timeout message.
 */
export async function waitForClusterAvailable(
  context: AwsContext,
  purpose: string,
  { pollImmediately = false, acceptRotatingKeys = false }: ClusterWaitOptions = {},
): Promise<ClusterSnapshot> {
  return pollUntil<ClusterSnapshot>({
    poll: async () => {
      try {
        return await describeCluster(context);
      } catch (error) {
        if (errorName(error) === "AbortError") return undefined;
        if (isTransient(error)) return undefined;
        throw error;
      }
    },
    isDone: (cluster) =>
      cluster.status === CLUSTER_STATUS.available ||
      (acceptRotatingKeys && cluster.status === CLUSTER_STATUS.rotatingKeys),
    failure: (cluster) =>
      TRANSITIONAL_STATUSES.includes(cluster.status)
        ? undefined
        : new Error(
            `RedshiftKeyRotation ${where(context)}: the cluster is ${JSON.stringify(cluster.status)}, which does not return to available on its own; nothing was done`,
          ),
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

export function assertClusterUsesKey(context: AwsContext, cluster: ClusterSnapshot): void {
  if (!cluster.encrypted) {
    throw new Error(
      `RedshiftKeyRotation ${where(context)}: the cluster is not encrypted; RotateEncryptionKey needs an encrypted cluster (set encrypted and kmsKeyId on it)`,
    );
  }
  if (
    !cluster.kmsKeyId ||
    (cluster.kmsKeyId !== context.inputs.kmsKeyId && keyIdOf(cluster.kmsKeyId) !== keyIdOf(context.inputs.kmsKeyId))
  ) {
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
export async function rekeyCluster(context: AwsContext, firstLook: ClusterSnapshot): Promise<void> {
  const { RotateEncryptionKeyCommand } =
    require("@aws-sdk/client-redshift") as typeof import("@aws-sdk/client-redshift");
  const { clock } = context.tuning;
  for (let attempt = 0; ; attempt += 1) {
    const cluster =
      attempt === 0
        ? firstLook
        : await waitForClusterAvailable(context, "before re-keying it", {
            pollImmediately: true,
            acceptRotatingKeys: true,
          });
    if (cluster.status === CLUSTER_STATUS.rotatingKeys) {
      await waitForClusterAvailable(context, "after its rotation");
      return;
    }
    try {
      await context.clients
        .redshiftSingleAttempt()
        .send(new RotateEncryptionKeyCommand({ ClusterIdentifier: context.inputs.clusterIdentifier }), {
          abortSignal: deadlineSignal(context),
        });
    } catch (error) {
      if (clock.now() >= context.deadline || errorName(error) === "AbortError") {
        throw timedOut(
          context,
          `calling RotateEncryptionKey; the rotation may or may not have started and is not recorded: run pulumi up again to wait for it`,
        );
      }
      const code = redshiftErrorCode(error);
      if (code === "ClusterNotFound") throw clusterNotFound(context);
      // InvalidClusterState: the cluster is busy (maybe already rotating); look again, then wait or retry.
      if (code === "InvalidClusterState" || isTransient(error)) {
        await clock.sleep(Math.min(context.deadline - clock.now(), providerRetryDelay(context, attempt)));
        continue;
      }
      throw new Error(
        `RedshiftKeyRotation ${where(context)}: RotateEncryptionKey failed with ${errorName(error) || "an error"}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    await waitForClusterAvailable(context, "after its rotation");
    return;
  }
}
