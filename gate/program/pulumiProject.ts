/**
 * Reads a Pulumi project the way the Pulumi CLI does for a Node.js program: `Pulumi.yaml`
 * (name, runtime, main, project-level config defaults) and `Pulumi.<stack>.yaml` (the stack's
 * config), then turns the config into the runtime's flat `namespace:key -> string` map.
 */
import * as fs from "fs";
import * as path from "path";
import { UsageError } from "../usageError";
import { describeValue } from "../../messages/describe";
import { UNKNOWN_STRING_SENTINEL } from "../../facts";
import { programEntry, type ProgramEntry } from "./programEntry";
import { secretStrings } from "../secretMasker";

// The YAML parser @pulumi/pulumi itself reads these files with (js-yaml, its dependency), found
// from @pulumi/pulumi so it is there however npm laid out node_modules.
const yaml = require(
  require.resolve("js-yaml", { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] }),
) as {
  load(text: string): unknown;
};

export const DEFAULT_STACK = "dev";
export const DEFAULT_REGION = "us-east-1";

export interface PulumiProject extends ProgramEntry {
  projectDir: string;
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
  /**
   * `secure:` values whose ciphertext cannot be decrypted offline (no `--config` gave their
   * plaintext): fully qualified key -> the file that holds it. The program gets each as an unknown
   * secret (see programChild.ts); `config` holds the unknown sentinel for them.
   */
  undecryptable: Record<string, string>;
  region: string;
}

function readYamlFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`${what} ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return yaml.load(text);
  } catch (error) {
    const reason = String((error as Error).message ?? error).split("\n")[0];
    throw new UsageError(`${what} ${file} is not valid YAML: ${reason}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Adds one config entry to the runtime map, qualifying a bare key with the project name as Pulumi does. */
function addConfigEntry(
  project: string,
  key: string,
  value: unknown,
  config: Record<string, string>,
  secretKeys: Set<string>,
  undecryptable: Record<string, string>,
  file: string,
): void {
  const qualified = key.includes(":") ? key : `${project}:${key}`;
  if (isPlainObject(value) && typeof value.secure === "string") {
    config[qualified] = UNKNOWN_STRING_SENTINEL;
    secretKeys.add(qualified);
    undecryptable[qualified] = file;
    return;
  }
  if (value === null || value === undefined) return;
  // A plain value (from --config) for a key the stack keeps secure: its plaintext, still a secret.
  delete undecryptable[qualified];
  config[qualified] = typeof value === "string" ? value : JSON.stringify(value);
}

function readConfigMap(file: string, what: string, document: unknown, allowBare: boolean): Record<string, unknown> {
  if (document === null || document === undefined) return {};
  if (!isPlainObject(document))
    throw new UsageError(`${what} ${file} must be a YAML mapping with a "config" key, got ${describeValue(document)}`);
  if ("config" in document) {
    const config = document.config;
    if (config === null || config === undefined) return {};
    if (!isPlainObject(config))
      throw new UsageError(
        `${what} ${file}: "config" must be a mapping of config keys to values, got ${describeValue(config)}`,
      );
    return config;
  }
  if (allowBare) return document;
  return {};
}

/** The folder of the nearest `Pulumi.yaml` at or above `start`, as the Pulumi CLI finds its project. */
export function findProjectDir(start: string): string | undefined {
  for (let directory = path.resolve(start); ; directory = path.dirname(directory)) {
    if (PROJECT_FILE_NAMES.some((name) => fs.existsSync(path.join(directory, name)))) return directory;
    if (path.dirname(directory) === directory) return undefined;
  }
}

const PROJECT_FILE_NAMES = ["Pulumi.yaml", "Pulumi.yml"];
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * The stack a `--stack` value names, in the forms the Pulumi CLI takes: `stack`, `org/stack` and
 * `org/project/stack`. The org picks a backend account, which an offline run has none of; the
 * project, when given, must be this one, as the CLI requires.
 */
function stackFromFlag(flag: string, project: string, projectFile: string): string {
  const parts = flag.split("/");
  if (parts.length > 3 || parts.some((part) => !STACK_NAME.test(part) || /^\.+$/.test(part))) {
    throw new UsageError(
      `--stack ${describeValue(flag)}: a stack name has only letters, digits, "-", "_" and "." (given as NAME, ORG/NAME or ORG/PROJECT/NAME)`,
    );
  }
  if (parts.length === 3 && parts[1] !== project) {
    throw new UsageError(
      `--stack ${flag}: project ${describeValue(parts[1])} is not this project's name ${describeValue(project)} (${projectFile})`,
    );
  }
  return parts[parts.length - 1];
}

/** The stacks that have a `Pulumi.<stack>.yaml` in `directory`, sorted. */
function stacksWithConfig(directory: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(directory);
  } catch {
    return [];
  }
  return names
    .map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1])
    .filter((stack): stack is string => stack !== undefined && STACK_NAME.test(stack))
    .sort();
}

/**
 * The stack to run when `--stack` is not given. The Pulumi CLI runs the selected stack, which only
 * its backend knows; offline, `dev` when it has a stack file, else the one stack that has one.
 * Several stacks and none of them `dev`: guessing would judge a program with another stack's
 * config, so it is refused. No stack file at all: the program runs with no stack config (as a new
 * stack's first preview does).
 */
