/**
 * What `keyguard` is told: the usage text, each command's options and how they are parsed, and the
 * inputs they name (policy config, project, policy pack, report targets, --timeout, the AWS request
 * timeout), each checked with a usage error that names the flag, the value and what is allowed.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import type { PolicyPackConfig } from "../engine";
import { FORMATS } from "./report/formats";
import { findProjectDir } from "./program/pulumiProject";
import { resolveReportTargets, type InputFolders, type ReportTarget } from "./report/reportTargets";
import { UsageError } from "./usageError";
import { assertNotTooDeep, jsonSyntaxProblem } from "./jsonInput";
import { describeValue } from "../messages/describe";

export const USAGE = `Usage:
  keyguard check [--project DIR] [--stack [ORG/[PROJECT/]]NAME] [--config FILE] [--policy-config FILE] [--timeout DURATION] [--typecheck]
                 [--stack-outputs FILE] [--policy-pack DIR] [--report FORMAT=PATH]... [--format FORMAT] [--output FILE]
                 [--strict-unknowns] [--quiet]
  keyguard check --plan FILE [--terraform-dir DIR] [--policy-config FILE] [--policy-pack DIR]
                 [--report FORMAT=PATH]... [--format FORMAT] [--output FILE] [--strict-unknowns] [--quiet]
  keyguard audit --stack-export FILE [--live] [--region REGION] [--policy-config FILE]
                 [--policy-pack DIR] [--report FORMAT=PATH]... [--format FORMAT] [--output FILE]
                 [--strict-unknowns] [--quiet]
  keyguard audit FILE [--terraform-dir DIR] [--live] [--region REGION] [--policy-config FILE] [--policy-pack DIR]
                 [--report FORMAT=PATH]... [--format FORMAT] [--output FILE] [--strict-unknowns] [--quiet]
  keyguard --help | --version

check   runs the Pulumi program in DIR (default: the nearest Pulumi.yaml at or above the current
        folder) in preview mode under Pulumi's mocks, offline, and evaluates its resources with the
        policy pack (default: keyguard's own). --typecheck checks the program's types as pulumi
        preview does (slower); without it only syntax errors stop the program.
        --plan FILE judges a Terraform or OpenTofu plan instead: the output of
        \`terraform show -json plan.out\` (FILE - reads stdin); offline, no Pulumi project needed.
audit   evaluates deployed state: FILE is \`pulumi stack export\` output, \`terraform show -json\` (no plan)
        or \`terraform state pull\`, told apart by content; --live also asks AWS (KMS
        GetKeyRotationStatus, Redshift DescribeClusters) and reports drift.
--terraform-dir DIR  the Terraform root module's folder, where reports find each resource's
           \`resource\` block (default: the folder of the plan or state file).
--stack-outputs FILE  the outputs of the stacks the program references (StackReference), which
           pulumi preview reads from the backend: {"<stack name>": <pulumi stack output --json --show-secrets>}.
--timeout  how long the check may run, program and policy pack together (default 10m; 90, 90s, 5m;
           at most 35791m): past it the check fails and the program and the pack are stopped.
--report FORMAT=PATH  writes one report; repeat it for several from one run; PATH - is stdout.
        FORMAT: ${FORMATS.join(", ")}. --format/--output add one more (default: text on stdout).
--quiet drops the progress lines on stderr (errors still show).
Exit codes: 0 passed, 1 mandatory violation / drift / (--strict-unknowns) undecidable value, 2 usage error.
`;

const COMMON_OPTIONS = {
  "policy-config": { type: "string" },
  "policy-pack": { type: "string" },
  format: { type: "string" },
  output: { type: "string" },
  report: { type: "string", multiple: true },
  "strict-unknowns": { type: "boolean" },
  quiet: { type: "boolean" },
} as const;

export const CHECK_OPTIONS = {
  ...COMMON_OPTIONS,
  project: { type: "string" },
  stack: { type: "string" },
  config: { type: "string" },
  timeout: { type: "string" },
  typecheck: { type: "boolean" },
  "stack-outputs": { type: "string" },
  plan: { type: "string" },
  "terraform-dir": { type: "string" },
} as const;

/** Flags that only a Pulumi program's check takes: not with --plan. */
export const PROGRAM_ONLY_CHECK_OPTIONS = [
  "project",
  "stack",
  "config",
  "timeout",
  "typecheck",
  "stack-outputs",
] as const;

export const AUDIT_OPTIONS = {
  ...COMMON_OPTIONS,
  "stack-export": { type: "string" },
  live: { type: "boolean" },
  region: { type: "string" },
  "terraform-dir": { type: "string" },
} as const;

/** The package root: the nearest directory above this file with keyguard's package.json. */
function packageRoot(): string {
  let directory = __dirname;
  for (;;) {
    const manifest = path.join(directory, "package.json");
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string }).name === "keyguard") return directory;
      } catch {
        // not ours; keep looking
      }
    }
    const parent = path.dirname(directory);
    if (parent === directory) return path.resolve(__dirname, "..");
    directory = parent;
  }
}

export function toolVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    return "0.0.0";
  }
}

/** keyguard's own policy pack, used when --policy-pack is not given. */
export function defaultPolicyPackDir(): string {
  return path.join(packageRoot(), "policy");
}

type CommandOptions = typeof CHECK_OPTIONS | typeof AUDIT_OPTIONS;

/** A command's flag values, typed as `parseArgs` infers them from the command's options. */
export type FlagValues<T extends CommandOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>
>["values"];

