/**
 * The `keyguard` command: `keyguard check` (a program, offline, under mocks) and
 * `keyguard audit` (a `pulumi stack export`, optionally against live AWS), both judged by the
 * policy pack through its Analyzer interface. Exit codes: 0 no mandatory violation, 1 a mandatory
 * violation (or drift, or with --strict-unknowns an undecidable value), 2 a usage error or a
 * program / pack that failed, with a one-line reason on stderr.
 */
import * as path from "path";
import {
  PolicyPackCallError,
  PolicyPackConfigError,
  PolicyPackStartError,
  startAnalyzer,
  type AnalyzerHost,
} from "../engine";
import { REGION_PATTERN } from "../facts";
import { discardReports, writeReports } from "./report/writeReports";
import {
  AUDIT_OPTIONS,
  CHECK_OPTIONS,
  type FlagValues,
  liveRequestTimeout,
  parseFlags,
  parseTimeout,
  PROGRAM_ONLY_CHECK_OPTIONS,
  projectDirectory,
  readPolicyConfig,
  reportTargets,
  resolvePackDir,
  splitPositionals,
  toolVersion,
  USAGE,
} from "./cliArguments";
import { evaluate, Evaluator } from "./evaluate";
import { renderReportChunks } from "./report/formats";
import { checkLive } from "./audit/live";
import { Progress } from "./progress";
import { decryptedConfigSecrets, readPulumiProject } from "./program/pulumiProject";
import { buildReport, type Report } from "./report/report";
import { isReportedResource, type ResourceRecord } from "./resourceRecord";
import type { ReportTarget } from "./report/reportTargets";
import { terminalText } from "./report/formats/escape";
import { ProgramDeadlineReason, runProgram } from "./program/runProgram";
import { maskingStream, SecretMasker, secretStrings } from "./secretMasker";
import { recordSecretValues } from "./report/redact";
import { stopTrackedProcesses, trackProcess } from "./runProcesses";
import { readStackExport, type StackExport } from "./audit/stackExport";
import { readAuditInput, readPlanInput, type TerraformInput } from "./terraform/input";
import {
  offlineLookupEntry,
  undecryptedConfigEntry,
  unsuppliedStackReferenceEntry,
} from "./program/notAnalyzedEntries";
import { readStackOutputs } from "./program/stackOutputs";
import { oneLineReason, ProgramError, UsageError } from "./usageError";
import { describeValue } from "../messages/describe";

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

export { DEFAULT_PROGRAM_TIMEOUT_MS, defaultPolicyPackDir, parseTimeout, toolVersion, USAGE } from "./cliArguments";

export interface CliDependencies {
  /** Launches the pack; tests pass one that reuses a running pack. Default: engine/analyzerHost startAnalyzer. */
  startPack?: (packDir: string) => Promise<AnalyzerHost>;
  /** Whether to stop the pack when done (false for a reused pack). Default: true. */
  closePack?: boolean;
}

/** Starts the pack as the engine does, registered so that a signal to keyguard stops it too. */
async function startTrackedPack(packDir: string): Promise<AnalyzerHost> {
  let untrack = () => {};
  const host = await startAnalyzer({
    packDir,
    onSpawn: (child) => {
      untrack = trackProcess(() => child.kill("SIGKILL"));
      child.once("exit", () => untrack());
    },
  });
  return host;
}

/** The report targets of the run in progress, so a run that fails leaves no report at them (writeReports.ts). */
interface RunState {
  targets: readonly ReportTarget[];
}

/** Renders and writes every report of the run as a set (writeReports.ts); stdout last, after the files are in place. */
async function emit(report: Report, targets: readonly ReportTarget[], io: CliIo, progress: Progress): Promise<void> {
  const colour = io.stdout.isTTY === true && !io.env.NO_COLOR;
  await writeReports(
    targets,
    (target) => renderReportChunks(report, target.format, { color: target.kind === "stdout" && colour }),
    io.stdout,
    (target) => {
      if (target.kind !== "stdout") progress.step(`wrote the ${target.format} report to ${target.given}`);
    },
  );
}

