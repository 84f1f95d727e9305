/**
 * `keyguard audit --live`: asks AWS whether the deployed keys and clusters still match the
 * stack's state. Read-only, two API actions in all (docs/iam.md lists them for the gate):
 * KMS GetKeyRotationStatus per key, Redshift DescribeClusters per cluster. AWS SDK v3 with its
 * default credential chain, standard retries and the standard endpoint settings
 * (AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL_REDSHIFT, ...).
 *
 * Credentials are resolved once, before any call: without usable ones nothing can be compared, and
 * that is one usage error with the credential chain's reason, not a "lookup failed" per resource.
 * The SDK's own warnings (its Node.js support notice, socket and timeout notes) are about the SDK,
 * not the stack: they go to a logger that keeps them off the user's terminal.
 */
import { GetKeyRotationStatusCommand } from "@aws-sdk/client-kms";
import { DescribeClustersCommand } from "@aws-sdk/client-redshift";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import {
  AWS_CREDENTIAL_ERROR_NAMES,
  DEFAULT_ROTATION_PERIOD_IN_DAYS,
  RESOURCE_TYPES,
  REDSHIFT_ERRORS,
  isWireSecret,
  keyIdOf,
  parseArn,
} from "../../facts";
import {
  clientsByRegion,
  createBoundedKmsClient,
  createBoundedRedshiftClient,
  type RequestBounds,
} from "../../aws/boundedClients";
import { describeError } from "../../messages/describe";
import type { DriftEntry } from "../report/report";
import type { ResourceRecord } from "../resourceRecord";
import { UsageError } from "../usageError";

/** The AWS API actions `--live` calls: exactly the IAM permissions it needs. */
export const LIVE_IAM_ACTIONS = ["kms:GetKeyRotationStatus", "redshift:DescribeClusters"] as const;

function plain(value: unknown): unknown {
  return isWireSecret(value) ? value.value : value;
}

function stringValue(value: unknown): string | undefined {
  const unwrapped = plain(value);
  return typeof unwrapped === "string" && unwrapped.length > 0 ? unwrapped : undefined;
}

/** Keys and clusters asked about, aws-native twins included (they record the same property names). */
const LIVE_KEY_TYPES: ReadonlySet<string> = new Set([RESOURCE_TYPES.kmsKey, RESOURCE_TYPES.nativeKmsKey]);
const LIVE_CLUSTER_TYPES: ReadonlySet<string> = new Set([
  RESOURCE_TYPES.redshiftCluster,
  RESOURCE_TYPES.nativeRedshiftCluster,
]);

/** The region in a key ARN (arn:aws:kms:<region>:...), which is where the key lives. */
function regionOfArn(arn: string | undefined): string | undefined {
  return parseArn(arn)?.region || undefined;
}

export interface LiveOptions {
  /** The tool that deployed the state, named in drift messages ("changed outside Terraform"). Default: Pulumi. */
  deployedBy?: "Pulumi" | "Terraform";
  /** Region for resources whose region the state does not say. Default: the SDK's own chain. */
  region?: string;
  /**
   * How long one AWS answer may take before the call fails (and the SDK's retries take over).
   * Default: DEFAULT_LIVE_REQUEST_TIMEOUT_MS. Without a bound an answer that never comes would hang
   * the audit, and the CI job with it: the SDK only logs a warning unless throwOnRequestTimeout is set.
   */
  requestTimeoutMs?: number;
}

export const DEFAULT_LIVE_REQUEST_TIMEOUT_MS = 15_000;

/** The region a resource's explicit provider was configured with, from the provider's state. */
function providerRegion(resource: ResourceRecord, byUrn: Map<string, ResourceRecord>): string | undefined {
  if (!resource.provider) return undefined;
  const providerUrn = resource.provider.slice(0, resource.provider.lastIndexOf("::"));
  const provider = byUrn.get(providerUrn);
  return stringValue(provider?.outputs.region) ?? stringValue(provider?.inputs.region);
}

/** The SDK's log, kept: its debug lines are where the credential chain says why each source failed. */
class SdkLog {
  readonly lines: string[] = [];
  debug = (...parts: unknown[]) => void this.lines.push(parts.map(String).join(" "));
  info = this.debug;
  warn = this.debug;
  error = this.debug;

