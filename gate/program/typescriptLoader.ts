/**
 * The bootstrap that `keyguard check` runs first in the program's child process: it registers the
 * TypeScript compiler `pulumi preview` would register for the program, then loads the child module.
 * It is JavaScript source in a string because it must run before any TypeScript can be loaded,
 * from the sources and from dist/ alike.
 *
 * What `pulumi preview` does for a TypeScript program (@pulumi/pulumi's cmd/run/run.js and
 * tsutils.js), and so what this does:
 * - ts-node and typescript are those found from the program's @pulumi/pulumi (the project's own,
 *   usually), else the ones @pulumi/pulumi vendors (ts-node 7.0.1, TypeScript 3.8.3). Nothing here
 *   depends on keyguard's devDependencies, so an installed keyguard compiles exactly as a
 *   development checkout does.
 * - The project's `tsconfig.json` (or `PULUMI_NODEJS_TSCONFIG_PATH`) in the project folder; without
 *   one, ts-node loads no project options. Pulumi's defaults (target ES2020, module nodenext from
 *   TypeScript 4.7, commonjs before) are overridden by the project's compilerOptions.
 * - Type checking: `pulumi preview` checks types unless `PULUMI_NODEJS_TRANSPILE_ONLY=true` or the
 *   tsconfig sets `noCheck`. `keyguard check --typecheck` decides the same way; without it the
 *   program is compiled transpile-only, which still reports every syntax error (ts-node reports
 *   TypeScript's syntactic diagnostics in that mode): docs/decisions/0003-typescript-compiler-types-on-request.md says why and what it costs.
 *
 * ts-node installs source-map-support, so stack traces, and the source positions Pulumi takes from
 * them, already name the TypeScript line: no source map is recorded for programChild.ts to apply.
 *
 * A compile error leaves as one error `file:line:column - error TS<code>: <message>` for each
 * diagnostic (paths relative to the project folder), not ts-node's `file(line,column)` text.
 */
/**
 * ts-node's ESM hooks for the language host's automatic ESM mode (@pulumi/pulumi cmd/run/hooks.js does
 * the same from the SDK's folder), registered with `module.register` as a data: URL so it needs no file
 * of its own in dist/. ts-node is the one found from the program's SDK (passed in `data`).
 */
const ESM_HOOKS = `
import { createRequire } from "node:module";
let hooks;
export async function initialize(data) {
  const tsn = createRequire(data.tsnode)(data.tsnode);
  hooks = tsn.createEsmHooks(tsn.register(data.options));
}
export function resolve(specifier, context, next) { return hooks.resolve(specifier, context, next); }
export function load(url, context, next) { return hooks.load(url, context, next); }
`;

/** The environment variable with what the loader needs (programDir, typecheck, typescript, esModule); the job comes over IPC. */
export const PROGRAM_LOADER_ENV = "KEYGUARD_PROGRAM_LOADER";

