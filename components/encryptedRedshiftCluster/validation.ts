/**
 * Checks of EncryptedRedshiftCluster's arguments: one table of rules, each written once. Plain values
 * are checked at construction, before any resource is registered; the rules that depend on a value
 * alone also check Outputs and Promises when they resolve, with the same message (see
 * `checkedWhenKnown`). Every message names the argument, the value given (never a password) and
 * what is allowed; the AWS rules themselves come from facts/.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  aliasNameProblem,
  clusterIdentifierProblem,
  deletionWindowProblem,
  keyArnProblem,
  masterPasswordProblem,
  masterUsernameProblem,
  rotationPeriodProblem,
} from "../../facts";
import { describeValue } from "../../messages/describe";
import { COMPONENT_OWNED_CLUSTER_FIELDS, ComponentOwnedClusterField, ENFORCED_CLUSTER_SETTINGS } from "./args";

/** Thrown for bad arguments; `problems` lists one "<argument>: <what is wrong>" line per problem. */
export class EncryptedRedshiftClusterArgumentError extends Error {
  constructor(
    readonly componentName: string,
    readonly problems: readonly string[],
  ) {
    super(
      `EncryptedRedshiftCluster "${componentName}": invalid arguments:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`,
    );
    this.name = "EncryptedRedshiftClusterArgumentError";
  }
}

type Given = Readonly<Record<string, unknown>>;

interface Rule {
  /** The argument the problem is reported under. */
  argument: string;
  /** What is wrong with `value` (the argument's value, known), or undefined; `given` is every argument. */
  problem(value: unknown, given: Given): string | undefined;
  /**
   * Whether the rule also applies to an Output or Promise once it resolves. Only rules whose
   * verdict depends on the value alone do; the others see eventual values as unknown and pass.
   */
  whenResolved?: true;
}

/**
 * True for values not known yet: Outputs and Promises, and the bare unknowns the engine hands a
 * component package during a preview (an input it cannot know yet that depends on no resource).
 */
export function isEventual(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || value instanceof Promise || pulumi.isUnknown(value);
}

const absent = (value: unknown) => value === undefined || value === null;
const passwordGiven = (given: Given) => !absent(given.masterPassword);

/** A rule that reports the value with a facts/ validator, skipping what is absent (reported as missing elsewhere or optional). */
function factRule(argument: string, problemOf: (value: unknown) => string | undefined, skipNull = false): Rule {
  return {
    argument,
    problem: (value) => (value === undefined || (skipNull && value === null) ? undefined : problemOf(value)),
    whenResolved: true,
  };
}

function requiredRule(argument: string): Rule {
  return { argument, problem: (value) => (absent(value) ? "missing; it is required" : undefined) };
}

function ownedFieldRule(field: ComponentOwnedClusterField, rule: string): Rule {
  const enforced = (ENFORCED_CLUSTER_SETTINGS as Record<string, unknown>)[field];
  return {
    argument: field,
    problem: (value) => {
      if (value === undefined) return undefined;
      // The same value the component sets anyway weakens nothing (encrypted may come as true or "true").
      if (enforced !== undefined && (value === enforced || (field === "encrypted" && value === true))) return undefined;
      return `got ${describeValue(value)}; ${rule}`;
    },
  };
}

function ownKeyOnlyRule(argument: string): Rule {
  return {
    argument,
    problem: (value, given) =>
      given.kmsKeyArn !== undefined && value !== undefined
        ? `got ${describeValue(value)} together with kmsKeyArn; it applies only to the key the component creates, so leave it out when you bring your own key (its rotation is set where the key is managed)`
        : undefined,
  };
}

/** `eventual`: whether an Output or Promise is allowed (an Input), or refused (a plain boolean argument). */
function booleanRule(argument: string, eventual: "allowed" | "refused", defaultNote = ""): Rule {
  return {
    argument,
    problem: (value) =>
      value !== undefined && !(eventual === "allowed" && isEventual(value)) && typeof value !== "boolean"
        ? `got ${describeValue(value)}; expected true or false${defaultNote}`
        : undefined,
  };
}

const OWNED_FIELD_RULES: Record<ComponentOwnedClusterField, string> = {
  encrypted: 'the component always encrypts the cluster (encrypted "true"); leave it out',
  kmsKeyId: "the component sets the cluster's key itself; leave it out, or pass kmsKeyArn to bring your own key",
  publiclyAccessible: "the component keeps the cluster private (publiclyAccessible false); leave it out",
  enhancedVpcRouting: "the component keeps COPY/UNLOAD traffic in the VPC (enhancedVpcRouting true); leave it out",
  masterPasswordWo:
    "not supported by the component; give a secret masterPassword or let Redshift manage the password (the default)",
  masterPasswordWoVersion:
    "not supported by the component; give a secret masterPassword or let Redshift manage the password (the default)",
};

