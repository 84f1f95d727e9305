/**
 * Classifying what the AWS SDK threw: its name, its Redshift error code, and whether another try
 * after a pause may succeed (throttling, 5xx, timeouts, dropped connections, retryable faults).
 *
 * Serialized by value with the provider (see provider.ts): SDKs are required inside functions,
 * plain data and plain functions only.
 */
import { KMS_ERRORS, REDSHIFT_ERRORS } from "../../facts";

export function errorName(error: unknown): string {
  return error && typeof error === "object" && "name" in error ? String((error as { name: unknown }).name) : "";
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The Redshift wire code (ClusterNotFound, ...) of an SDK error, or undefined. */
export function redshiftErrorCode(error: unknown): string | undefined {
  const name = errorName(error);
  for (const [code, fact] of Object.entries(REDSHIFT_ERRORS)) {
    if (fact.sdkName === name || code === name) return code;
  }
  return undefined;
}

/** Errors worth another try after a pause: throttling, 5xx, timeouts, dropped connections, retryable faults. */
export function isTransient(error: unknown): boolean {
  const name = errorName(error);
  const code = redshiftErrorCode(error);
  if (code && code !== "InvalidClusterState") return REDSHIFT_ERRORS[code as keyof typeof REDSHIFT_ERRORS].retryable;
  if (name in KMS_ERRORS) return KMS_ERRORS[name as keyof typeof KMS_ERRORS].retryable;
  if (
    /throttl|TooManyRequests|RequestLimitExceeded|SlowDown|TimeoutError|RequestTimeout|ServiceUnavailable|InternalFailure/i.test(
      name,
    )
  )
    return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (typeof status === "number" && status >= 500) return true;
  const networkCode = (error as { code?: unknown } | undefined)?.code;
  if (
    typeof networkCode === "string" &&
    /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ECONNABORTED|EAI_AGAIN)$/.test(networkCode)
  )
    return true;
  return /socket hang up|ECONNRESET|timed? ?out/i.test(errorMessage(error));
}
