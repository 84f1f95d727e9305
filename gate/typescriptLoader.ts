/**
 * The bootstrap that `keyguard check` runs first in the program's child process: a require hook
 * that compiles TypeScript without type-checking (the gate must answer in seconds; `tsc` in CI
 * does the type-checking), then loads the child module. It is JavaScript source in a string
 * because it must run before any TypeScript can be loaded, from the sources and from dist/ alike.
 *
 * It prefers esbuild (milliseconds per file) and falls back to TypeScript's own transpileModule,
 * found from the project first, then from keyguard. Source maps are kept so that SARIF results
 * point at the TypeScript line that declared a resource.
 *
 * The project's own tsconfig.json (the nearest one above the project, as ts-node finds it under
 * `pulumi preview`) decides the semantics that change what a program does, above all
 * useDefineForClassFields: with define semantics a resource class's `!:` output fields are reset to
 * undefined after Pulumi sets them, so compiling with other settings than the project's would judge
 * another program than the one `pulumi preview` runs.
 */
export const TYPESCRIPT_LOADER_SOURCE = String.raw`
"use strict";
const Module = require("module");
const fs = require("fs");
const job = JSON.parse(process.env.KEYGUARD_PROGRAM_JOB);
const path = require("path");
function findProjectTsconfig(start) {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "tsconfig.json");
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}
const tsconfigFile = findProjectTsconfig(job.projectDir);
const tsconfigText = tsconfigFile ? fs.readFileSync(tsconfigFile, "utf8") : undefined;
const searchPaths = [job.projectDir, process.env.KEYGUARD_GATE_DIR];
function load(name) {
  try { return require(require.resolve(name, { paths: searchPaths })); } catch { return undefined; }
}
const maps = (globalThis.__keyguardSourceMaps = new Map());
const esbuild = load("esbuild");
const typescript = esbuild ? undefined : load("typescript");
const projectOptions =
  typescript && tsconfigFile
    ? typescript.convertCompilerOptionsFromJson(typescript.parseConfigFileTextToJson(tsconfigFile, tsconfigText).config?.compilerOptions ?? {}, path.dirname(tsconfigFile)).options
    : {};
if (!esbuild && !typescript) {
  throw new Error("keyguard check needs esbuild or typescript to run a TypeScript program; install one in the project");
}
function compile(source, filename) {
  if (esbuild) {
    const result = esbuild.transformSync(source, {
      loader: filename.endsWith(".tsx") ? "tsx" : "ts",
      format: "cjs",
      target: "node" + process.versions.node.split(".")[0],
      sourcemap: "external",
      sourcefile: filename,
      // esbuild reads tsconfig text itself (comments and trailing commas included).
      tsconfigRaw: tsconfigText ?? { compilerOptions: { esModuleInterop: true } },
    });
    return { code: result.code, map: result.map };
  }
  const result = typescript.transpileModule(source, {
    fileName: filename,
    compilerOptions: { target: typescript.ScriptTarget.ES2020, esModuleInterop: true, ...projectOptions, module: typescript.ModuleKind.CommonJS, sourceMap: true },
  });
  return { code: result.outputText.replace(/\/\/# sourceMappingURL=.*$/m, ""), map: result.sourceMapText };
}
for (const extension of [".ts", ".tsx", ".mts", ".cts"]) {
  Module._extensions[extension] = function (module, filename) {
    const { code, map } = compile(fs.readFileSync(filename, "utf8"), filename);
    if (map) {
      try { maps.set(filename, new Module.SourceMap(JSON.parse(map))); } catch { /* positions stay those of the compiled code */ }
    }
    module._compile(code, filename);
  };
}
require(process.env.KEYGUARD_CHILD_MODULE);
`;