async function withPack<T>(
  packDir: string,
  dependencies: CliDependencies,
  progress: Progress,
  stop: AbortSignal | undefined,
  use: (host: AnalyzerHost) => Promise<T>,
): Promise<T> {
  progress.step(`starting policy pack ${packDir}`);
  let host: AnalyzerHost;
  try {
    host = await (dependencies.startPack ?? startTrackedPack)(packDir);
  } catch (error) {
    if (!(error instanceof PolicyPackStartError)) throw error;
    throw new ProgramError(
      `the policy pack in ${packDir} did not start: ${error.reason}${error.packError ? `: ${error.packError}` : ""}`,
    );
  }
  const closing = dependencies.closePack !== false;
  // The run's deadline passed: the pack stops now, whatever it was doing.
  const onStop = () => void (closing ? host.close() : undefined);
  if (stop?.aborted) onStop();
  stop?.addEventListener("abort", onStop, { once: true });
  try {
    return await use(host);
  } finally {
    stop?.removeEventListener("abort", onStop);
    if (closing) await host.close();
  }
}

/** The pack's error class for a bad policy config (policy/config.ts PolicyConfigError). */
const PACK_CONFIG_ERROR = "PolicyConfigError";

/** Policy config errors are the user's input (exit 2, named as --policy-config), whichever side found them. */
async function evaluateWithConfig(run: () => Promise<Report>): Promise<Report> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof PolicyPackConfigError)
      throw new UsageError(`--policy-config: ${error.message.replace(/^policy pack config\s*/, "")}`);
    // The pack validates its own config when a policy first reads it, and names the bad value.
    if (error instanceof PolicyPackCallError && error.packError?.name === PACK_CONFIG_ERROR)
      throw new UsageError(`--policy-config: ${error.packError.message}`);
    throw error;
  }
}

/** The flags every command shares (cliArguments.ts COMMON_OPTIONS). */
type CommonFlags = Pick<
  FlagValues<typeof CHECK_OPTIONS>,
  "quiet" | "policy-config" | "policy-pack" | "report" | "format" | "output"
>;

/**
 * What a command that judges a file (a plan, an export, a state) reads before the pack starts: the
 * progress line, the policy config, the pack, and the report targets, none of which may be `input`
 * (the judged file) or the policy config.
 */
function prepareFileRun(flags: CommonFlags, io: CliIo, state: RunState, input: [string, string | undefined]) {
  const progress = new Progress(io.stderr, flags.quiet === true);
  const policyConfig = readPolicyConfig(flags["policy-config"], io.cwd);
  const packDir = resolvePackDir(flags["policy-pack"], io.cwd);
  const targets = reportTargets(flags, io.cwd, [input, ["--policy-config", flags["policy-config"]]], { packDir });
  state.targets = targets;
  return { progress, policyConfig, packDir, targets };
}

/** Where a Terraform resource without a found `resource` block is reported: its line in the plan or state file. */
function terraformFileLocation(input: TerraformInput, io: CliIo) {
  const file = input.file
    ? path.relative(io.cwd, input.file).split(path.sep).join("/") || path.basename(input.file)
    : "-";
  return (resource: ResourceRecord | undefined) => ({
    file,
    line: resource ? input.lineOfAddress(resource.name) : 1,
  });
}

/**
 * Teaches the run's masker every secret in `resources` (a record's sensitive values, a program's
 * secret outputs), so that stderr and the reports mask the same values; returns it.
 */
function maskerKnowing(masker: SecretMasker, resources: readonly ResourceRecord[]): SecretMasker {
  for (const resource of resources) masker.add(recordSecretValues(resource));
  return masker;
}

/** `keyguard check --plan FILE`: a Terraform plan judged by the pack; no program runs. */
async function checkPlan(
  flags: FlagValues<typeof CHECK_OPTIONS>,
  io: CliIo,
  dependencies: CliDependencies,
  state: RunState,
  masker: SecretMasker,
): Promise<number> {
  const programOnly = PROGRAM_ONLY_CHECK_OPTIONS.filter((name) => flags[name] !== undefined);
  if (programOnly.length > 0)
    throw new UsageError(
      `--plan judges a Terraform plan, which has no Pulumi program: ${programOnly.map((name) => `--${name}`).join(", ")} cannot go with it`,
    );
  const { progress, policyConfig, packDir, targets } = prepareFileRun(flags, io, state, [
    "--plan",
    flags.plan === "-" ? undefined : flags.plan,
  ]);
  const input = readPlanInput(flags.plan!, io.cwd, flags["terraform-dir"]);
  // A plan's sensitive values are masked on stderr too, not only in the reports.
  maskerKnowing(masker, input.records.resources);
  progress.step(
    `read ${input.records.resources.filter(isReportedResource).length} resources from the Terraform plan ${input.given}`,
  );
  const report = await withPack(packDir, dependencies, progress, undefined, (host) =>
    evaluateWithConfig(async () => {
      const evaluation = await evaluate(host, input.records.resources, {
        mode: "check",
        stack: input.records.stack,
        packDir,
        policyConfig,
        onProgress: (done, total) => progress.count("analyzed", done, total),
        // Terraform applies the plan; it never runs the pack's remediations.
        remediationApplies: false,
      });
      return buildReport(evaluation, {
        toolVersion: toolVersion(),
        strictUnknowns: flags["strict-unknowns"] === true,
        baseDir: io.cwd,
        secrets: masker,
        fallbackLocation: terraformFileLocation(input, io),
      });
    }),
  );
  await emit(report, targets, io, progress);
  return report.summary.exitCode;
}

