/**
 * Asking KMS whether a key outside the stack rotates (redshift-cluster-external-key with
 * `verifyExternalKeysLive`): GetKeyRotationStatus through the AWS SDK v3, one client per region,
 * every call bounded so an endpoint that never answers cannot hang the preview.
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import { ALIAS_ARN_PATTERN, parseArn } from "../facts";
import { clientsByRegion, createBoundedKmsClient } from "../aws/boundedClients";
import { describeError, describeValue } from "../messages/describe";

/** What KMS said about a key's rotation, or why asking failed. */
export type LiveRotationStatus =
  { kind: "status"; keyRotationEnabled: boolean; rotationPeriodInDays?: number } | { kind: "failed"; problem: string };

/** Asks KMS GetKeyRotationStatus about one key (AWS SDK v3, required lazily so the pack starts fast). */
export type RotationStatusLookup = (keyReference: string) => Promise<LiveRotationStatus>;

/**
 * The default lookup: one KMS client per region (the ARN's region, else the SDK's default chain),
 * honouring the SDK's standard environment (credentials, AWS_REGION, AWS_ENDPOINT_URL_KMS).
 */
export function kmsRotationStatusLookup(): RotationStatusLookup {
  const clients = clientsByRegion<KMSClient>((region) =>
    createBoundedKmsClient(
      { connectionTimeoutMs: 5_000, requestTimeoutMs: 15_000 },
      { ...(region ? { region } : {}), maxAttempts: 3 },
    ),
  );
  return async (keyReference) => {
    const arn = parseArn(keyReference);
    const arnRegion = arn?.service === "kms" ? arn.region || undefined : undefined;
    try {
      const { GetKeyRotationStatusCommand } = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
      const response = await clients.get(arnRegion).send(new GetKeyRotationStatusCommand({ KeyId: keyReference }));
      return {
        kind: "status",
        keyRotationEnabled: response.KeyRotationEnabled === true,
        rotationPeriodInDays:
          typeof response.RotationPeriodInDays === "number" ? response.RotationPeriodInDays : undefined,
      };
    } catch (error) {
      return { kind: "failed", problem: describeError(error) };
    }
  };
}

/**
 * The status of each distinct key reference, each asked about once, in parallel. An alias cannot be
 * asked about (GetKeyRotationStatus takes a key id or key ARN): its status is a failure saying so.
 */
export async function askEachKeyOnce(
  references: readonly string[],
  lookup: RotationStatusLookup,
): Promise<Map<string, LiveRotationStatus>> {
  const statuses = new Map<string, LiveRotationStatus>();
  await Promise.all(
    [...new Set(references)].map(async (reference) => {
      if (reference.startsWith("alias/") || ALIAS_ARN_PATTERN.test(reference)) {
        statuses.set(reference, {
          kind: "failed",
          problem: `cannot be asked about an alias (${describeValue(reference)}): it takes a key id or key ARN; reference the key by its ARN or trust it in trustedKeyArns`,
        });
        return;
      }
      statuses.set(reference, await lookup(reference));
    }),
  );
  return statuses;
}
