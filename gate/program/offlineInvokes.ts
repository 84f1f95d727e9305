/**
 * Plausible offline answers to the provider functions (invokes) a Pulumi AWS program commonly
 * calls while it is being previewed: the gate has no credentials and no network, and a program
 * that builds a key policy from the caller's account must still run.
 */

import { declaredInvokeResult, resultProperties } from "./declaredInvokeResult";

/** An account id reserved by AWS for documentation, so no real account is ever implied. */
export const OFFLINE_ACCOUNT_ID = "123456789012";

/** The provider functions answered with offline values (others echo their inputs). */
export const OFFLINE_INVOKE_TOKENS = [
  "aws:index/getCallerIdentity:getCallerIdentity",
  "aws:index/getRegion:getRegion",
  "aws:index/getPartition:getPartition",
  "aws:index/getAvailabilityZones:getAvailabilityZones",
  "aws:iam/getPolicyDocument:getPolicyDocument",
  "aws:kms/getKey:getKey",
  "aws:kms/getAlias:getAlias",
] as const;

/**
 * An existing key's reference as an ARN, offline: a key or alias ARN stays as given; a key id or an
 * alias name is placed in the stack's region and the offline account. Echoing the inputs instead
 * would leave `arn` undefined, and a cluster given `kmsKeyId: key.arn` would look as if it named no
 * key at all (a mandatory violation pulumi preview never reports); as an ARN it is what it is, a key
 * from outside the stack, for redshift-cluster-external-key and trustedKeyArns to judge.
 */
export function offlineKeyArn(reference: string, region: string): string {
  if (reference.startsWith("arn:")) return reference;
  if (reference.startsWith("alias/")) return `arn:aws:kms:${region}:${OFFLINE_ACCOUNT_ID}:${reference}`;
  return `arn:aws:kms:${region}:${OFFLINE_ACCOUNT_ID}:key/${reference}`;
}

/**
 * The state of an existing KMS key a program reads with `aws.kms.Key.get(name, id)`: pulumi preview
 * reads it from AWS; offline only its reference is known, so it is given as an ARN (as getKey
 * answers) and nothing else, and a cluster keyed by it is judged as keyed from outside the stack,
 * never by a stand-in key whose unset enableKeyRotation would read as "rotation off".
 */
export function readKeyState(id: string, inputs: Record<string, unknown>, region: string): Record<string, unknown> {
  const arn = offlineKeyArn(id, region);
  return { ...inputs, arn, keyId: /:key\/(.+)$/.exec(arn)?.[1] ?? id };
}

/**
 * How an offline lookup was answered: with values of the gate's own (`offline-values`: the caller's
 * account, the region, a key's ARN...), with every output its result type declares unknown
 * (`declared-outputs-unknown`), or, when the provider declares no result type the gate can read,
 * with its arguments (`arguments-echoed`).
 */
export type OfflineAnswer = "offline-values" | "declared-outputs-unknown" | "arguments-echoed";

export function offlineAnswerKind(token: string, programDir: string): OfflineAnswer {
  if ((OFFLINE_INVOKE_TOKENS as readonly string[]).includes(token)) return "offline-values";
  return resultProperties(token, programDir) ? "declared-outputs-unknown" : "arguments-echoed";
}

export function invokeResult(
  token: string,
  inputs: Record<string, unknown>,
  region: string,
  /** Where the provider packages are found (the program's folder). */
  programDir: string = process.cwd(),
): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: OFFLINE_ACCOUNT_ID,
        arn: `arn:aws:iam::${OFFLINE_ACCOUNT_ID}:user/keyguard-offline-preview`,
        userId: "AIDAKEYGUARDOFFLINE",
        id: OFFLINE_ACCOUNT_ID,
      };
    case "aws:index/getRegion:getRegion": {
      const name =
        typeof inputs.region === "string" ? inputs.region : typeof inputs.name === "string" ? inputs.name : region;
      return { name, region: name, id: name, endpoint: `ec2.${name}.amazonaws.com`, description: name };
    }
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", id: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
    case "aws:index/getAvailabilityZones:getAvailabilityZones":
      return { names: [`${region}a`, `${region}b`, `${region}c`], zoneIds: [], id: region };
    case "aws:iam/getPolicyDocument:getPolicyDocument":
      // The document itself is rarely what a policy checks; a well-formed JSON keeps programs that parse it working.
      return { json: JSON.stringify({ Version: "2012-10-17", Statement: inputs.statements ?? [] }), id: "offline" };
    case "aws:kms/getKey:getKey": {
      const reference = typeof inputs.keyId === "string" ? inputs.keyId : "";
      const arn = offlineKeyArn(reference, region);
      const keyId = /:key\/(.+)$/.exec(arn)?.[1] ?? reference;
      return { ...inputs, arn, id: keyId, keyId: reference };
    }
    case "aws:kms/getAlias:getAlias": {
      const name = typeof inputs.name === "string" ? inputs.name : "";
      const arn = offlineKeyArn(name, region);
      // The alias's key cannot be known offline: the alias itself stands for it (KMS and Redshift take alias ARNs).
      return { ...inputs, name, arn, id: arn, targetKeyArn: arn, targetKeyId: arn };
    }
    default:
      // Every output the provider declares, unknown where AWS would give it; a function whose
      // declaration cannot be read answers with its inputs, which keeps programs running.
      return declaredInvokeResult(token, inputs, programDir) ?? { ...inputs };
  }
}