/**
 * Runs `work` within `timeoutMs` (--timeout bounds the whole check: program, pack and evaluation).
 * Past it the signal given to `work` is aborted with a ProgramDeadlineReason (the program's process
 * group is killed, the pack stopped) and the run fails with `expired()`'s error.
 */
async function within<T>(
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
  expired: () => Promise<Error>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new ProgramDeadlineReason());
      void expired().then(reject);
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

async function check(
  args: string[],
  io: CliIo,
  dependencies: CliDependencies,
  state: RunState,
  masker: SecretMasker,
): Promise<number> {
  const flags = parseFlags("check", args, CHECK_OPTIONS);
  if (flags.plan !== undefined) return checkPlan(flags, io, dependencies, state, masker);
  if (flags["terraform-dir"] !== undefined)
    throw new UsageError(
      "--terraform-dir goes with --plan FILE (a Terraform plan); a Pulumi program's check does not take it",
    );
  const timeoutMs = parseTimeout(flags.timeout);
  const stackOutputs = readStackOutputs(flags["stack-outputs"], io.cwd);
  // Every supplied stack output is a secret (see stackOutputs.ts), every decrypted config secret too.
  const runSecrets = new Set<string>();
  for (const outputs of Object.values(stackOutputs))
    for (const value of Object.values(outputs)) secretStrings(value, runSecrets);
  masker.add(runSecrets);
  const progress = new Progress(io.stderr, flags.quiet === true);
  const policyConfig = readPolicyConfig(flags["policy-config"], io.cwd);
  const packDir = resolvePackDir(flags["policy-pack"], io.cwd);
  const project = readPulumiProject(
    projectDirectory(flags.project, io.cwd),
    flags.stack,
    flags.config === undefined ? undefined : path.resolve(io.cwd, flags.config),
  );
  for (const value of decryptedConfigSecrets(project)) runSecrets.add(value);
  masker.add(runSecrets);
  const targets = reportTargets(
    flags,
    io.cwd,
    [
      ["the program's entry point", project.programPath],
      ["--config", flags.config],
      ["--policy-config", flags["policy-config"]],
      ["--stack-outputs", flags["stack-outputs"]],
    ],
    { projectDir: project.projectDir, packDir },
  );
  state.targets = targets;
  const strictUnknowns = flags["strict-unknowns"] === true;
  progress.step(
    `running ${path.relative(io.cwd, project.programPath) || project.programPath} (stack ${project.stack}) in preview under mocks, ${flags.typecheck === true ? "checking types as pulumi preview does" : "types not checked (--typecheck checks them)"}`,
  );
  const evaluateOptions = {
    mode: "check" as const,
    stack: { project: project.project, stack: project.stack },
    packDir,
    policyConfig,
    onProgress: (done: number, total: number | undefined) => progress.count("analyzed", done, total),
  };
  // The program and the pack start together, and each resource is analyzed as soon as it is
  // registered, as the engine does, so the program's work and the pack's overlap; the evaluator
  // holds what comes before the pack is ready.
  const evaluator = new Evaluator(evaluateOptions);
  let programFinished = false;
  let programRun: ReturnType<typeof runProgram> | undefined;
  const report = await within(
    timeoutMs,
    (deadline) => {
      const stopProgram = new AbortController();
      deadline.addEventListener("abort", () => stopProgram.abort(deadline.reason), { once: true });
      programRun = runProgram(project, {
        typecheck: flags.typecheck === true,
        onOutput: (line) => progress.programOutput(line),
        onResource: (resource) => {
          // The program's own secrets (pulumi.secret(...)) are masked in its output from now on.
          masker.add(recordSecretValues(resource));
          // A read resource (a StackReference) is in the stack for AnalyzeStack, but the engine analyzes no inputs of it.
          if (!resource.read) evaluator.analyze(resource);
        },
        stackOutputs,
        signal: stopProgram.signal,
        deadlineMs: timeoutMs,
      });
      programRun.then(
        () => (programFinished = true),
        () => (programFinished = true),
      );
      return checkWithPack(programRun, stopProgram, deadline);
    },
    async () => {
      // Still running: the program's own message (it names the program and what keeps it going).
      if (!programFinished && programRun) {
        const outcome = await programRun.then(
          () => undefined,
          (error: unknown) => error,
        );
        if (outcome instanceof Error) return outcome;
      }
      return new ProgramError(
        `keyguard check did not finish within ${flags.timeout ?? "10m"} (--timeout): the policy pack was still evaluating the program's resources, and was stopped`,
      );
    },
  );
  await emit(report, targets, io, progress);
  return report.summary.exitCode;

  function checkWithPack(
    programRun: ReturnType<typeof runProgram>,
    stopProgram: AbortController,
    deadline: AbortSignal,
  ): Promise<Report> {
    // A program that fails while the pack starts is reported when it is awaited, not as unhandled.
    programRun.catch(() => undefined);
    return withPack(packDir, dependencies, progress, deadline, (host) =>
      evaluateWithConfig(async () => {
        try {
          await evaluator.start(host);
        } catch (error) {
          // A program that fails is the first thing to fix: report it before a pack or config problem.
          await programRun;
          throw error;
        }
        const run = await programRun;
        progress.step(
          `the program registered ${run.resources.filter(isReportedResource).length} resources (and the stack)`,
        );
        const evaluation = await evaluator.finish(run.resources);
        return buildReport(evaluation, {
          toolVersion: toolVersion(),
          strictUnknowns,
          baseDir: io.cwd,
          notAnalyzed: [
            ...run.undecryptedConfigRead.map((key) => undecryptedConfigEntry(project, key, io.cwd)),
            ...run.unsuppliedStackReferences.map((stackName) =>
              unsuppliedStackReferenceEntry(stackName, run.resources, io.cwd),
            ),
            // The functions with offline values of keyguard's own (the caller's account, the region, a
            // key's ARN) are the documented stand-ins; the others' outputs are unknown here.
            ...run.offlineLookups.filter((lookup) => lookup.answer !== "offline-values").map(offlineLookupEntry),
          ],
          secrets: maskerKnowing(masker, run.resources),
          fallbackLocation: () => ({
            file: path.relative(io.cwd, path.join(project.projectDir, "Pulumi.yaml")).split(path.sep).join("/"),
            line: 1,
          }),
        });
      }),
    ).finally(() => stopProgram.abort());
  }
}

