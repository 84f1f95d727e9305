/**
 * Runs the real `terraform` binary on a fixture through the stand-in AWS provider and returns what
 * it writes: the plan JSON (`terraform show -json plan.out`) and, for state cases, the state JSON
 * (`terraform show -json`) and the raw state (`terraform state pull`).
 *
 * Each run works in its own temporary folder (a copy of the fixture, its own TF_DATA_DIR and plugin
 * cache, an empty CLI configuration, no checkpoint calls, no inherited TF_* variables), which it
 * removes afterwards. Runs may share one stand-in process (starting one takes seconds on a busy
 * machine; it keeps each connection's provider configuration apart); a run given none starts its
 * own and always stops it. Terraform downloads
 * nothing: the provider is reattached (TF_REATTACH_PROVIDERS names the stand-in's own pid, and
 * Terraform starts only once the stand-in is listening, because a Terraform that cannot reach the
 * address kills that pid).
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GENERATED_FILES, type TerraformCase } from "./fixtureCases";

export interface TerraformOutputs {
  /** `terraform show -json plan.out`, as Terraform printed it. */
  readonly planJson: string;
  /** `terraform show -json` after applying the plan (recordState cases). */
  readonly stateJson?: string;
  /** `terraform state pull` after applying the plan (recordState cases). */
  readonly rawState?: string;
}

/** A fixed lineage for the state files the harness starts from, so raw state does not churn. */
export const SEEDED_LINEAGE = "6b657967-7561-4264-a074-657272616f6d";

const PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws";
const STAND_IN_MAIN = path.join(__dirname, "main.ts");

/** `terraform version`'s first line, or null when there is no terraform on PATH. */
export async function terraformVersion(): Promise<string | null> {
  try {
    const result = await run("terraform", ["version"], { cwd: os.tmpdir(), env: { ...process.env } });
    return result.code === 0 ? result.stdout.split("\n")[0] : null;
  } catch {
    return null;
  }
}

export async function runTerraform(
  fixtureDir: string,
  terraformCase: TerraformCase,
  sharedStandIn?: StandIn,
): Promise<TerraformOutputs> {
  const standIn = sharedStandIn ?? (await startStandIn());
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `keyguard-tf-${terraformCase.name}-`));
  const work = path.join(scratch, "work");
  try {
    fs.mkdirSync(path.join(scratch, "plugin-cache"));
    fs.writeFileSync(path.join(scratch, "empty.tfrc"), "");
    const env = terraformEnv(scratch, standIn.child.pid!, standIn.address);
    const terraform = async (...args: string[]) => {
      const result = await run("terraform", args, { cwd: work, env });
      if (result.code !== 0)
        throw new Error(
          `terraform ${args.join(" ")} failed (exit ${result.code}) for fixture ${terraformCase.name}:\n` +
            `${result.stdout}\n${result.stderr}\nstand-in provider stderr:\n${standIn.stderr()}`,
        );
      return result.stdout;
    };

    fs.mkdirSync(work);
    if (terraformCase.priorConfig) {
      copyConfiguration(path.join(fixtureDir, terraformCase.priorConfig), work, []);
      seedState(work);
      await terraform("init", "-input=false", "-no-color");
      await terraform("apply", "-input=false", "-no-color", "-auto-approve");
      for (const entry of fs.readdirSync(work))
        if (entry !== "terraform.tfstate") fs.rmSync(path.join(work, entry), { recursive: true });
    } else if (terraformCase.recordState) {
      seedState(work);
    }
    copyConfiguration(fixtureDir, work, terraformCase.priorConfig ? [terraformCase.priorConfig] : []);
    await terraform("init", "-input=false", "-no-color");
    await terraform("plan", "-input=false", "-no-color", "-out=plan.out");
    const planJson = await terraform("show", "-json", "-no-color", "plan.out");
    if (!terraformCase.recordState) return { planJson };
    await terraform("apply", "-input=false", "-no-color", "plan.out");
    const stateJson = await terraform("show", "-json", "-no-color");
    const rawState = await terraform("state", "pull");
    return { planJson, stateJson, rawState };
  } finally {
    if (!sharedStandIn) await standIn.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function terraformEnv(scratch: string, pid: number, address: string): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("TF_")));
  return {
    ...inherited,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    TF_CLI_CONFIG_FILE: path.join(scratch, "empty.tfrc"),
    TF_DATA_DIR: path.join(scratch, "tf-data"),
    TF_PLUGIN_CACHE_DIR: path.join(scratch, "plugin-cache"),
    TF_REATTACH_PROVIDERS: JSON.stringify({
      [PROVIDER_ADDRESS]: {
        Protocol: "grpc",
        ProtocolVersion: 6,
        Pid: pid,
        Test: true,
        Addr: { Network: "tcp", String: address },
      },
    }),
  };
}

/** The fixture's configuration (.tf files and module folders), without generated outputs or the skipped sub-folders. */
function copyConfiguration(from: string, to: string, skipFolders: readonly string[]): void {
  const skipped = new Set<string>([...GENERATED_FILES, ...skipFolders, ".terraform", ".terraform.lock.hcl"]);
  for (const entry of fs.readdirSync(from)) {
    if (skipped.has(entry)) continue;
    fs.cpSync(path.join(from, entry), path.join(to, entry), { recursive: true });
  }
}

/** An empty state with a fixed lineage: Terraform keeps a state file's lineage, so raw state is stable. */
function seedState(work: string): void {
  const state = {
    version: 4,
    terraform_version: "1.11.4",
    serial: 0,
    lineage: SEEDED_LINEAGE,
    outputs: {},
    resources: [],
  };
  fs.writeFileSync(path.join(work, "terraform.tfstate"), `${JSON.stringify(state, null, 2)}\n`);
}

export interface StandIn {
  readonly child: ChildProcess;
  readonly address: string;
  /** The provider RPCs Terraform made so far, in first-call order. */
  rpcs(): string[];
  stderr(): string;
  stop(): Promise<void>;
}

/** The stand-in as its own process, ready once it printed the address it listens on. */
export async function startStandIn(): Promise<StandIn> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", STAND_IN_MAIN], {
    cwd: path.resolve(__dirname, "..", "..", ".."),
    env: { ...process.env, TS_NODE_PROJECT: path.resolve(__dirname, "..", "..", "..", "tsconfig.json") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const address = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && /^127\.0\.0\.1:\d+$/.test(line)) resolve(line);
    });
    child.once("exit", (code) =>
      reject(new Error(`the stand-in AWS provider exited (${code}) before listening: ${stderr}`)),
    );
  });
  return {
    child,
    address,
    stderr: () => stderr,
    rpcs: () => [
      ...new Set(
        stderr
          .split("\n")
          .filter((line) => line.startsWith("rpc "))
          .map((line) => line.slice("rpc ".length)),
      ),
    ],
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}