/**
 * Splits a command's arguments into its flags and its positional arguments (`-` is one: stdin), so
 * `keyguard audit FILE` can name its file without a flag.
 */
export function splitPositionals(args: string[], options: CommandOptions): { flags: string[]; positionals: string[] } {
  const flags: string[] = [];
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--") {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    flags.push(arg);
    const name = arg.replace(/^--?/, "");
    const option = (options as Record<string, { type: string }>)[name];
    // A string option's value is the next argument (unless given as --name=value).
    if (option?.type === "string" && index + 1 < args.length) flags.push(args[++index]);
  }
  return { flags, positionals };
}

/** Parses a command's flags; the values keep the types `parseArgs` infers from `options`. */
export function parseFlags<T extends CommandOptions>(command: string, args: string[], options: T): FlagValues<T> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const message = (error as Error).message.split("\n")[0];
    const allowed = Object.keys(options)
      .map((name) => `--${name}`)
      .join(", ");
    throw new UsageError(
      `keyguard ${command}: ${message.replace(/\. To specify a positional argument.*$/, "")}; allowed options: ${allowed}`,
    );
  }
}

export function readPolicyConfig(file: string | undefined, cwd: string): PolicyPackConfig {
  if (file === undefined) return {};
  const absolute = path.resolve(cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, "utf8");
  } catch (error) {
    throw new UsageError(
      `--policy-config ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `--policy-config ${file} is not JSON (the format of \`pulumi preview --policy-pack-config\`): ${jsonSyntaxProblem(error, text).description}`,
    );
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new UsageError(
      `--policy-config ${file} must be a JSON object keyed by policy name (or "all"), got ${describeValue(config)}`,
    );
  }
  assertNotTooDeep(config, `--policy-config ${file}`);
  return config as PolicyPackConfig;
}

/** `--project`, else the nearest folder with a Pulumi.yaml at or above the current one, as the Pulumi CLI looks. */
export function projectDirectory(flag: string | undefined, cwd: string): string {
  if (flag !== undefined) return path.resolve(cwd, flag);
  const found = findProjectDir(cwd);
  if (found === undefined)
    throw new UsageError(
      `no Pulumi.yaml in ${cwd} or any folder above it: run keyguard check in a Pulumi project, or give --project DIR`,
    );
  return found;
}

export function resolvePackDir(flag: string | undefined, cwd: string): string {
  const packDir = flag === undefined ? defaultPolicyPackDir() : path.resolve(cwd, flag);
  if (!fs.existsSync(path.join(packDir, "PulumiPolicy.yaml"))) {
    throw new UsageError(
      `--policy-pack ${flag ?? packDir}: no PulumiPolicy.yaml in ${packDir}; give a policy pack directory`,
    );
  }
  return packDir;
}

/**
 * The run's report targets, checked against the files the run reads: `inputs` as [how it was
 * given, its path (relative to cwd) or undefined when not given], and the folders whose sources it reads.
 */
export function reportTargets(
  flags: { report?: string[]; format?: string; output?: string },
  cwd: string,
  inputs: [string, string | undefined][] = [],
  folders: InputFolders = {},
): ReportTarget[] {
  const given = inputs
    .filter((input): input is [string, string] => input[1] !== undefined)
    .map(([what, file]) => ({ what, file: path.resolve(cwd, file) }));
  return resolveReportTargets(flags, cwd, given, folders);
}

/**
 * A program's deadline: well above what any real program takes offline (seconds; about a minute
 * for a thousand components), so only a program that would never finish `pulumi preview` reaches it.
 */
export const DEFAULT_PROGRAM_TIMEOUT_MS = 10 * 60_000;

/** `--timeout`: whole seconds (`90`, `90s`) or minutes (`5m`), more than zero. */
/** The longest delay Node's setTimeout honours (2^31 - 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export function parseTimeout(flag: string | undefined): number {
  if (flag === undefined) return DEFAULT_PROGRAM_TIMEOUT_MS;
  const match = /^(\d+)(s|m)?$/.exec(flag.trim());
  const amount = match ? Number(match[1]) : NaN;
  if (!match || !(amount > 0)) {
    throw new UsageError(
      `--timeout ${describeValue(flag)} is not a duration: give whole seconds (90, 90s) or minutes (5m), more than 0`,
    );
  }
  const milliseconds = amount * (match[2] === "m" ? 60_000 : 1000);
  // Node's timers hold a signed 32-bit count of milliseconds: a longer delay fires after 1 ms.
  if (milliseconds > MAX_TIMER_MS) {
    throw new UsageError(
      `--timeout ${describeValue(flag)} is longer than keyguard can wait: at most ${Math.floor(MAX_TIMER_MS / 60_000)}m (${Math.floor(MAX_TIMER_MS / 1000)}s, about 24 days)`,
    );
  }
  return milliseconds;
}

/** KEYGUARD_AWS_REQUEST_TIMEOUT_MS: how long `--live` waits for one AWS answer (default 15 s). */
export function liveRequestTimeout(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.KEYGUARD_AWS_REQUEST_TIMEOUT_MS;
  if (raw === undefined || raw === "") return undefined;
  const milliseconds = Number(raw);
  if (!Number.isInteger(milliseconds) || milliseconds <= 0) {
    throw new UsageError(
      `KEYGUARD_AWS_REQUEST_TIMEOUT_MS ${describeValue(raw)} is not allowed: give a whole, positive number of milliseconds`,
    );
  }
  return milliseconds;
}