async function audit(
  args: string[],
  io: CliIo,
  dependencies: CliDependencies,
  state: RunState,
  masker: SecretMasker,
): Promise<number> {
  const { flags: flagArgs, positionals } = splitPositionals(args, AUDIT_OPTIONS);
  const flags = parseFlags("audit", flagArgs, AUDIT_OPTIONS);
  if (positionals.length > 1 || (positionals.length === 1 && flags["stack-export"] !== undefined))
    throw new UsageError(
      `keyguard audit reads one file, got ${[...positionals, ...(flags["stack-export"] ? [`--stack-export ${flags["stack-export"]}`] : [])].join(", ")}`,
    );
  const exportFile = flags["stack-export"] ?? positionals[0];
  if (exportFile === undefined)
    throw new UsageError(
      "keyguard audit needs --stack-export FILE (the JSON written by `pulumi stack export`) or a FILE: that JSON, `terraform show -json` (no plan) or `terraform state pull`",
    );
  if (flags.region !== undefined && !REGION_PATTERN.test(flags.region)) {
    throw new UsageError(`--region ${describeValue(flags.region)} is not an AWS region name like us-east-1`);
  }
  const { progress, policyConfig, packDir, targets } = prepareFileRun(flags, io, state, [
    flags["stack-export"] !== undefined ? "--stack-export" : "the audited file",
    exportFile,
  ]);
  const absoluteExport = path.resolve(io.cwd, exportFile);
  // --stack-export names a Pulumi export; a bare FILE may be any state keyguard reads.
  const input =
    flags["stack-export"] !== undefined
      ? { kind: "pulumi-export" as const, stackExport: readStackExport(absoluteExport) }
      : readAuditInput(exportFile, io.cwd, flags["terraform-dir"]);
  if (input.kind === "pulumi-export" && flags["terraform-dir"] !== undefined)
    throw new UsageError(`--terraform-dir goes with a Terraform state; ${exportFile} is a Pulumi stack export`);
  const stackExport: Pick<StackExport, "stack" | "resources" | "plaintextSecrets"> =
    input.kind === "pulumi-export" ? input.stackExport : { ...input.records, plaintextSecrets: [] };
  masker.add(stackExport.plaintextSecrets);
  maskerKnowing(masker, stackExport.resources);
  progress.step(
    `read ${stackExport.resources.filter(isReportedResource).length} resources of ${stackExport.stack.project}/${stackExport.stack.stack} from ${exportFile}`,
  );
  const liveDrift =
    flags.live === true
      ? checkLive(stackExport.resources, {
          region: flags.region,
          deployedBy: input.kind === "terraform" ? "Terraform" : "Pulumi",
          requestTimeoutMs: liveRequestTimeout(io.env),
        })
      : Promise.resolve(undefined);
  // Keep an early AWS failure from going unhandled while the pack works.
  liveDrift.catch(() => undefined);
  const report = await withPack(packDir, dependencies, progress, undefined, (host) =>
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
      const exportRelative =
        path.relative(io.cwd, absoluteExport).split(path.sep).join("/") || path.basename(absoluteExport);
      return buildReport(evaluation, {
        toolVersion: toolVersion(),
        strictUnknowns: flags["strict-unknowns"] === true,
        baseDir: io.cwd,
        drift,
        secrets: masker,
        fallbackLocation:
          input.kind === "terraform"
            ? terraformFileLocation(input, io)
            : (resource) => ({
                file: exportRelative,
                line: (resource && input.stackExport.lineOfUrn.get(resource.urn)) ?? 1,
              }),
      });
    }),
  );
  await emit(report, targets, io, progress);
  return report.summary.exitCode;
}

