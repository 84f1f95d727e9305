/**
 * AWS SDK v3 clients that cannot hang, for every part of keyguard that calls AWS: the
 * RedshiftKeyRotation provider, the policy pack's live KMS check and `keyguard audit --live`.
 *
 * The SDK's `requestTimeout` alone only logs a warning when a response never comes; the call then
 * waits forever (and a preview, an audit or a CI job with it). With `throwOnRequestTimeout` it fails
 * as a TimeoutError, which the SDK's retries and the callers' own handling then treat as transient.
 *
 * The RedshiftKeyRotation provider is serialized with this module: the SDKs are required inside the
 * functions and no client exists at module level.
 */
import type { KMSClient, KMSClientConfig } from "@aws-sdk/client-kms";
import type { RedshiftClient, RedshiftClientConfig } from "@aws-sdk/client-redshift";

/** How long one AWS answer, and one connection, may take. */
export interface RequestBounds {
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
}

/** The request-handler options that enforce the bounds (and send the handler's notes to `logger`, when given). */
export interface BoundedRequestHandlerOptions {
  requestTimeout: number;
  connectionTimeout: number;
  throwOnRequestTimeout: true;
  logger?: KMSClientConfig["logger"];
}

// The return type is spelled out: inferred, its declaration would name @smithy/types by the path
// node_modules resolves to, which breaks `tsc --declaration` (TS2742) wherever node_modules is a
// link (pnpm, a checkout sharing another's node_modules, as the installed-package test's does).
export function boundedRequestHandler(
  bounds: RequestBounds,
  logger?: KMSClientConfig["logger"],
): BoundedRequestHandlerOptions {
  return {
    requestTimeout: bounds.requestTimeoutMs,
    connectionTimeout: bounds.connectionTimeoutMs,
    throwOnRequestTimeout: true,
    ...(logger ? { logger } : {}),
  };
}

/**
 * A KMS client whose every request is bounded; `config` is the rest (region, credentials, endpoint,
 * retries). A `logger` in it also receives the request handler's notes.
 */
export function createBoundedKmsClient(
  bounds: RequestBounds,
  config: Omit<KMSClientConfig, "requestHandler"> = {},
): KMSClient {
  const { KMSClient } = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
  return new KMSClient({ ...config, requestHandler: boundedRequestHandler(bounds, config.logger) });
}

/** A Redshift client whose every request is bounded; as createBoundedKmsClient. */
export function createBoundedRedshiftClient(
  bounds: RequestBounds,
  config: Omit<RedshiftClientConfig, "requestHandler"> = {},
): RedshiftClient {
  const { RedshiftClient } = require("@aws-sdk/client-redshift") as typeof import("@aws-sdk/client-redshift");
  return new RedshiftClient({ ...config, requestHandler: boundedRequestHandler(bounds, config.logger) });
}

/** Clients by region (undefined: the SDK's default region chain), each built on first use. */
export interface ClientsByRegion<T> {
  get(region: string | undefined): T;
  /** Every client built so far. */
  all(): T[];
}

export function clientsByRegion<T>(make: (region: string | undefined) => T): ClientsByRegion<T> {
  const clients = new Map<string, T>();
  return {
    get(region) {
      const key = region ?? "";
      let client = clients.get(key);
      if (client === undefined) {
        client = make(region);
        clients.set(key, client);
      }
      return client;
    },
    all: () => [...clients.values()],
  };
}
