/**
 * Which module a Pulumi Node.js program starts from, in which folder it runs, and how it is loaded,
 * as `pulumi preview` decides them:
 * - the CLI (sdk/go/common/workspace `getPwdMain`): `main` must be a relative path inside the project;
 *   a folder becomes the working directory and the entry point `.`; a file runs in its own folder;
 * - the Node.js language host (@pulumi/pulumi cmd/run/run.js): with entry point `.`, the nearest
 *   package.json's `exports` or `main` names the module; a package.json with `"type": "module"`
 *   makes it an ES module, loaded with `import()` (a folder then by index.js, index.mjs, index.ts,
 *   index.mts), else it is `require()`d;
 * - Pulumi.yaml `runtime.options`: `typescript: false` loads no TypeScript compiler, `nodeargs` are
 *   Node's arguments; `packagemanager` only picks the installer (`pulumi install`), so it is checked
 *   and has no other effect here.
 */
import * as fs from "fs";
import * as path from "path";
import { UsageError } from "../usageError";
import { describeValue } from "../../messages/describe";

export interface ProgramEntry {
  /** The program's working directory (`process.cwd()` in the program): the `main` folder, or the main file's folder. */
  programDir: string;
  /** The module loaded: a file, or a folder that `require()` resolves (package.json `main`, index.*). */
  programPath: string;
  /** The program's package.json says `"type": "module"`: the language host loads it with `import()`. */
  esModule: boolean;
  /** Pulumi.yaml `runtime.options.typescript` (default true): register ts-node for the program. */
  typescript: boolean;
  /** Pulumi.yaml `runtime.options.nodeargs`, split as the language host splits them (on spaces). */
  nodeArgs: string[];
}

const PACKAGE_MANAGERS = ["npm", "yarn", "pnpm", "bun"];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The folder of the nearest package.json at or above `start` (the language host's package root), else `start`. */
function packageRoot(start: string): string {
  for (let directory = start; ; directory = path.dirname(directory)) {
    if (fs.existsSync(path.join(directory, "package.json"))) return directory;
    if (path.dirname(directory) === directory) return start;
  }
}

function readPackageJson(directory: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(directory, "package.json"), "utf8")) as unknown;
    return isPlainObject(parsed) ? parsed : {};
  } catch {
    // As the language host: the manifest is read best-effort.
    return {};
  }
}

/** The package.json entry point the language host uses for entry point `.`: `exports`, else `main` (if it exists). */
function packageEntryPoint(root: string, manifest: Record<string, unknown>): string | undefined {
  const exportsField = manifest.exports;
  let entry: unknown;
  if (typeof exportsField === "string") entry = exportsField;
  else if (isPlainObject(exportsField)) {
    const main = exportsField["."];
    entry = isPlainObject(main) ? (main.default ?? main.require ?? main.import) : main;
  } else entry = manifest.main;
  if (typeof entry !== "string" || entry.length === 0) return undefined;
  const resolved = path.join(root, entry);
  // The language host warns and falls back to the folder when the named entry point does not exist.
  return fs.existsSync(resolved) ? resolved : undefined;
}

/** An ES module folder is imported by its index file, in the language host's order. */
function esModuleIndex(folder: string, projectFile: string, main: string): string {
  const index = ["index.js", "index.mjs", "index.ts", "index.mts"]
    .map((name) => path.join(folder, name))
    .find((file) => fs.existsSync(file));
  if (!index)
    throw new UsageError(`project file ${projectFile}: main ${describeValue(main)}: no entrypoint found in ${folder}`);
  return index;
}

/** A CommonJS folder as `require()` would resolve it once TypeScript is registered: package.json main, index.js, index.ts. */
function commonJsIndex(folder: string, projectFile: string, main: string, typescript: boolean): string {
  const manifestMain = packageEntryPoint(folder, readPackageJson(folder));
  if (manifestMain && fs.statSync(manifestMain).isFile()) return manifestMain;
  const names = ["index.js", "index.json", "index.node", ...(typescript ? ["index.ts"] : [])];
  const index = names.map((name) => path.join(folder, name)).find((file) => fs.existsSync(file));
  if (!index)
    throw new UsageError(
      `project file ${projectFile}: main ${describeValue(main)} has no program (looked for ${names.map((name) => path.join(folder, name)).join(", ")})`,
    );
  return index;
}

function runtimeOptions(
  document: Record<string, unknown>,
  projectFile: string,
): { typescript: boolean; nodeArgs: string[] } {
  const runtime = document.runtime;
  const options = isPlainObject(runtime) ? runtime.options : undefined;
  if (options === undefined || options === null) return { typescript: true, nodeArgs: [] };
  if (!isPlainObject(options))
    throw new UsageError(
      `project file ${projectFile}: runtime.options must be a mapping, got ${describeValue(options)}`,
    );
  const { typescript = true, nodeargs = "", packagemanager } = options;
  if (typeof typescript !== "boolean")
    throw new UsageError(
      `project file ${projectFile}: runtime.options.typescript must be true or false, got ${describeValue(typescript)}`,
    );
  if (typeof nodeargs !== "string")
    throw new UsageError(
      `project file ${projectFile}: runtime.options.nodeargs must be a string of Node.js arguments, got ${describeValue(nodeargs)}`,
    );
  if (packagemanager !== undefined && !PACKAGE_MANAGERS.includes(packagemanager as string))
    throw new UsageError(
      `project file ${projectFile}: runtime.options.packagemanager ${describeValue(packagemanager)} is not one of ${PACKAGE_MANAGERS.join(", ")}`,
    );
  return { typescript, nodeArgs: nodeargs.split(" ").filter((argument) => argument.length > 0) };
}

/** The program of the project in `projectDir` whose Pulumi.yaml (`projectFile`) is `document`. */
export function programEntry(projectDir: string, projectFile: string, document: Record<string, unknown>): ProgramEntry {
  const { typescript, nodeArgs } = runtimeOptions(document, projectFile);
  const main = document.main === undefined ? "" : document.main;
  if (typeof main !== "string")
    throw new UsageError(`project file ${projectFile}: "main" must be a path, got ${describeValue(main)}`);
  if (path.isAbsolute(main))
    throw new UsageError(`project file ${projectFile}: main ${describeValue(main)} must be a relative path`);
  const mainPath = path.resolve(projectDir, main || ".");
  if (mainPath !== projectDir && !mainPath.startsWith(projectDir + path.sep))
    throw new UsageError(
      `project file ${projectFile}: main ${describeValue(main)} must be a folder or file inside the project ${projectDir}`,
    );
  let isFolder: boolean;
  try {
    isFolder = fs.statSync(mainPath).isDirectory();
  } catch (error) {
    throw new UsageError(
      `project file ${projectFile}: main ${describeValue(main)} could not be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const programDir = isFolder ? mainPath : path.dirname(mainPath);
  const root = packageRoot(programDir);
  const manifest = readPackageJson(root);
  const esModule = manifest.type === "module";
  let programPath = mainPath;
  if (isFolder) {
    const fromManifest = packageEntryPoint(root, manifest);
    programPath = fromManifest ?? mainPath;
  }
  if (fs.statSync(programPath).isDirectory())
    programPath = esModule
      ? esModuleIndex(programPath, projectFile, main || ".")
      : commonJsIndex(programPath, projectFile, main || ".", typescript);
  return { programDir, programPath, esModule, typescript, nodeArgs };
}
