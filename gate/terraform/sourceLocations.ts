/**
 * Where each Terraform resource is declared: the `resource "TYPE" "NAME"` line in its module's `.tf`
 * files, so SARIF annotations and the Markdown summary point at the line a reviewer changes.
 *
 * Module folders: `.terraform/modules/modules.json` in the root module, which `terraform init`
 * writes for every module call, local or downloaded (`{"Modules": [{"Key": "a.b", "Dir": "..."}]}`);
 * without it, a plan's local module sources (`./modules/kms-key`, relative to the calling module).
 * Registry and git modules that were never initialised here have no folder to read: their resources
 * keep the plan file as their location.
 */
import * as fs from "fs";
import * as path from "path";
import type { ResourceRecord, SourceLocation } from "../resourceRecord";
import type { TerraformOrigin, TerraformRecords } from "./records";

/** A block opening `resource "TYPE" "NAME" {` (labels may also be bare identifiers in HCL). */
const RESOURCE_BLOCK = /^\s*resource\s+"?([A-Za-z0-9_-]+)"?\s+"?([A-Za-z0-9_-]+)"?\s*\{/;

function isLocalSource(source: string): boolean {
  return source.startsWith("./") || source.startsWith("../");
}

/** `module.a.module.b` → the folder of that module, when it can be found. */
function moduleFolders(
  rootDir: string,
  moduleSources: Map<string, string>,
): (configPath: string) => string | undefined {
  const fromManifest = new Map<string, string>();
  try {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(rootDir, ".terraform", "modules", "modules.json"), "utf8"),
    ) as { Modules?: { Key?: unknown; Dir?: unknown }[] };
    for (const entry of manifest.Modules ?? []) {
      if (typeof entry.Key !== "string" || typeof entry.Dir !== "string" || entry.Key === "") continue;
      const configPath = entry.Key.split(".")
        .map((name) => `module.${name}`)
        .join(".");
      fromManifest.set(configPath, path.resolve(rootDir, entry.Dir));
    }
  } catch {
    // No manifest (not initialised here): local sources below.
  }
  const folderOf = (configPath: string): string | undefined => {
    if (configPath === "") return rootDir;
    const known = fromManifest.get(configPath);
    if (known) return known;
    const source = moduleSources.get(configPath);
    if (source === undefined || !isLocalSource(source)) return undefined;
    const parent = folderOf(configPath.slice(0, Math.max(0, configPath.lastIndexOf(".module."))));
    return parent === undefined ? undefined : path.resolve(parent, source);
  };
  return folderOf;
}

/** Each `type.name` declared in a folder's `.tf` files → where. */
function blocksIn(folder: string): Map<string, SourceLocation> {
  const blocks = new Map<string, SourceLocation>();
  let files: string[];
  try {
    files = fs
      .readdirSync(folder)
      .filter((file) => file.endsWith(".tf"))
      .sort();
  } catch {
    return blocks;
  }
  for (const file of files) {
    const absolute = path.join(folder, file);
    fs.readFileSync(absolute, "utf8")
      .split("\n")
      .forEach((line, index) => {
        const match = RESOURCE_BLOCK.exec(line);
        const key = match ? `${match[1]}.${match[2]}` : undefined;
        if (key && !blocks.has(key))
          blocks.set(key, { file: absolute, line: index + 1, column: line.indexOf("resource") + 1 });
      });
  }
  return blocks;
}

function configPathOf(origin: TerraformOrigin): string {
  return origin.modules.map((step) => `module.${step.name}`).join(".");
}

/**
 * Sets each record's `sourceLocation` to its resource block, where the `.tf` files under `rootDir`
 * (the root module) and its modules' folders declare it; returns how many were found.
 */
export function locateResourceBlocks(records: TerraformRecords, rootDir: string): number {
  const folderOf = moduleFolders(rootDir, records.moduleSources);
  const blocksByFolder = new Map<string, Map<string, SourceLocation>>();
  let found = 0;
  for (const record of records.resources as ResourceRecord[]) {
    const origin = records.origins.get(record.urn);
    if (!origin) continue;
    const folder = folderOf(configPathOf(origin));
    if (folder === undefined) continue;
    let blocks = blocksByFolder.get(folder);
    if (!blocks) blocksByFolder.set(folder, (blocks = blocksIn(folder)));
    const location = blocks.get(`${origin.type}.${origin.name}`);
    if (location) {
      record.sourceLocation = location;
      found++;
    }
  }
  return found;
}

/** True when a folder holds `.tf` files (a Terraform root module). */
export function hasTerraformFiles(folder: string): boolean {
  try {
    return fs.readdirSync(folder).some((file) => file.endsWith(".tf"));
  } catch {
    return false;
  }
}