export async function main(argv: string[], given: CliIo, dependencies: CliDependencies = {}): Promise<number> {
  const [command, ...rest] = argv;
  const state: RunState = { targets: [] };
  // Every secret the run learns (decrypted config, stack outputs, an export's plaintext, the
  // program's secret values) is masked in whatever reaches stderr from then on: progress, the
  // program's output, error messages. Reports are masked when they are built (report.ts).
  const masker = new SecretMasker();
  const io: CliIo = { ...given, stderr: maskingStream(given.stderr, masker) };
  try {
    // `keyguard audit --help` asks for the usage, as every CLI answers it; it is no unknown option.
    if ((command === "check" || command === "audit") && rest.some((arg) => arg === "--help" || arg === "-h")) {
      io.stdout.write(USAGE);
      return 0;
    }
    switch (command) {
      case "check":
        return await check(rest, io, dependencies, state, masker);
      case "audit":
        return await audit(rest, io, dependencies, state, masker);
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
        throw new UsageError(
          `unknown command ${describeValue(command)}; the commands are check and audit (keyguard --help for usage)`,
        );
    }
  } catch (error) {
    // Exit 2: no report of this run, and no older one at its paths claiming a verdict this run did not reach.
    discardReports(state.targets);
    // The reason may quote a program's or an export's strings: shown, never executed (escape.ts).
    io.stderr.write(`keyguard: error: ${terminalText(oneLineReason(error))}\n`);
    return 2;
  }
}

/** Exit codes for a run stopped by a signal, as a shell reports them (128 + the signal's number). */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** Entry point of bin/keyguard.js. */
export function run(): void {
  // A cancelled CI job (SIGTERM) or Ctrl-C (SIGINT): the program's process group and the pack
  // are stopped with keyguard, never left running without it.
  for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
    process.once(signal, () => {
      stopTrackedProcesses();
      process.stderr.write(`keyguard: stopped by ${signal}; the program and the policy pack were stopped too\n`);
      process.exit(code);
    });
  }
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  }).then(
    (code) => {
      // Nothing the run started outlives it (a pack a failed run never got to close).
      stopTrackedProcesses();
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`keyguard: error: ${String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

if (require.main === module) run();
