/**
 * Asking KMS whether a key outside the stack rotates (redshift-cluster-external-key with
 * `verifyExternalKeysLive`): GetKeyRotationStatus through the AWS SDK v3, one client per region,
 * every call bounded so an endpoint that never answers cannot hang the preview.
 */
import { ALIAS_ARN_PATTERN, describeValue } from "../facts";

/** What KMS said about a key's rotation, or why asking failed. */
export type LiveRotationStatus =
  | { kind: "status"; keyRotationEnabled: boolean; rotationPeriodInDays?: number }
  | { kind: "failed"; problem: string };

/** Asks KMS GetKeyRotationStatus about one key (AWS SDK v3, required lazily so the pack starts fast). */
export type RotationStatusLookup = (keyReference: string) => Promise<LiveRotationStatus>;

/**
 * The default lookup: one KMS client per region (the ARN's region, else the SDK's default chain),
 * honouring the SDK's standard environment (credentials, AWS_REGION, AWS_ENDPOINT_URL_KMS).
 */
export function kmsRotationStatusLookup(): RotationStatusLookup {
  const clients = new Map<string, { send(command: unknown): Promise<Record<string, unknown>> }>();
  return async (keyReference) => {
    const arnRegion = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(keyReference)?.[1];
    try {
      const { KMSClient, GetKeyRotationStatusCommand } = require("@aws-sdk/client-kms");
      const cacheKey = arnRegion ?? "(default)";
      let client = clients.get(cacheKey);
      if (!client) {
        client = new KMSClient({
          ...(arnRegion ? { region: arnRegion } : {}),
          maxAttempts: 3,
          // throwOnRequestTimeout: without it the SDK only warns, and an answer that never comes hangs the preview.
          requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000, throwOnRequestTimeout: true },
        }) as { send(command: unknown): Promise<Record<string, unknown>> };
        clients.set(cacheKey, client);
      }
      const response = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyReference }));
      return {
        kind: "status",
        keyRotationEnabled: response.KeyRotationEnabled === true,
        rotationPeriodInDays: typeof response.RotationPeriodInDays === "number" ? response.RotationPeriodInDays : undefined,
      };
    } catch (error) {
      const err = error as { name?: string; message?: string };
      return { kind: "failed", problem: `${err?.name ?? "Error"}: ${err?.message ?? String(error)}` };
    }
  };
}

/**
 * The status of each distinct key reference, each asked about once, in parallel. An alias cannot be
 * asked about (GetKeyRotationStatus takes a key id or key ARN): its status is a failure saying so.
 */
export async function askEachKeyOnce(references: readonly string[], lookup: RotationStatusLookup): Promise<Map<string, LiveRotationStatus>> {
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