  /** Why each source of the default credential chain gave nothing, in the chain's order. */
  credentialReasons(): string[] {
    const reasons = this.lines
      .map((line) => /^@smithy\/property-provider -> (.*)$/.exec(line)?.[1]?.trim())
      .filter((reason): reason is string => !!reason && !/ next\.?$/.test(reason));
    return [...new Set(reasons)];
  }
}

/** The default credential chain, resolved once for every client; a chain that yields nothing is a usage error. */
async function resolveCredentials(log: SdkLog, region: string | undefined) {
  const credentials = fromNodeProviderChain({ logger: log, ...(region ? { clientConfig: { region } } : {}) });
  try {
    await credentials();
  } catch (error) {
    const reasons = log.credentialReasons();
    throw new UsageError(
      `--live needs AWS credentials, and the default credential chain found none usable: ${(error as Error).message}${reasons.length > 0 ? ` (${reasons.join("; ")})` : ""}; ` +
        "give them the usual way (AWS_PROFILE, aws sso login, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a web identity or instance role)",
    );
  }
  return credentials;
}

export async function checkLive(resources: ResourceRecord[], options: LiveOptions = {}): Promise<DriftEntry[]> {
  const deployedBy = options.deployedBy ?? "Pulumi";
  // The SDK's own switch for its Node.js support notice, which it prints with process.emitWarning.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const log = new SdkLog();
  const credentials = await resolveCredentials(log, options.region);
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_LIVE_REQUEST_TIMEOUT_MS;
  const bounds: RequestBounds = { requestTimeoutMs: requestTimeout, connectionTimeoutMs: requestTimeout };
  const clientConfig = (region: string | undefined) => ({ ...(region ? { region } : {}), credentials, logger: log });
  const kmsClients = clientsByRegion((region) => createBoundedKmsClient(bounds, clientConfig(region)));
  const redshiftClients = clientsByRegion((region) => createBoundedRedshiftClient(bounds, clientConfig(region)));
  const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
  const drift: DriftEntry[] = [];
  // Credentials AWS refuses fail every call alike: reported once, as a usage error, below.
  let refusedCredentials: unknown;
  const isCredentialRefusal = (error: unknown) => {
    if (!AWS_CREDENTIAL_ERROR_NAMES.has((error as { name?: string }).name ?? "")) return false;
    refusedCredentials ??= error;
    return true;
  };
  const entry = (
    resource: ResourceRecord,
    rest: Omit<DriftEntry, "urn" | "resourceType" | "resourceName">,
  ): DriftEntry => ({
    urn: resource.urn,
    resourceType: resource.type,
    resourceName: resource.name,
    ...rest,
  });
  /** A call that failed: the thing is gone when AWS names it not found, otherwise the lookup failed. */
  const lookupFailure = (
    resource: ResourceRecord,
    error: unknown,
    notFoundName: string,
    gone: string,
    asked: string,
  ): DriftEntry => {
    const notFound = (error as { name?: string }).name === notFoundName;
    return entry(resource, {
      kind: notFound ? "not-found" : "lookup-failed",
      message: notFound ? gone : `could not ask ${asked}: ${describeError(error)}`,
    });
  };

  const checks = resources.map(async (resource) => {
    if (!resource.custom) return;
    const region = (arn: string | undefined) => regionOfArn(arn) ?? providerRegion(resource, byUrn) ?? options.region;
    if (LIVE_KEY_TYPES.has(resource.type)) {
      const keyReference =
        stringValue(resource.outputs.arn) ?? stringValue(resource.outputs.keyId) ?? stringValue(resource.outputs.id);
      if (!keyReference) return;
      const client = kmsClients.get(region(keyReference));
      let status;
      try {
        status = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyReference }));
      } catch (error) {
        if (isCredentialRefusal(error)) return;
        drift.push(
          lookupFailure(
            resource,
            error,
            "NotFoundException",
            `KMS has no key ${keyReference}: it was deleted outside ${deployedBy}`,
            `KMS GetKeyRotationStatus for ${keyReference}`,
          ),
        );
        return;
      }
      const recordedEnabled = plain(resource.outputs.enableKeyRotation) === true;
      if (recordedEnabled && status.KeyRotationEnabled !== true) {
        drift.push(
          entry(resource, {
            kind: "rotation-disabled",
            message: `automatic rotation of key ${keyReference} is off in AWS, but the stack records it on: it was turned off outside ${deployedBy}`,
            recorded: "enabled",
            actual: "disabled",
          }),
        );
        return;
      }
      const recordedPeriod = plain(resource.outputs.rotationPeriodInDays);
      const expectedPeriod =
        typeof recordedPeriod === "number" && recordedPeriod > 0 ? recordedPeriod : DEFAULT_ROTATION_PERIOD_IN_DAYS;
      if (
        recordedEnabled &&
        status.RotationPeriodInDays !== undefined &&
        status.RotationPeriodInDays !== expectedPeriod
      ) {
        drift.push(
          entry(resource, {
            kind: "rotation-period-changed",
            message: `key ${keyReference} rotates every ${status.RotationPeriodInDays} days in AWS, but the stack records ${expectedPeriod}: the period was changed outside ${deployedBy}`,
            recorded: String(expectedPeriod),
            actual: String(status.RotationPeriodInDays),
          }),
        );
      }
      return;
    }
    if (LIVE_CLUSTER_TYPES.has(resource.type)) {
      const clusterIdentifier = stringValue(resource.outputs.clusterIdentifier) ?? stringValue(resource.outputs.id);
      if (!clusterIdentifier) return;
      const recordedKey = stringValue(resource.outputs.kmsKeyId);
      const client = redshiftClients.get(region(recordedKey));
      let cluster;
      try {
        const response = await client.send(new DescribeClustersCommand({ ClusterIdentifier: clusterIdentifier }));
        cluster = response.Clusters?.[0];
      } catch (error) {
        if (isCredentialRefusal(error)) return;
        drift.push(
          lookupFailure(
            resource,
            error,
            REDSHIFT_ERRORS.ClusterNotFound.sdkName,
            `Redshift has no cluster ${clusterIdentifier}: it was deleted outside ${deployedBy}`,
            `Redshift DescribeClusters for ${clusterIdentifier}`,
          ),
        );
        return;
      }
      if (!cluster) {
        drift.push(
          entry(resource, { kind: "not-found", message: `Redshift returned no cluster ${clusterIdentifier}` }),
        );
        return;
      }
      // Drift is a difference from the state: a cluster the state records as unencrypted is the
      // policies' finding (which the policy config may exempt), not something changed outside Pulumi.
      const recordedEncrypted =
        plain(resource.outputs.encrypted) === true || plain(resource.outputs.encrypted) === "true";
      if (recordedEncrypted && cluster.Encrypted !== true) {
        drift.push(
          entry(resource, {
            kind: "cluster-not-encrypted",
            message: `cluster ${clusterIdentifier} is not encrypted in AWS, but the stack records it encrypted${recordedKey ? ` with ${recordedKey}` : ""}`,
            recorded: recordedKey ?? "encrypted",
            actual: "not encrypted",
          }),
        );
        return;
      }
      if (recordedKey && cluster.KmsKeyId && keyIdOf(cluster.KmsKeyId) !== keyIdOf(recordedKey)) {
        drift.push(
          entry(resource, {
            kind: "cluster-key-changed",
            message: `cluster ${clusterIdentifier} is encrypted with ${cluster.KmsKeyId} in AWS, not with the recorded key ${recordedKey}`,
            recorded: recordedKey,
            actual: cluster.KmsKeyId,
          }),
        );
      }
    }
  });
  try {
    await Promise.all(checks);
  } finally {
    for (const client of [...kmsClients.all(), ...redshiftClients.all()]) client.destroy();
  }
  if (refusedCredentials !== undefined) {
    throw new UsageError(
      `--live: AWS refused the credentials the default credential chain gave (${describeError(refusedCredentials)}), so nothing could be compared; give valid, unexpired credentials for the stack's account`,
    );
  }
  const order = new Map(resources.map((resource, index) => [resource.urn, index]));
  return drift.sort((a, b) => (order.get(a.urn) ?? 0) - (order.get(b.urn) ?? 0));
}
