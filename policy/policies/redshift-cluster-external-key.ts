/**
 * redshift-cluster-external-key (stack policy, default level: advisory).
 *
 * What: reports an encrypted Redshift cluster or Serverless namespace whose key is not defined in the
 * stack and not listed in config `trustedKeyArns`. With `verifyExternalKeysLive: true` it asks KMS
 * `GetKeyRotationStatus` (AWS SDK v3, default credential chain and region; the key ARN's region when
 * the reference is an ARN) and reports only keys whose rotation is off or whose period is outside the
 * bounds, and, clearly, every call that fails.
 * Why: a key outside the stack is outside the stack's review; the pack cannot see its rotation, so it
 * says so instead of passing it silently.
 * AWS facts: GetKeyRotationStatus takes a key id or key ARN (an ARN for another account's key), not
 * an alias; it returns KeyRotationEnabled and RotationPeriodInDays (90..2560, default 365).
 * A Multi-Region replica in the stack whose primary is outside it is judged by the primary's ARN.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { ALIAS_ARN_PATTERN, KEY_ARN_PATTERN, describeValue, rotationPeriodProblem } from "../../facts";
import { type ExternalKeyConfig, exemptionReason, externalKeySchema, findExemption, parseExternalKeyConfig } from "../config";
import { CLUSTER_TYPES, type KeyIndex, type ResourceView, encryptionState, resolveClusterKey } from "../keyResolution";
import { type StackArgsLike, type StackVerdict, reportStackVerdicts, stackContext } from "../stack";
import { type Verdict, compliant, nonCompliant, notApplicable, resourceLabel } from "../verdict";

export const REDSHIFT_CLUSTER_EXTERNAL_KEY = "redshift-cluster-external-key";

/** True when a key reference is covered by a trusted ARN (same ARN, its key id, or its alias name). */
export function isTrustedKeyReference(reference: string, trustedKeyArns: readonly string[]): boolean {
  return trustedKeyArns.some((arn) => {
    if (arn === reference) return true;
    if (KEY_ARN_PATTERN.test(arn)) return arn.endsWith(`:key/${reference}`);
    if (ALIAS_ARN_PATTERN.test(arn)) return reference.startsWith("alias/") && arn.endsWith(`:${reference}`);
    return false;
  });
}

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

function untrustedMessage(label: string, reference: string, path: string): string {
  return (
    `${label} is encrypted with key ${describeValue(reference)}${path !== reference ? ` (${path})` : ""}, which is not defined in this stack and not in trustedKeyArns, ` +
    `so its rotation could not be checked; required: a key from this stack or a trusted, rotating key. ` +
    `Fix: confirm it rotates (aws kms get-key-rotation-status --key-id <key ARN>) and add its ARN to this policy's trustedKeyArns, ` +
    `or set verifyExternalKeysLive: true, or define the key in this stack.`
  );
}

/** The verdict on one resource, once the live status (if asked) is known. */
function judgeExternal(label: string, reference: string, path: string, config: ExternalKeyConfig, live: LiveRotationStatus | undefined): Verdict {
  if (isTrustedKeyReference(reference, config.trustedKeyArns)) return compliant;
  if (!config.verifyExternalKeysLive || live === undefined) return nonCompliant(untrustedMessage(label, reference, path));
  if (live.kind === "failed") {
    return nonCompliant(
      `${label} is encrypted with key ${describeValue(reference)}, which is not defined in this stack; verifying it live failed: KMS GetKeyRotationStatus ${live.problem}; required: a key whose rotation KMS confirms, or a trusted key. ` +
        `Fix: make the key readable (kms:GetKeyRotationStatus) with the credentials the preview runs with, or add its ARN to trustedKeyArns.`,
    );
  }
  if (!live.keyRotationEnabled) {
    return nonCompliant(
      `${label} is encrypted with key ${describeValue(reference)}, not defined in this stack, whose rotation KMS reports as off (KeyRotationEnabled false); required: on. ` +
        `Fix: enable rotation on that key (aws kms enable-key-rotation --key-id <key ARN>).`,
    );
  }
  const days = live.rotationPeriodInDays;
  const problem =
    days === undefined
      ? undefined
      : (rotationPeriodProblem(days) ??
        (days < config.minRotationPeriodInDays || days > config.maxRotationPeriodInDays
          ? `got ${days} days; this pack's config allows ${config.minRotationPeriodInDays} to ${config.maxRotationPeriodInDays} days`
          : undefined));
  if (problem) {
    return nonCompliant(
      `${label} is encrypted with key ${describeValue(reference)}, not defined in this stack, whose rotation period KMS reports as out of bounds: RotationPeriodInDays ${problem}; required: ${config.minRotationPeriodInDays} to ${config.maxRotationPeriodInDays} days. ` +
        `Fix: aws kms enable-key-rotation --key-id <key ARN> --rotation-period-in-days <days within the bounds>.`,
    );
  }
  return compliant;
}

