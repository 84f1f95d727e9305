/**
 * AWS SDK v3 clients for the RedshiftKeyRotation provider.
 *
 * This module is serialized by value into the stack's state with the provider (Pulumi's closure
 * serializer captures local modules by value), so it only holds functions and plain data: the SDK
 * packages are required inside the functions, where the dynamic-provider host resolves them, and
 * no client or credential is ever created at module level.
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import type { RedshiftClient } from "@aws-sdk/client-redshift";
import { type RequestBounds, createBoundedKmsClient, createBoundedRedshiftClient } from "../../aws/boundedClients";

/** Where and as whom the provider calls AWS. Nothing here is a secret: it is stored in state. */
export interface AwsClientSettings {
  region?: string;
  profile?: string;
  roleArn?: string;
  redshiftEndpoint?: string;
  kmsEndpoint?: string;
}

/**
 * The SDK's retry and timeout knobs (tests shrink them; production uses DEFAULT_RETRY_SETTINGS). A
 * response that has not come after requestTimeoutMs is abandoned (TimeoutError, retried).
 */
export interface RetrySettings extends RequestBounds {
  /** Attempts per SDK call for reads (DescribeClusters, GetKeyRotationStatus, ListKeyRotations). */
  maxAttempts: number;
  /** Capped exponential backoff with full jitter: random(0, min(maxDelayMs, baseDelayMs * 2^attempt)). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_SETTINGS: RetrySettings = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 20_000,
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 5_000,
};

/** "Full jitter" from the AWS Architecture Blog's backoff study, which the SDK's own strategy also uses. */
export function cappedExponentialBackoffWithJitter(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt));
}

export interface AwsClients {
  /** Reads: SDK retries with capped exponential backoff and jitter. */
  redshift: RedshiftClient;
  /**
   * RotateEncryptionKey only: no SDK retries. A retried RotateEncryptionKey whose first response was
   * lost could start a second rotation; the provider instead looks at the cluster before any retry.
   */
  redshiftSingleAttempt(): RedshiftClient;
  kms: KMSClient;
  /** Closes every client built (their sockets), so the host process does not keep idle connections. */
  destroy(): void;
}

export function createAwsClients(settings: AwsClientSettings, retry: RetrySettings): AwsClients {
  const { ConfiguredRetryStrategy } = require("@smithy/core/retry") as typeof import("@smithy/core/retry");
  const credentials = resolveCredentials(settings);
  const common = {
    ...(settings.region ? { region: settings.region } : {}),
    ...(credentials ? { credentials } : {}),
  };
  let singleAttempt: RedshiftClient | undefined;
  const backoff = (attempt: number) => cappedExponentialBackoffWithJitter(attempt, retry.baseDelayMs, retry.maxDelayMs);
  return {
    redshift: createBoundedRedshiftClient(retry, {
      ...common,
      ...(settings.redshiftEndpoint ? { endpoint: settings.redshiftEndpoint } : {}),
      retryStrategy: new ConfiguredRetryStrategy(retry.maxAttempts, backoff),
    }),
    // Built on first use: most operations never call RotateEncryptionKey.
    redshiftSingleAttempt() {
      singleAttempt ??= createBoundedRedshiftClient(retry, {
        ...common,
        ...(settings.redshiftEndpoint ? { endpoint: settings.redshiftEndpoint } : {}),
        maxAttempts: 1,
      });
      return singleAttempt;
    },
    destroy() {
      this.redshift.destroy();
      this.kms.destroy();
      singleAttempt?.destroy();
    },
    kms: createBoundedKmsClient(retry, {
      ...common,
      ...(settings.kmsEndpoint ? { endpoint: settings.kmsEndpoint } : {}),
      retryStrategy: new ConfiguredRetryStrategy(retry.maxAttempts, backoff),
    }),
  };
}

/**
 * Explicit settings win; without them the SDK's default chain applies (environment, AWS_PROFILE,
 * SSO, container and instance roles), exactly as for any AWS SDK program.
 */
function resolveCredentials(settings: AwsClientSettings) {
  if (!settings.profile && !settings.roleArn) return undefined;
  const { fromIni, fromTemporaryCredentials } =
    require("@aws-sdk/credential-providers") as typeof import("@aws-sdk/credential-providers");
  const { memoizeIdentityProvider, isIdentityExpired, doesIdentityRequireRefresh } =
    require("@smithy/core") as typeof import("@smithy/core");
  const baseCredentials = settings.profile ? fromIni({ profile: settings.profile }) : undefined;
  const credentials = settings.roleArn
    ? fromTemporaryCredentials({
        params: { RoleArn: settings.roleArn, RoleSessionName: "keyguard-redshift-key-rotation" },
        ...(baseCredentials ? { masterCredentials: baseCredentials } : {}),
        clientConfig: settings.region ? { region: settings.region } : {},
      })
    : baseCredentials;
  // Shared by the three clients: one AssumeRole (one profile read) per settings, refreshed by the
  // SDK's own memoizer five minutes before the temporary credentials expire.
  return memoizeIdentityProvider(credentials, isIdentityExpired, doesIdentityRequireRefresh);
}

/** The region the clients resolved (explicit input, AWS_REGION, or the profile's), or undefined. */
export async function resolvedRegion(clients: AwsClients): Promise<string | undefined> {
  try {
    return await clients.redshift.config.region();
  } catch {
    return undefined;
  }
}
