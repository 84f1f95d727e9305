/**
 * The `keyguard` command: `keyguard check` (a program, offline, under mocks) and
 * `keyguard audit` (a `pulumi stack export`, optionally against live AWS), both judged by the
 * policy pack through its Analyzer interface. Exit codes: 0 no mandatory violation, 1 a mandatory
 * violation (or drift, or with --strict-unknowns an undecidable value), 2 a usage error or a
 * program / pack that failed, with a one-line reason on stderr.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { PolicyPackCallError, PolicyPackConfigError, startAnalyzer, type AnalyzerHost, type PolicyPackConfig } from "../engine";
import { REGION_PATTERN, RESOURCE_TYPES } from "../facts";
import { writeFileAtomically } from "./atomicWrite";
import { evaluate, Evaluator } from "./evaluate";
import { FORMATS, renderReport } from "./formats";
import { checkLive } from "./live";
import { Progress } from "./progress";
import { findProjectDir, readPulumiProject, type PulumiProject } from "./pulumiProject";
import { buildReport, isReportedResource, type NotAnalyzed, type Report, type ReportLocation } from "./report";
import { resolveReportTargets, type ReportTarget } from "./reportTargets";
import { runProgram } from "./runProgram";
import type { ResourceRecord } from "./resourceRecord";
import { readStackExport } from "./stackExport";
import { readStackOutputs } from "./stackOutputs";
import { oneLineReason, ProgramError, UsageError } from "./usageError";
import { describeValue } from "../shared/describe";

export interface CliStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CliDependencies {
  /** Launches the pack; tests pass one that reuses a running pack. Default: engine/analyzerHost startAnalyzer. */
  startPack?: (packDir: string) => Promise<AnalyzerHost>;
  /** Whether to stop the pack when done (false for a reused pack). Default: true. */
  closePack?: boolean;
}

export const USAGE = `Usage:
  keyguard check [--project DIR] [--stack [ORG/[PROJECT/]]NAME] [--config FILE] [--policy-config FILE] [--timeout DURATION] [--typecheck]
                 [--stack-outputs FILE] [--policy-pack DIR] [--report FORMAT=PATH]... [--format FORMAT] [--output FILE]
                 [--strict-unknowns] [--quiet]
  keyguard audit --stack-export FILE [--live] [--region REGION] [--policy-config FILE]
                 [--policy-pack DIR] [--report FORMAT=PATH]... [--format FORMAT] [--output FILE]
                 [--strict-unknowns] [--quiet]
  keyguard --help | --version

check   runs the Pulumi program in DIR (default: the nearest Pulumi.yaml at or above the current
        folder) in preview mode under Pulumi's mocks, offline, and evaluates its resources with the
        policy pack (default: keyguard's own). --typecheck checks the program's types as pulumi
        preview does (slower); without it only syntax errors stop the program.
audit   evaluates the state written by \`pulumi stack export\`; --live also asks AWS (KMS
        GetKeyRotationStatus, Redshift DescribeClusters) and reports drift.
--stack-outputs FILE  the outputs of the stacks the program references (StackReference), which
           pulumi preview reads from the backend: {"<stack name>": <pulumi stack output --json --show-secrets>}.
--timeout  how long the program may run (default 10m; 90, 90s, 5m): past it the check fails and the
           program's process is stopped.
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

const CHECK_OPTIONS = {
  ...COMMON_OPTIONS,
  project: { type: "string" },
  stack: { type: "string" },
  config: { type: "string" },
  timeout: { type: "string" },
  typecheck: { type: "boolean" },
  "stack-outputs": { type: "string" },
} as const;

const AUDIT_OPTIONS = {
  ...COMMON_OPTIONS,
  "stack-export": { type: "string" },
  live: { type: "boolean" },
  region: { type: "string" },
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
    return (JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

/** keyguard's own policy pack, used when --policy-pack is not given. */
export function defaultPolicyPackDir(): string {
  return path.join(packageRoot(), "policy");
}

function parseFlags<T extends typeof CHECK_OPTIONS | typeof AUDIT_OPTIONS>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | string[] | undefined>;
  } catch (error) {
    const message = (error as Error).message.split("\n")[0];
    const allowed = Object.keys(options).map((name) => `--${name}`).join(", ");
    throw new UsageError(`keyguard ${command}: ${message.replace(/\. To specify a positional argument.*$/, "")}; allowed options: ${allowed}`);
  }
}

function readPolicyConfig(file: string | undefined, cwd: string): PolicyPackConfig {
  if (file === undefined) return {};
  const absolute = path.resolve(cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, "utf8");
  } catch (error) {
    throw new UsageError(`--policy-config ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--policy-config ${file} is not JSON (the format of \`pulumi preview --policy-pack-config\`): ${(error as Error).message}`);
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new UsageError(`--policy-config ${file} must be a JSON object keyed by policy name (or "all"), got ${describeValue(config)}`);
  }
  return config as PolicyPackConfig;
}