function defaultStack(configDirectory: string): string {
  const stacks = stacksWithConfig(configDirectory);
  if (stacks.includes(DEFAULT_STACK) || stacks.length === 0) return DEFAULT_STACK;
  if (stacks.length === 1) return stacks[0];
  throw new UsageError(
    `no --stack given and no Pulumi.${DEFAULT_STACK}.yaml in ${configDirectory}: it has stack files for ${stacks.join(", ")}; choose one with --stack NAME`,
  );
}

/** Reads the project in `projectDir` for `stack`; `configFile` (YAML or JSON) overrides the stack's config. */
export function readPulumiProject(
  projectDir: string,
  stack: string | undefined,
  configFile: string | undefined,
): PulumiProject {
  const absoluteDir = path.resolve(projectDir);
  if (!fs.existsSync(absoluteDir) || !fs.statSync(absoluteDir).isDirectory()) {
    throw new UsageError(`--project ${projectDir}: no such directory`);
  }
  const projectFile = PROJECT_FILE_NAMES.map((name) => path.join(absoluteDir, name)).find((file) =>
    fs.existsSync(file),
  );
  if (!projectFile)
    throw new UsageError(
      `--project ${projectDir}: no Pulumi.yaml in ${absoluteDir}; a Pulumi project directory is required`,
    );
  const document = readYamlFile(projectFile, "project file");
  if (!isPlainObject(document))
    throw new UsageError(`project file ${projectFile} must be a YAML mapping, got ${describeValue(document)}`);
  const project = document.name;
  if (typeof project !== "string" || project.length === 0) {
    throw new UsageError(
      `project file ${projectFile}: "name" must be a non-empty string, got ${describeValue(project)}`,
    );
  }
  const runtime = isPlainObject(document.runtime) ? document.runtime.name : document.runtime;
  if (runtime !== "nodejs") {
    throw new UsageError(
      `project file ${projectFile}: runtime ${describeValue(runtime)} is not supported; keyguard check runs "nodejs" programs`,
    );
  }
  const entry = programEntry(absoluteDir, projectFile, document);

  const config: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const undecryptable: Record<string, string> = {};
  // Project-level defaults first (`config: { key: { default: v } }` or `key: v`), then the stack, then --config.
  if (isPlainObject(document.config)) {
    for (const [key, declaration] of Object.entries(document.config)) {
      const value = isPlainObject(declaration) ? (declaration.value ?? declaration.default) : declaration;
      addConfigEntry(project, key, value, config, secretKeys, undecryptable, projectFile);
    }
  }
  // Pulumi.yaml's `stackConfigDir` moves the stack files into a directory of the project.
  const stackConfigDir = document.stackConfigDir ?? ".";
  if (typeof stackConfigDir !== "string") {
    throw new UsageError(
      `project file ${projectFile}: "stackConfigDir" must be a directory path, got ${describeValue(stackConfigDir)}`,
    );
  }
  const stackName =
    stack === undefined
      ? defaultStack(path.join(absoluteDir, stackConfigDir))
      : stackFromFlag(stack, project, projectFile);
  const stackFile = path.join(absoluteDir, stackConfigDir, `Pulumi.${stackName}.yaml`);
  if (fs.existsSync(stackFile)) {
    for (const [key, value] of Object.entries(
      readConfigMap(stackFile, "stack file", readYamlFile(stackFile, "stack file"), false),
    )) {
      addConfigEntry(project, key, value, config, secretKeys, undecryptable, stackFile);
    }
  } else if (stack !== undefined && configFile === undefined) {
    // Pulumi runs a stack without a stack file (no config); here that is most likely a misspelt
    // --stack, so it is refused unless --config supplies the stack's config.
    throw new UsageError(
      `--stack ${stack}: no stack file ${stackFile} (give the stack's config with --config FILE if it has none)`,
    );
  }
  if (configFile !== undefined) {
    const absoluteConfigFile = path.resolve(configFile);
    for (const [key, value] of Object.entries(
      readConfigMap(absoluteConfigFile, "--config", readYamlFile(absoluteConfigFile, "--config"), true),
    )) {
      addConfigEntry(project, key, value, config, secretKeys, undecryptable, absoluteConfigFile);
    }
  }
  const region = config["aws:region"] ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_REGION;
  return {
    projectDir: absoluteDir,
    project,
    stack: stackName,
    ...entry,
    config,
    secretKeys: [...secretKeys],
    undecryptable,
    region,
  };
}

/**
 * The plaintext of every secret config value the run knows (a `secure:` key whose plaintext came
 * with --config): the string the program reads, and for a structured value each of its leaves.
 * Masked wherever keyguard writes, as the Pulumi CLI masks decrypted config secrets.
 */
export function decryptedConfigSecrets(project: PulumiProject): Set<string> {
  const values = new Set<string>();
  for (const key of project.secretKeys) {
    if (key in project.undecryptable) continue;
    const value = project.config[key];
    if (value === undefined || value === UNKNOWN_STRING_SENTINEL) continue;
    values.add(value);
    let structured: unknown;
    try {
      structured = JSON.parse(value);
    } catch {
      continue;
    }
    secretStrings(structured, values);
  }
  return values;
}
