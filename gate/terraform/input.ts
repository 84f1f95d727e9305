/**
 * The files `keyguard check --plan FILE` and `keyguard audit FILE` are given, read (FILE `-`: stdin
 * for a plan) and told apart by content, into records with their `.tf` locations.
 */
import * as fs from "fs";
import * as path from "path";
import { stackExportFromDocument, type StackExport } from "../audit/stackExport";
import { UsageError } from "../usageError";
import { readDocument } from "./document";
import { readPlan } from "./plan";
import { DEFAULT_TERRAFORM_PROJECT, type TerraformRecords } from "./records";
import { hasTerraformFiles, locateResourceBlocks } from "./sourceLocations";
import { readRawState, readStateJson } from "./state";

export interface TerraformInput {
  records: TerraformRecords;
  /** The file as given (`-` for stdin), for messages. */
  given: string;
  /** The file's absolute path; undefined for stdin. */
  file?: string;
  /** The root module's folder, where `.tf` files are looked for. */
  rootDir: string;
  /** 1-based line of each resource's `"address"` in the file (for reports that point into it). */
  lineOfAddress: (address: string) => number;
}

export type AuditInput = { kind: "pulumi-export"; stackExport: StackExport } | ({ kind: "terraform" } & TerraformInput);

function readText(given: string, cwd: string, what: string): { text: string; file?: string } {
  if (given === "-") {
    try {
      return { text: fs.readFileSync(0, "utf8") };
    } catch (error) {
      throw new UsageError(
        `${what} - (stdin) cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
  }
  const file = path.resolve(cwd, given);
  try {
    return { text: fs.readFileSync(file, "utf8"), file };
  } catch (error) {
    throw new UsageError(`${what} ${given} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** The root module's folder: --terraform-dir, else the folder the file is in, else the current one. */
function rootDirOf(terraformDir: string | undefined, file: string | undefined, cwd: string): string {
  if (terraformDir !== undefined) {
    const folder = path.resolve(cwd, terraformDir);
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory())
      throw new UsageError(
        `--terraform-dir ${terraformDir} is not a folder; give the root module's folder (where the .tf files are)`,
      );
    return folder;
  }
  return file === undefined ? cwd : path.dirname(file);
}

/** The project name: the root module's folder name when it holds `.tf` files, else "terraform". */
function projectOf(rootDir: string): string {
  return hasTerraformFiles(rootDir) ? path.basename(rootDir) : DEFAULT_TERRAFORM_PROJECT;
}

function lineFinder(text: string): (address: string) => number {
  let lines: Map<string, number> | undefined;
  return (address) => {
    if (!lines) {
      lines = new Map();
      text.split("\n").forEach((line, index) => {
        const match = /"address"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(line);
        if (!match) return;
        const found = JSON.parse(match[1]) as string;
        if (!lines!.has(found)) lines!.set(found, index + 1);
      });
    }
    return lines.get(address) ?? 1;
  };
}

function finish(
  records: (project: string) => TerraformRecords,
  given: string,
  file: string | undefined,
  text: string,
  rootDir: string,
): TerraformInput {
  const read = records(projectOf(rootDir));
  locateResourceBlocks(read, rootDir);
  return { records: read, given, ...(file ? { file } : {}), rootDir, lineOfAddress: lineFinder(text) };
}

/** `keyguard check --plan FILE`: the output of `terraform show -json plan.out`. */
export function readPlanInput(given: string, cwd: string, terraformDir?: string): TerraformInput {
  const what = `--plan ${given === "-" ? "- (stdin)" : given}`;
  const { text, file } = readText(given, cwd, "--plan");
  const { document } = readDocument(
    text,
    what,
    ["terraform-plan"],
    "give the output of `terraform show -json plan.out` (terraform plan -out plan.out && terraform show -json plan.out > plan.json); keyguard audit reads states and Pulumi stack exports",
  );
  const rootDir = rootDirOf(terraformDir, file, cwd);
  return finish((project) => readPlan(document, what, { project }), given, file, text, rootDir);
}

/** `keyguard audit FILE`: a Terraform state (either form) or a Pulumi stack export, told by content. */
export function readAuditInput(given: string, cwd: string, terraformDir?: string): AuditInput {
  const { text, file } = readText(given, cwd, "audit");
  const what = `audit ${given}`;
  const { kind, document } = readDocument(
    text,
    what,
    ["terraform-state", "terraform-raw-state", "pulumi-export"],
    "keyguard audit reads `terraform show -json` (no plan), `terraform state pull` and `pulumi stack export`; a plan is judged by keyguard check --plan",
  );
  if (kind === "pulumi-export") return { kind, stackExport: stackExportFromDocument(document, text, given) };
  const rootDir = rootDirOf(terraformDir, file, cwd);
  const read = (project: string) =>
    kind === "terraform-state" ? readStateJson(document, what, { project }) : readRawState(document, what, { project });
  return { kind: "terraform", ...finish(read, given, file, text, rootDir) };
}