/** `--project`, else the nearest folder with a Pulumi.yaml at or above the current one, as the Pulumi CLI looks. */
function projectDirectory(flag: string | undefined, cwd: string): string {
  if (flag !== undefined) return path.resolve(cwd, flag);
  const found = findProjectDir(cwd);
  if (found === undefined) throw new UsageError(`no Pulumi.yaml in ${cwd} or any folder above it: run keyguard check in a Pulumi project, or give --project DIR`);
  return found;
}

function resolvePackDir(flag: string | undefined, cwd: string): string {
  const packDir = flag === undefined ? defaultPolicyPackDir() : path.resolve(cwd, flag);
  if (!fs.existsSync(path.join(packDir, "PulumiPolicy.yaml"))) {
    throw new UsageError(`--policy-pack ${flag ?? packDir}: no PulumiPolicy.yaml in ${packDir}; give a policy pack directory`);
  }
  return packDir;
}

function reportTargets(flags: Record<string, string | boolean | string[] | undefined>, cwd: string): ReportTarget[] {
  return resolveReportTargets({ report: flags.report as string[] | undefined, format: flags.format as string | undefined, output: flags.output as string | undefined }, cwd);
}

/** Renders and writes every report of the run; stdout last, after the files are in place. */
function emit(report: Report, targets: ReportTarget[], io: CliIo, progress: Progress): void {
  for (const target of targets) {
    if (target.file === undefined) continue;
    writeFileAtomically(target.file, renderReport(report, target.format, { color: false }), target.flag);
    progress.step(`wrote the ${target.format} report to ${target.given}`);
  }
  for (const target of targets) {
    if (target.file !== undefined) continue;
    const colour = target.format === "text" && io.stdout.isTTY === true && !io.env.NO_COLOR;
    io.stdout.write(renderReport(report, target.format, { color: colour }));
  }
}

async function withPack<T>(packDir: string, dependencies: CliDependencies, progress: Progress, use: (host: AnalyzerHost) => Promise<T>): Promise<T> {
  progress.step(`starting policy pack ${packDir}`);
  let host: AnalyzerHost;
  try {
    host = await (dependencies.startPack ?? ((dir: string) => startAnalyzer({ packDir: dir })))(packDir);
  } catch (error) {
    // The host's message is "<what happened>\npack stderr:\n<tail>": keep what happened and the
    // pack's own error line, which says why.
    const [what, ...stderrTail] = ((error as Error).message ?? String(error)).split("\n");
    const packError = stderrTail.reverse().find((line) => /\b[A-Za-z]*Error\b:/.test(line));
    throw new ProgramError(`the policy pack in ${packDir} did not start: ${what}${packError ? `: ${packError.trim()}` : ""}`);
  }
  try {
    return await use(host);
  } finally {
    if (dependencies.closePack !== false) await host.close();
  }
}

/** The pack's error class for a bad policy config (policy/config.ts PolicyConfigError). */
const PACK_CONFIG_ERROR = "PolicyConfigError";

