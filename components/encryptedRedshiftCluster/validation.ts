/**
 * Checks of EncryptedRedshiftCluster's arguments. Plain values are checked at construction, before
 * any resource is registered; Outputs and Promises are checked when they resolve (see
 * `checkedWhenKnown`). Every message names the argument, the value given (never a password) and
 * what is allowed; the rules themselves come from facts/.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  aliasNameProblem,
  clusterIdentifierProblem,
  deletionWindowProblem,
  describeValue,
  keyArnProblem,
  masterPasswordProblem,
  masterUsernameProblem,
  rotationPeriodProblem,
} from "../../facts";
import { COMPONENT_OWNED_CLUSTER_FIELDS, ENFORCED_CLUSTER_SETTINGS, EncryptedRedshiftClusterArgs } from "./args";

/** Thrown for bad arguments; `problems` lists one "<argument>: <what is wrong>" line per problem. */
export class EncryptedRedshiftClusterArgumentError extends Error {
  constructor(
    readonly componentName: string,
    readonly problems: readonly string[],
  ) {
    super(`EncryptedRedshiftCluster "${componentName}": invalid arguments:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "EncryptedRedshiftClusterArgumentError";
  }
}

type Problem = (value: unknown) => string | undefined;

/** Arguments whose value can be checked against a facts/ validator. */
const VALUE_CHECKS: ReadonlyArray<readonly [keyof EncryptedRedshiftClusterArgs, Problem]> = [
  ["clusterIdentifier", clusterIdentifierProblem],
  ["masterUsername", masterUsernameProblem],
  ["rotationPeriodInDays", rotationPeriodProblem],
  ["deletionWindowInDays", deletionWindowProblem],
  ["aliasName", aliasNameProblem],
  ["kmsKeyArn", keyArnProblem],
];

/** Arguments that describe a key the component creates, so they make no sense with `kmsKeyArn`. */
const OWN_KEY_ONLY_ARGUMENTS = ["rotationPeriodInDays", "deletionWindowInDays", "keyDescription", "aliasName", "retainKeyOnDelete"] as const;

/** True for values the program does not know yet: Outputs and Promises. */
export function isEventual(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/**
 * Every problem with the arguments that can be seen now (plain values only), as
 * "<argument>: <problem>" lines. An empty list means nothing known is wrong.
 */
export function argumentProblems(args: unknown): string[] {
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    return [`args: got ${describeValue(args)}; expected an object with at least clusterIdentifier and nodeType`];
  }
  const given = args as Record<string, unknown>;
  const problems: string[] = [];

  for (const required of ["clusterIdentifier", "nodeType"] as const) {
    if (given[required] === undefined || given[required] === null) {
      problems.push(`${required}: missing; it is required`);
    }
  }
  if (given.nodeType !== undefined && given.nodeType !== null && !isEventual(given.nodeType) && (typeof given.nodeType !== "string" || given.nodeType === "")) {
    problems.push(`nodeType: got ${describeValue(given.nodeType)}; expected a Redshift node type such as "ra3.xlplus"`);
  }

  for (const [argument, problemOf] of VALUE_CHECKS) {
    const value = given[argument];
    if (value === undefined || isEventual(value)) continue;
    if (value === null && (argument === "clusterIdentifier")) continue; // already reported as missing
    const problem = problemOf(value);
    if (problem) problems.push(`${argument}: ${problem}`);
  }

  for (const field of COMPONENT_OWNED_CLUSTER_FIELDS) {
    const value = given[field];
    if (value === undefined) continue;
    const enforced = (ENFORCED_CLUSTER_SETTINGS as Record<string, unknown>)[field];
    // The same value the component sets anyway weakens nothing (encrypted may come as true or "true").
    if (enforced !== undefined && (value === enforced || (field === "encrypted" && value === true))) continue;
    problems.push(`${field}: got ${describeValue(value)}; ${ownedFieldRule(field)}`);
  }

  if (given.kmsKeyArn !== undefined) {
    for (const argument of OWN_KEY_ONLY_ARGUMENTS) {
      if (given[argument] !== undefined) {
        problems.push(
          `${argument}: got ${describeValue(given[argument])} together with kmsKeyArn; it applies only to the key the component creates, so leave it out when you bring your own key (its rotation is set where the key is managed)`,
        );
      }
    }
  }

  const password = given.masterPassword;
  if (password !== undefined && password !== null) {
    if (!pulumi.Output.isInstance(password)) {
      // Never repeat the value: it is the password.
      problems.push(
        `masterPassword: got a plain ${password instanceof Promise ? "Promise" : typeof password}; it must be a Pulumi secret (pulumi.secret(...) or config.requireSecret(...)) so it is encrypted in the state, or leave it out and let Redshift manage the password`,
      );
    }
    if (given.manageMasterPassword === true) {
      problems.push(
        "manageMasterPassword: got true together with masterPassword; allowed is one of them: manageMasterPassword (Redshift keeps the password in Secrets Manager) or a secret masterPassword",
      );
    }
  }
  if (given.manageMasterPassword !== undefined && !isEventual(given.manageMasterPassword) && typeof given.manageMasterPassword !== "boolean") {
    problems.push(`manageMasterPassword: got ${describeValue(given.manageMasterPassword)}; expected true or false`);
  }
  if (given.manageMasterPassword === false && (password === undefined || password === null) && given.snapshotIdentifier === undefined && given.snapshotArn === undefined) {
    problems.push(
      "manageMasterPassword: got false without a masterPassword; Redshift needs one of them for a new cluster: leave manageMasterPassword out (true) or give a secret masterPassword",
    );
  }

  if (given.retainKeyOnDelete !== undefined && typeof given.retainKeyOnDelete !== "boolean") {
    problems.push(`retainKeyOnDelete: got ${describeValue(given.retainKeyOnDelete)}; expected true or false (default true unless skipFinalSnapshot is true)`);
  }
  if (given.rotateOnKeyChange !== undefined && typeof given.rotateOnKeyChange !== "boolean") {
    problems.push(`rotateOnKeyChange: got ${describeValue(given.rotateOnKeyChange)}; expected true or false (default true)`);
  }
  if (given.rotation !== undefined && (typeof given.rotation !== "object" || given.rotation === null || Array.isArray(given.rotation))) {
    problems.push(`rotation: got ${describeValue(given.rotation)}; expected an object of RedshiftKeyRotation settings`);
  }
  return problems;
}

function ownedFieldRule(field: (typeof COMPONENT_OWNED_CLUSTER_FIELDS)[number]): string {
  switch (field) {
    case "encrypted":
      return 'the component always encrypts the cluster (encrypted "true"); leave it out';
    case "kmsKeyId":
      return "the component sets the cluster's key itself; leave it out, or pass kmsKeyArn to bring your own key";
    case "publiclyAccessible":
      return "the component keeps the cluster private (publiclyAccessible false); leave it out";
    case "enhancedVpcRouting":
      return "the component keeps COPY/UNLOAD traffic in the VPC (enhancedVpcRouting true); leave it out";
    case "masterPasswordWo":
    case "masterPasswordWoVersion":
      return "not supported by the component; give a secret masterPassword or let Redshift manage the password (the default)";
  }
}

/** Throws EncryptedRedshiftClusterArgumentError listing every problem visible now. */
export function validateEncryptedRedshiftClusterArgs(componentName: string, args: unknown): void {
  const problems = argumentProblems(args);
  if (problems.length > 0) throw new EncryptedRedshiftClusterArgumentError(componentName, problems);
}

/**
 * The value itself when it is plain (already checked at construction); for an Output or Promise,
 * an Output that fails with the same message as the eager check once the value resolves to
 * something bad, so the child that needs it is never created with it.
 */
export function checkedWhenKnown<T>(
  componentName: string,
  argument: string,
  value: pulumi.Input<T>,
  problemOf: Problem,
): pulumi.Input<T> {
  if (!isEventual(value)) return value;
  return pulumi.output(value).apply((resolved) => {
    const problem = problemOf(resolved);
    if (problem) throw new EncryptedRedshiftClusterArgumentError(componentName, [`${argument}: ${problem}`]);
    return resolved;
  }) as pulumi.Output<T>;
}

/**
 * The master password as a secret the cluster can take: refuses (when known) an Output that is not
 * secret, and a value Redshift would reject, without ever putting the value in a message; the result
 * is always marked secret so neither the state nor any output shows it.
 */
export function secretMasterPassword(componentName: string, masterPassword: pulumi.Output<string>): pulumi.Output<string> {
  const verifiedSecret = pulumi.isSecret(masterPassword).then((isSecret) => {
    if (!isSecret) {
      throw new EncryptedRedshiftClusterArgumentError(componentName, [
        "masterPassword: got an Output that is not a secret; it must be a Pulumi secret (pulumi.secret(...) or config.requireSecret(...)) so it is encrypted in the state",
      ]);
    }
    return true;
  });
  return pulumi.secret(
    pulumi.all([masterPassword, verifiedSecret]).apply(([password]) => {
      const problem = masterPasswordProblem(password);
      if (problem) throw new EncryptedRedshiftClusterArgumentError(componentName, [`masterPassword: ${problem}`]);
      return password;
    }),
  );
}