type Pending = { resource: ResourceView; verdict: Verdict } | { resource: ResourceView; label: string; reference: string; path: string };

function classify(cluster: ResourceView, index: KeyIndex, config: ExternalKeyConfig): Pending {
  if (!CLUSTER_TYPES.has(cluster.type)) return { resource: cluster, verdict: notApplicable(`not a Redshift cluster or namespace`) };
  const exemption = findExemption(config.exemptions, cluster);
  if (exemption) return { resource: cluster, verdict: notApplicable(exemptionReason(exemption)) };
  const label = resourceLabel(cluster);
  if (encryptionState(cluster).kind === "not-encrypted") return { resource: cluster, verdict: notApplicable(`${label} is not encrypted`) };
  const resolution = resolveClusterKey(cluster, index);
  if (resolution.kind !== "external") {
    return { resource: cluster, verdict: notApplicable(`${label}'s key is ${resolution.kind === "in-stack" ? "defined in this stack" : resolution.kind === "unknown" ? "unknown (redshift-cluster-key-rotated reports it)" : "not customer-managed (redshift-cluster-encrypted reports it)"}`) };
  }
  return { resource: cluster, label, reference: resolution.reference, path: resolution.path };
}

/**
 * Verdicts of redshift-cluster-external-key on every cluster and namespace of a stack. With
 * `verifyExternalKeysLive`, each distinct untrusted key id or ARN is looked up once; aliases cannot be.
 */
export async function evaluateStackExternalKey(
  resources: StackArgsLike["resources"],
  rawConfig: unknown,
  lookup: RotationStatusLookup = kmsRotationStatusLookup(),
): Promise<StackVerdict[]> {
  const config = parseExternalKeyConfig(REDSHIFT_CLUSTER_EXTERNAL_KEY, rawConfig);
  const { views, index } = stackContext(resources);
  const pending = views.filter((view) => CLUSTER_TYPES.has(view.type)).map((view) => classify(view, index, config));
  const statuses = new Map<string, LiveRotationStatus>();
  if (config.verifyExternalKeysLive) {
    const references = new Set<string>();
    for (const item of pending) {
      if ("reference" in item && !isTrustedKeyReference(item.reference, config.trustedKeyArns)) references.add(item.reference);
    }
    await Promise.all(
      [...references].map(async (reference) => {
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
  }
  return pending.map((item) =>
    "verdict" in item ? item : { resource: item.resource, verdict: judgeExternal(item.label, item.reference, item.path, config, statuses.get(item.reference)) },
  );
}

export const redshiftClusterExternalKey: StackValidationPolicy = {
  name: REDSHIFT_CLUSTER_EXTERNAL_KEY,
  description: "Encrypted Redshift clusters whose key is outside the stack must use a trusted (or live-verified) rotating key.",
  enforcementLevel: "advisory",
  severity: "medium",
  configSchema: externalKeySchema(),
  remediationSteps: "Add the key's ARN to trustedKeyArns once it is known to rotate, enable verifyExternalKeysLive, or define the key in this stack.",
  validateStack: async (args, reportViolation) => {
    const stackArgs = args as unknown as StackArgsLike;
    const verdicts = await evaluateStackExternalKey(stackArgs.resources, args.getConfig());
    reportStackVerdicts(verdicts, stackArgs, reportViolation, "the stack has no encrypted Redshift cluster or namespace whose key is outside the stack");
  },
};