/** Policy config errors are the user's input (exit 2, named as --policy-config), whichever side found them. */
async function evaluateWithConfig(run: () => Promise<Report>): Promise<Report> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof PolicyPackConfigError) throw new UsageError(`--policy-config: ${error.message.replace(/^policy pack config\s*/, "")}`);
    // The pack validates its own config when a policy first reads it, and names the bad value.
    if (error instanceof PolicyPackCallError && error.packError?.name === PACK_CONFIG_ERROR) throw new UsageError(`--policy-config: ${error.packError.message}`);
    throw error;
  }
}

/**
 * A program's deadline: well above what any real program takes offline (seconds; about a minute
 * for a thousand components), so only a program that would never finish `pulumi preview` reaches it.
 */
export const DEFAULT_PROGRAM_TIMEOUT_MS = 10 * 60_000;

/** `--timeout`: whole seconds (`90`, `90s`) or minutes (`5m`), more than zero. */
export function parseTimeout(flag: string | undefined): number {
  if (flag === undefined) return DEFAULT_PROGRAM_TIMEOUT_MS;
  const match = /^(\d+)(s|m)?$/.exec(flag.trim());
  const amount = match ? Number(match[1]) : NaN;
  if (!match || !(amount > 0)) {
    throw new UsageError(`--timeout ${describeValue(flag)} is not a duration: give whole seconds (90, 90s) or minutes (5m), more than 0`);
  }
  return amount * (match[2] === "m" ? 60_000 : 1000);
}

/** Where a config key is set: its line in the file that holds it (1 when it cannot be found). */
function configKeyLocation(file: string, qualifiedKey: string, project: PulumiProject, cwd: string): ReportLocation {
  const bare = qualifiedKey.startsWith(`${project.project}:`) ? qualifiedKey.slice(project.project.length + 1) : undefined;
  const names = [qualifiedKey, ...(bare ? [bare] : [])];
  let line = 1;
  try {
    const index = fs
      .readFileSync(file, "utf8")
      .split("\n")
      .findIndex((text) => names.some((name) => new RegExp(`^\\s*(["']?)${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\1\\s*:`).test(text)));
    if (index >= 0) line = index + 1;
  } catch {
    // the file was read moments ago; a location is a courtesy
  }
  return { file: path.relative(cwd, file).split(path.sep).join("/") || path.basename(file), line };
}

/** A `secure:` value the program read, which the offline run could not decrypt. */
function undecryptedConfigEntry(project: PulumiProject, key: string, cwd: string): NotAnalyzed {
  return {
    kind: "secure-config",
    subject: key,
    message:
      `config ${key} is a secure value that cannot be decrypted offline: the program got it as an unknown secret, so every check on its value ` +
      "(the component's, the pack's) waits for the deployment, as for a value unknown during preview (pulumi preview decrypts and checks it); " +
      "give its plaintext with --config FILE to check it here",
    location: configKeyLocation(project.undecryptable[key], key, project, cwd),
  };
}

/** A referenced stack whose outputs were not supplied: every value taken from it is unknown offline. */
function unsuppliedStackReferenceEntry(stackName: string, resources: ResourceRecord[], cwd: string): NotAnalyzed {
  const reference = resources.find((resource) => resource.type === RESOURCE_TYPES.stackReference && resource.inputs.name === stackName);
  const source = reference?.sourceLocation;
  return {
    kind: "stack-reference",
    subject: stackName,
    ...(reference ? { urn: reference.urn, resourceType: reference.type, resourceName: reference.name } : {}),
    message:
      `the outputs of stack ${stackName} are not known offline (pulumi preview reads them from the backend), so every value the program takes from them is unknown here ` +
      `(a key from there is judged as a key outside the stack whose ARN could not be seen); give them with --stack-outputs FILE ` +
      `({ "${stackName}": <what pulumi stack output --json --show-secrets --stack ${stackName} prints> })`,
    ...(source ? { location: { file: path.relative(cwd, source.file).split(path.sep).join("/"), line: source.line, column: source.column } } : {}),
  };
}

