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
export const TYPESCRIPT_LOADER_SOURCE = String.raw`
"use strict";
const Module = require("module");
const fs = require("fs");
const path = require("path");
const job = JSON.parse(process.env.KEYGUARD_PROGRAM_JOB);
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [job.projectDir, process.env.KEYGUARD_GATE_DIR] }));
function resolveLikePulumi(name, vendored) {
  try { return require.resolve(name, { paths: [pulumiDir] }); } catch { return path.join(pulumiDir, "vendor", vendored); }
}
const typescriptRequire = resolveLikePulumi("typescript", "typescript@3.8.3/typescript.js");
const tsnodeRequire = resolveLikePulumi("ts-node", "ts-node@7.0.1");
const ts = require(typescriptRequire);
const tsConfigPath = process.env.PULUMI_NODEJS_TSCONFIG_PATH || "tsconfig.json";
const skipProject = !fs.existsSync(tsConfigPath);
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
require(tsnodeRequire).register({
  compiler: typescriptRequire,
  transpileOnly,
  project: tsConfigPath,
  skipProject,
  compilerOptions: {
    target: "ES2020",
    module: useNodeNext ? "nodenext" : "commonjs",
    moduleResolution: useNodeNext ? "nodenext" : "node",
    sourceMap: "true",
    ...projectCompilerOptions,
  },
});
// ts-node's TSError text lists diagnostics as "file(line,column): error TS1005: message".
function compileError(error) {
  if (!error || error.name !== "TSError" || typeof error.diagnosticText !== "string") return error;
  const lines = [];
  for (const line of error.diagnosticText.split("\n")) {
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
require(process.env.KEYGUARD_CHILD_MODULE);
`;
