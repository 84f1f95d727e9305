/**
 * The resource's inputs: the checks behind `check` (one failure per bad input, naming the input,
 * the value and what is allowed), the defaults, and the validated inputs create/update/read use.
 *
 * Serialized by value with the provider (see provider.ts): SDKs are required inside functions,
 * plain data and plain functions only.
 */
import type * as pulumi from "@pulumi/pulumi";
import { REGION_PATTERN, ROLE_ARN_PATTERN, clusterIdentifierProblem, isUnknown, keyArnProblem } from "../../facts";
import { describeValue } from "../../messages/describe";
import type { AwsClientSettings } from "./clients";

/** The resource's inputs after check (defaults applied). */
export interface RotationInputs extends AwsClientSettings {
  clusterIdentifier: string;
  kmsKeyId: string;
  triggers?: Record<string, string | number | boolean>;
  followKeyMaterialRotations: boolean;
  timeoutMinutes: number;
}

export const DEFAULT_TIMEOUT_MINUTES = 60;

export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (value !== null && typeof value === "object")
    return Object.values(value).some((member) => containsUnknown(member));
  return false;
}

/** One CheckFailure per bad input, each naming the input, the value and what is allowed. Unknowns pass. */
export function inputProblems(news: Record<string, unknown>): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const fail = (property: string, reason: string) =>
    failures.push({ property, reason: `RedshiftKeyRotation ${property}: ${reason}` });
  const known = (name: string) => news[name] !== undefined && news[name] !== null && !isUnknown(news[name]);

  if (!isUnknown(news.clusterIdentifier)) {
    const problem = clusterIdentifierProblem(news.clusterIdentifier);
    if (problem) fail("clusterIdentifier", problem);
  }
  if (!isUnknown(news.kmsKeyId)) {
    const problem = keyArnProblem(news.kmsKeyId);
    if (problem) fail("kmsKeyId", problem);
  }
  if (known("timeoutMinutes")) {
    const timeout = news.timeoutMinutes;
    if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0) {
      fail(
        "timeoutMinutes",
        `got ${describeValue(timeout)}; expected a positive number of minutes (default ${DEFAULT_TIMEOUT_MINUTES})`,
      );
    }
  }
  if (known("followKeyMaterialRotations") && typeof news.followKeyMaterialRotations !== "boolean") {
    fail(
      "followKeyMaterialRotations",
      `got ${describeValue(news.followKeyMaterialRotations)}; expected true or false (default true)`,
    );
  }
  if (known("triggers")) {
    const triggers = news.triggers;
    if (typeof triggers !== "object" || Array.isArray(triggers)) {
      fail("triggers", `got ${describeValue(triggers)}; expected a map of strings, numbers or booleans`);
    } else {
      for (const [name, value] of Object.entries(triggers as Record<string, unknown>)) {
        if (
          !isUnknown(value) &&
          typeof value !== "string" &&
          typeof value !== "boolean" &&
          !(typeof value === "number" && Number.isFinite(value))
        ) {
          fail(
            "triggers",
            `entry ${JSON.stringify(name)} is ${describeValue(value)}; expected a string, a finite number or a boolean`,
          );
        }
      }
    }
  }
  if (known("region") && (typeof news.region !== "string" || !REGION_PATTERN.test(news.region))) {
    fail("region", `got ${describeValue(news.region)}; expected an AWS region name like us-east-1`);
  }
  if (known("profile") && (typeof news.profile !== "string" || news.profile.length === 0)) {
    fail("profile", `got ${describeValue(news.profile)}; expected the name of a profile in the AWS shared config`);
  }
  if (known("roleArn") && (typeof news.roleArn !== "string" || !ROLE_ARN_PATTERN.test(news.roleArn))) {
    fail(
      "roleArn",
      `got ${describeValue(news.roleArn)}; expected an IAM role ARN like arn:aws:iam::111122223333:role/keyguard-rotation`,
    );
  }
  for (const name of ["redshiftEndpoint", "kmsEndpoint"]) {
    if (!known(name)) continue;
    const problem = endpointProblem(news[name]);
    if (problem) fail(name, problem);
  }
  return failures;
}

/** Endpoints are stored in state in plain text: only http(s) URLs without user info or query are accepted. */
function endpointProblem(value: unknown): string | undefined {
  const allowed =
    "expected an http(s) URL like http://localhost:4566, without user name, password or query (it is stored in the state in plain text)";
  if (typeof value !== "string") return `got ${describeValue(value)}; ${allowed}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `got ${describeValue(value)}; ${allowed}`;
  }
  if (url.username || url.password) return `got a URL with credentials in it (not shown); ${allowed}`;
  if (url.search) return `got a URL with a query string (not shown, it may hold a token); ${allowed}`;
  if (url.protocol !== "http:" && url.protocol !== "https:") return `got ${describeValue(value)}; ${allowed}`;
  return undefined;
}

export function withDefaults(news: Record<string, unknown>): Record<string, unknown> {
  return {
    ...news,
    followKeyMaterialRotations: news.followKeyMaterialRotations ?? true,
    timeoutMinutes: news.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES,
  };
}

/** Inputs for create/update/read: check ran already in the engine, but a bad value must still never reach AWS. */
export function validatedInputs(raw: Record<string, unknown>): RotationInputs {
  const failures = inputProblems(raw);
  const unknown = Object.entries(raw).filter(([name, value]) => name !== "__provider" && containsUnknown(value));
  if (unknown.length > 0)
    failures.push({
      property: unknown[0][0],
      reason: `RedshiftKeyRotation ${unknown[0][0]}: the value is still unknown`,
    });
  if (failures.length > 0) throw new Error(failures.map((failure) => failure.reason).join("\n"));
  const inputs = withDefaults(raw);
  const optionalString = (name: string) => (typeof inputs[name] === "string" ? (inputs[name] as string) : undefined);
  return {
    clusterIdentifier: inputs.clusterIdentifier as string,
    kmsKeyId: inputs.kmsKeyId as string,
    region: optionalString("region"),
    triggers: inputs.triggers as RotationInputs["triggers"],
    followKeyMaterialRotations: inputs.followKeyMaterialRotations as boolean,
    timeoutMinutes: inputs.timeoutMinutes as number,
    profile: optionalString("profile"),
    roleArn: optionalString("roleArn"),
    redshiftEndpoint: optionalString("redshiftEndpoint"),
    kmsEndpoint: optionalString("kmsEndpoint"),
  };
}