async function check(args: string[], io: CliIo, dependencies: CliDependencies): Promise<number> {
  const flags = parseFlags("check", args, CHECK_OPTIONS);
  const timeoutMs = parseTimeout(flags.timeout as string | undefined);
  const stackOutputs = readStackOutputs(flags["stack-outputs"] as string | undefined, io.cwd);
  const targets = reportTargets(flags, io.cwd);
  const progress = new Progress(io.stderr, flags.quiet === true);
  const policyConfig = readPolicyConfig(flags["policy-config"] as string | undefined, io.cwd);
  const packDir = resolvePackDir(flags["policy-pack"] as string | undefined, io.cwd);
  const project = readPulumiProject(
    projectDirectory(flags.project as string | undefined, io.cwd),
    flags.stack as string | undefined,
    flags.config === undefined ? undefined : path.resolve(io.cwd, flags.config as string),
  );
  const strictUnknowns = flags["strict-unknowns"] === true;
  progress.step(`running ${path.relative(io.cwd, project.programPath) || project.programPath} (stack ${project.stack}) in preview under mocks, ${flags.typecheck === true ? "checking types as pulumi preview does" : "types not checked (--typecheck checks them)"}`);
  const evaluateOptions = {
    mode: "check" as const,
    stack: { project: project.project, stack: project.stack },
    packDir,
    policyConfig,
    onProgress: (done: number, total: number | undefined) => progress.count("analyzed", done, total),
  };
  // The program and the pack start together (each takes about a second, mostly module loading),
  // and each resource is analyzed as soon as it is registered, as the engine does, so the
  // program's work and the pack's overlap. Resources registered before the pack is ready wait.
  const registeredEarly: ResourceRecord[] = [];
  let analyzeNow: ((resource: ResourceRecord) => void) | undefined;
  const stopProgram = new AbortController();
  const programRun = runProgram(project, {
    typecheck: flags.typecheck === true,
    onOutput: (line) => progress.programOutput(line),
    // A read resource (a StackReference) is in the stack for AnalyzeStack, but the engine analyzes no inputs of it.
    onResource: (resource) => (resource.read ? undefined : analyzeNow ? analyzeNow(resource) : registeredEarly.push(resource)),
    stackOutputs,
    signal: stopProgram.signal,
    timeoutMs,
  });
  // A program that fails while the pack starts is reported when it is awaited, not as unhandled.
  programRun.catch(() => undefined);
  const report = await withPack(packDir, dependencies, progress, (host) =>
    evaluateWithConfig(async () => {
      const evaluator = new Evaluator(host, evaluateOptions);
      try {
        await evaluator.start();
      } catch (error) {
        // A program that fails is the first thing to fix: report it before a pack or config problem.
        await programRun;
        throw error;
      }
      analyzeNow = (resource) => evaluator.analyze(resource);
      for (const resource of registeredEarly.splice(0)) evaluator.analyze(resource);
      const run = await programRun;
      progress.step(`the program registered ${run.resources.filter(isReportedResource).length} resources (and the stack)`);
      const evaluation = await evaluator.finish(run.resources);
      return buildReport(evaluation, {
        toolVersion: toolVersion(),
        strictUnknowns,
        baseDir: io.cwd,
        notAnalyzed: [
          ...run.undecryptedConfigRead.map((key) => undecryptedConfigEntry(project, key, io.cwd)),
          ...run.unsuppliedStackReferences.map((stackName) => unsuppliedStackReferenceEntry(stackName, run.resources, io.cwd)),
        ],
        fallbackLocation: () => ({ file: path.relative(io.cwd, path.join(project.projectDir, "Pulumi.yaml")).split(path.sep).join("/"), line: 1 }),
      });
    }),
  ).finally(() => stopProgram.abort());
  emit(report, targets, io, progress);
  return report.summary.exitCode;
}

