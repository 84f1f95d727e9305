/**
 * The key's rotation as KMS reports it (GetKeyRotationStatus, ListKeyRotations), and whether its
 * material moved since the cluster was last re-keyed.
 *
 * Serialized by value with the provider (see provider.ts): SDKs are required inside functions,
 * plain data and plain functions only.
 */
import { describeCluster } from "./cluster";
import { type AwsContext, deadlineSignal, retryTransient, where } from "./context";
import { KMS_ERROR_HINTS, parseArn } from "../../facts";
import { errorMessage, errorName } from "./errors";

/** What KMS said about the key's rotation. Dates are ISO 8601. */
export interface KeyRotationState {
  keyRotationEnabled: boolean;
  rotationPeriodInDays?: number;
  nextRotationDate?: string;
  onDemandRotationStartDate?: string;
  latestKeyMaterialRotationDate?: string;
}

/** KMS rotated the material since the cluster was last re-keyed (or an on-demand rotation began). */
export function keyMaterialAdvanced(recorded: Partial<KeyRotationState>, current: KeyRotationState): boolean {
  if (current.latestKeyMaterialRotationDate) {
    if (!recorded.latestKeyMaterialRotationDate) return true;
    if (Date.parse(current.latestKeyMaterialRotationDate) > Date.parse(recorded.latestKeyMaterialRotationDate))
      return true;
  }
  return (
    current.onDemandRotationStartDate !== undefined &&
    current.onDemandRotationStartDate !== recorded.onDemandRotationStartDate
  );
}

export async function readKeyRotationState(context: AwsContext): Promise<KeyRotationState> {
  const { GetKeyRotationStatusCommand, ListKeyRotationsCommand } =
    require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
  const keyId = context.inputs.kmsKeyId;
  const kmsCall = async <T>(action: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await retryTransient(context, `KMS ${action}`, call);
    } catch (error) {
      const name = errorName(error);
      if (name === "DeadlineExceededError") throw error;
      const hint = KMS_ERROR_HINTS[name] ?? "see the message";
      throw new Error(
        `RedshiftKeyRotation ${where(context)}: KMS ${action} for key ${JSON.stringify(keyId)} failed with ${name || "an error"}: ${hint} (${errorMessage(error)})`,
        { cause: error },
      );
    }
  };
  const status = await kmsCall("GetKeyRotationStatus", () =>
    context.clients.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }), {
      abortSignal: deadlineSignal(context),
    }),
  );
  let newest: Date | undefined;
  let marker: string | undefined;
  try {
    do {
      const page = await kmsCall("ListKeyRotations", () =>
        context.clients.kms.send(new ListKeyRotationsCommand({ KeyId: keyId, ...(marker ? { Marker: marker } : {}) }), {
          abortSignal: deadlineSignal(context),
        }),
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
    const keyAccount = parseArn(keyId)?.accountId;
    const cluster = await retryTransient(context, "DescribeClusters", () => describeCluster(context));
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

export function assertAutomaticRotationOn(context: AwsContext, keyState: KeyRotationState): void {
  if (!keyState.keyRotationEnabled) {
    throw new Error(
      `RedshiftKeyRotation ${where(context)}: automatic rotation is off for key ${JSON.stringify(context.inputs.kmsKeyId)} (GetKeyRotationStatus KeyRotationEnabled=false); turn it on (aws.kms.Key enableKeyRotation: true)`,
    );
  }
}