/** Every rule, in the order its problems are listed. */
const RULES: readonly Rule[] = [
  requiredRule("clusterIdentifier"),
  requiredRule("nodeType"),
  {
    argument: "nodeType",
    problem: (value) =>
      !absent(value) && !isEventual(value) && (typeof value !== "string" || value === "")
        ? `got ${describeValue(value)}; expected a Redshift node type such as "ra3.xlplus"`
        : undefined,
  },
  factRule("clusterIdentifier", clusterIdentifierProblem, true), // null: already reported as missing
  factRule("masterUsername", masterUsernameProblem),
  factRule("rotationPeriodInDays", rotationPeriodProblem),
  factRule("deletionWindowInDays", deletionWindowProblem),
  factRule("aliasName", aliasNameProblem),
  factRule("kmsKeyArn", keyArnProblem),
  ...COMPONENT_OWNED_CLUSTER_FIELDS.map((field) => ownedFieldRule(field, OWNED_FIELD_RULES[field])),
  ...["rotationPeriodInDays", "deletionWindowInDays", "keyDescription", "aliasName", "retainKeyOnDelete"].map(
    ownKeyOnlyRule,
  ),
  {
    argument: "masterPassword",
    // Never repeat the value: it is the password. An Output is checked for secrecy by secretMasterPassword.
    problem: (value) =>
      !absent(value) && !pulumi.Output.isInstance(value)
        ? `got a plain ${value instanceof Promise ? "Promise" : typeof value}; it must be a Pulumi secret (pulumi.secret(...) or config.requireSecret(...)) so it is encrypted in the state, or leave it out and let Redshift manage the password`
        : undefined,
  },
  {
    argument: "manageMasterPassword",
    problem: (value, given) =>
      value === true && passwordGiven(given)
        ? "got true together with masterPassword; allowed is one of them: manageMasterPassword (Redshift keeps the password in Secrets Manager) or a secret masterPassword"
        : undefined,
    whenResolved: true,
  },
  booleanRule("manageMasterPassword", "allowed"),
  {
    argument: "manageMasterPassword",
    problem: (value, given) =>
      value === false &&
      !passwordGiven(given) &&
      given.snapshotIdentifier === undefined &&
      given.snapshotArn === undefined
        ? "got false without a masterPassword; Redshift needs one of them for a new cluster: leave manageMasterPassword out (true) or give a secret masterPassword"
        : undefined,
  },
  booleanRule("retainKeyOnDelete", "refused", " (default true unless skipFinalSnapshot is true)"),
  booleanRule("rotateOnKeyChange", "refused", " (default true)"),
  {
    argument: "rotation",
    problem: (value) =>
      value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value))
        ? `got ${describeValue(value)}; expected an object of RedshiftKeyRotation settings`
        : undefined,
  },
];

/**
 * Every problem with the arguments that can be seen now (plain values only), as
 * "<argument>: <problem>" lines. An empty list means nothing known is wrong.
 */
export function argumentProblems(args: unknown): string[] {
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    return [`args: got ${describeValue(args)}; expected an object with at least clusterIdentifier and nodeType`];
  }
  const given = args as Given;
  const problems: string[] = [];
  for (const rule of RULES) {
    const value = given[rule.argument];
    if (rule.whenResolved && isEventual(value)) continue;
    const problem = rule.problem(value, given);
    if (problem) problems.push(`${rule.argument}: ${problem}`);
  }
  return problems;
}

/**
 * The arguments the component uses after the checks: plain values as given (checked already);
 * Outputs and Promises wrapped so that a bad resolved value fails the child that needs it, with
 * the same message; the password always a secret.
 */
export interface CheckedArguments {
  clusterIdentifier: pulumi.Input<string>;
  masterUsername?: pulumi.Input<string>;
  rotationPeriodInDays?: pulumi.Input<number>;
  deletionWindowInDays?: pulumi.Input<number>;
  aliasName?: pulumi.Input<string>;
  kmsKeyArn?: pulumi.Input<string>;
  manageMasterPassword?: pulumi.Input<boolean>;
  /** Set only when a password was given; always a secret. */
  masterPassword?: pulumi.Output<string>;
}

/**
 * Checks the arguments: throws EncryptedRedshiftClusterArgumentError listing every problem visible
 * now, and otherwise returns the checked arguments.
 */
export function checkedArguments(componentName: string, args: unknown): CheckedArguments {
  const problems = argumentProblems(args);
  if (problems.length > 0) throw new EncryptedRedshiftClusterArgumentError(componentName, problems);
  const given = args as Given;
  const checked: Record<string, unknown> = {};
  for (const rule of RULES) {
    if (!rule.whenResolved || given[rule.argument] === undefined) continue;
    const value = checked[rule.argument] ?? given[rule.argument];
    checked[rule.argument] = checkedWhenKnown(componentName, rule.argument, value, (resolved) =>
      rule.problem(resolved, given),
    );
  }
  if (passwordGiven(given))
    checked.masterPassword = secretMasterPassword(
      componentName,
      pulumi.output(given.masterPassword as pulumi.Input<string>),
    );
  return checked as unknown as CheckedArguments;
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
  problemOf: (value: unknown) => string | undefined,
): pulumi.Input<T> {
  if (!isEventual(value)) return value;
  const output = pulumi.output(value);
  return output.apply(async (resolved) => {
    const problem = problemOf(resolved);
    if (!problem) return resolved;
    // A secret (pulumi.secret, config.requireSecret) is never quoted back, even when it is wrong.
    const shown = (await pulumi.isSecret(output))
      ? problem.split(describeValue(resolved)).join("a secret value")
      : problem;
    throw new EncryptedRedshiftClusterArgumentError(componentName, [`${argument}: ${shown}`]);
  }) as pulumi.Output<T>;
}

/**
 * The master password as a secret the cluster can take: refuses (when known) an Output that is not
 * secret, and a value Redshift would reject, without ever putting the value in a message; the result
 * is always marked secret so neither the state nor any output shows it.
 */
function secretMasterPassword(componentName: string, masterPassword: pulumi.Output<string>): pulumi.Output<string> {
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