async function audit(args: string[], io: CliIo, dependencies: CliDependencies): Promise<number> {
  const flags = parseFlags("audit", args, AUDIT_OPTIONS);
  const exportFile = flags["stack-export"] as string | undefined;
  if (exportFile === undefined) throw new UsageError("keyguard audit needs --stack-export FILE (the JSON written by `pulumi stack export`)");
  if (flags.region !== undefined && !REGION_PATTERN.test(flags.region as string)) {
    throw new UsageError(`--region ${describeValue(flags.region)} is not an AWS region name like us-east-1`);
  }
  const targets = reportTargets(flags, io.cwd);
  const progress = new Progress(io.stderr, flags.quiet === true);
  const policyConfig = readPolicyConfig(flags["policy-config"] as string | undefined, io.cwd);
  const packDir = resolvePackDir(flags["policy-pack"] as string | undefined, io.cwd);
  const absoluteExport = path.resolve(io.cwd, exportFile);
  const stackExport = readStackExport(absoluteExport);
  progress.step(`read ${stackExport.resources.filter(isReportedResource).length} resources of ${stackExport.stack.project}/${stackExport.stack.stack} from ${exportFile}`);
  const liveDrift =
    flags.live === true
      ? checkLive(stackExport.resources, { region: flags.region as string | undefined, requestTimeoutMs: liveRequestTimeout(io.env) })
      : Promise.resolve(undefined);
  // Keep an early AWS failure from going unhandled while the pack works.
  liveDrift.catch(() => undefined);
  const report = await withPack(packDir, dependencies, progress, (host) =>
    evaluateWithConfig(async () => {
      const evaluation = await evaluate(host, stackExport.resources, {
        mode: "audit",
        stack: stackExport.stack,
        packDir,
        policyConfig,
        onProgress: (done, total) => progress.count("analyzed", done, total),
      });
      const drift = await liveDrift;
      if (drift) progress.step(`asked AWS about the stack's keys and clusters: ${drift.length} drifted`);
      const exportRelative = path.relative(io.cwd, absoluteExport).split(path.sep).join("/") || path.basename(absoluteExport);
      return buildReport(evaluation, {
        toolVersion: toolVersion(),
        strictUnknowns: flags["strict-unknowns"] === true,
        baseDir: io.cwd,
        drift,
        extraSecrets: stackExport.plaintextSecrets,
        fallbackLocation: (resource) => ({ file: exportRelative, line: (resource && stackExport.lineOfUrn.get(resource.urn)) ?? 1 }),
      });
    }),
  );
  emit(report, targets, io, progress);
  return report.summary.exitCode;
}

export async function main(argv: string[], io: CliIo, dependencies: CliDependencies = {}): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // `keyguard audit --help` asks for the usage, as every CLI answers it; it is no unknown option.
    if ((command === "check" || command === "audit") && rest.some((arg) => arg === "--help" || arg === "-h")) {
      io.stdout.write(USAGE);
      return 0;
    }
    switch (command) {
      case "check":
        return await check(rest, io, dependencies);
      case "audit":
        return await audit(rest, io, dependencies);
      case "--version":
      case "version":
        io.stdout.write(`${toolVersion()}\n`);
        return 0;
      case "--help":
      case "-h":
      case "help":
        io.stdout.write(USAGE);
        return 0;
      case undefined:
        throw new UsageError("a command is required: keyguard check or keyguard audit (keyguard --help for usage)");
      default:
        throw new UsageError(`unknown command ${describeValue(command)}; the commands are check and audit (keyguard --help for usage)`);
    }
  } catch (error) {
    io.stderr.write(`keyguard: error: ${oneLineReason(error)}\n`);
    return 2;
  }
}

/** Entry point of bin/keyguard.js. */
export function run(): void {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`keyguard: error: ${String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

if (require.main === module) run();

/** KEYGUARD_AWS_REQUEST_TIMEOUT_MS: how long `--live` waits for one AWS answer (default 15 s). */
function liveRequestTimeout(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.KEYGUARD_AWS_REQUEST_TIMEOUT_MS;
  if (raw === undefined || raw === "") return undefined;
  const milliseconds = Number(raw);
  if (!Number.isInteger(milliseconds) || milliseconds <= 0) {
    throw new UsageError(`KEYGUARD_AWS_REQUEST_TIMEOUT_MS ${describeValue(raw)} is not allowed: give a whole, positive number of milliseconds`);
  }
  return milliseconds;
}