export const TYPESCRIPT_LOADER_SOURCE = String.raw`
"use strict";
const ESM_HOOKS = ${JSON.stringify(ESM_HOOKS)};
(function () {
const Module = require("module");
const fs = require("fs");
const path = require("path");
const job = JSON.parse(process.env.${PROGRAM_LOADER_ENV});
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [job.programDir, process.env.KEYGUARD_GATE_DIR] }));
function resolveLikePulumi(name, vendored) {
  try { return require.resolve(name, { paths: [pulumiDir] }); } catch { return path.join(pulumiDir, "vendor", vendored); }
}
// Pulumi.yaml runtime.options "typescript: false": the language host loads no TypeScript compiler.
if (!job.typescript) {
  require(process.env.KEYGUARD_CHILD_MODULE);
  return;
}
const typescriptRequire = resolveLikePulumi("typescript", "typescript@3.8.3/typescript.js");
const tsnodeRequire = resolveLikePulumi("ts-node", "ts-node@7.0.1");
const ts = require(typescriptRequire);
const tsConfigPath = process.env.PULUMI_NODEJS_TSCONFIG_PATH || "tsconfig.json";
const skipProject = !fs.existsSync(tsConfigPath);
if (skipProject && tsConfigPath !== "tsconfig.json") {
  throw new Error("tsconfig path was set to " + tsConfigPath + " but the file was not found");
}
let projectCompilerOptions = {};
if (!skipProject) {
  const parsed = ts.parseConfigFileTextToJson(tsConfigPath, fs.readFileSync(tsConfigPath, "utf8"));
  if (parsed.error) throw new Error(tsConfigPath + ": " + ts.flattenDiagnosticMessageText(parsed.error.messageText, " "));
  projectCompilerOptions = (parsed.config && parsed.config.compilerOptions) || {};
}
const transpileOnlyEnv = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
const transpileOnly = !job.typecheck ? true : transpileOnlyEnv ? transpileOnlyEnv === "true" : projectCompilerOptions.noCheck;
const [major, minor] = ts.version.split(".").map(Number);
const useNodeNext = major > 4 || (major === 4 && minor >= 7);
const tsNodeOptions = { compiler: typescriptRequire, transpileOnly, project: tsConfigPath, skipProject };
// The language host's automatic ESM mode (SDKs with cmd/run/hooks.js): an ES module project, TypeScript
// newer than 4.7, no loader among Node's arguments, and ts-node/esm installed (found from the SDK).
let tsNodeEsm;
try { tsNodeEsm = require.resolve("ts-node/esm", { paths: [path.join(pulumiDir, "cmd", "run")] }); } catch {}
const hasLoaders = process.execArgv.some((arg) => arg === "--loader" || arg === "--import" || arg === "--require");
const automaticEsm = job.esModule && fs.existsSync(path.join(pulumiDir, "cmd", "run", "hooks.js")) &&
  (major > 4 || (major === 4 && minor > 7)) && !hasLoaders && tsNodeEsm !== undefined;
if (automaticEsm) {
  // ts-node's ESM hooks, in Node's loader thread, with the options the language host gives them.
  Module.register("data:text/javascript," + encodeURIComponent(ESM_HOOKS), {
    data: {
      tsnode: tsnodeRequire,
      options: { ...tsNodeOptions, compilerOptions: { target: "ES2022", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...projectCompilerOptions } },
    },
  });
  // The hooks run in another thread: the program's stack traces name its TypeScript lines through the
  // source maps ts-node inlines, which Node applies only when asked to.
  process.setSourceMapsEnabled(true);
  // The gate's own child module is TypeScript when keyguard runs from its sources (not from dist/):
  // compiled for itself, with its own options, the program left to the ESM hooks.
  if (process.env.KEYGUARD_CHILD_MODULE.endsWith(".ts")) {
    require(tsnodeRequire).register({
      compiler: typescriptRequire,
      transpileOnly: true,
      skipProject: true,
      scope: true,
      scopeDir: path.resolve(process.env.KEYGUARD_GATE_DIR, "..", ".."),
      compilerOptions: { target: "ES2022", module: "commonjs", moduleResolution: "node", esModuleInterop: true },
    });
    // ts-node's source-map-support knows only what this thread compiled: Node's own source maps
    // (enabled above) map the program's frames, and the gate's, which ts-node inlines maps into.
    Error.prepareStackTrace = undefined;
  }
} else {
  require(tsnodeRequire).register({
    ...tsNodeOptions,
    compilerOptions: {
      target: "ES2020",
      module: useNodeNext ? "nodenext" : "commonjs",
      moduleResolution: useNodeNext ? "nodenext" : "node",
      sourceMap: "true",
      ...projectCompilerOptions,
    },
  });
  // An ES module program on an SDK without the automatic ESM mode is compiled by a loader from
  // Pulumi.yaml's nodeargs (--loader ts-node/esm), in another thread: only Node's own source maps
  // know its files, so they map the stack traces, not the source-map-support this thread installed.
  if (job.esModule) {
    process.setSourceMapsEnabled(true);
    Error.prepareStackTrace = undefined;
  }
}
// ts-node's TSError text lists diagnostics as "file(line,column): error TS1005: message".
// An error from the ESM hooks' thread arrives as a plain Error carrying ts-node's text.
function compileError(error) {
  const text = error && error.name === "TSError" && typeof error.diagnosticText === "string" ? error.diagnosticText
    : error && typeof error.message === "string" && /Unable to compile TypeScript/.test(error.message) ? error.message : undefined;
  if (text === undefined) return error;
  const lines = [];
  for (const line of text.split("\n")) {
    const diagnostic = /^(.+)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$/.exec(line);
    // A diagnostic without a file is about the compiler options: the project's over Pulumi's defaults.
    const optionsDiagnostic = /^(error|warning) (TS\d+): (.*)$/.exec(line);
    if (diagnostic) lines.push(diagnostic[1] + ":" + diagnostic[2] + ":" + diagnostic[3] + " - " + diagnostic[4] + " " + diagnostic[5] + ": " + diagnostic[6]);
    else if (optionsDiagnostic) lines.push((skipProject ? "" : tsConfigPath + " ") + "(compiler options over @pulumi/pulumi's defaults) - " + line);
    else if (line.trim() && lines.length > 0) lines[lines.length - 1] += " " + line.trim();
  }
  const described = new Error(lines.length > 0 ? lines.join("\n") : error.message);
  described.name = "TypeScriptCompileError";
  return described;
}
for (const extension of Object.keys(Module._extensions)) {
  const compile = Module._extensions[extension];
  Module._extensions[extension] = function (module, filename) {
    try {
      return compile.call(this, module, filename);
    } catch (error) {
      throw compileError(error);
    }
  };
}
globalThis.__keyguardCompileError = compileError;
require(process.env.KEYGUARD_CHILD_MODULE);
})();
`;
