/**
 * Builds the policy pack's shipped entry, policy/dist/index.js: one esbuild bundle of policy/index.ts
 * with @pulumi/policy inside (`npm run build` runs this file).
 *
 * Why bundle @pulumi/policy: its deserializer requires the whole @pulumi/pulumi index (which loads the
 * Automation API and @npmcli/arborist) to read one thing, `asset`. Inside the bundle that import is
 * `@pulumi/pulumi/asset` alone, and the pack starts in about two thirds of the time of a bare
 * @pulumi/policy pack (BENCHMARKS.md, figure 1).
 *
 * What stays outside, resolved at run time exactly as an unbundled @pulumi/policy resolves it:
 * - `@pulumi/pulumi/*` (the `pulumirpc` messages and services, `runtime/rpc`, `asset`): shared with
 *   run-policy-pack, which has loaded parts of it before the pack;
 * - `google-protobuf` and `@grpc/grpc-js`: loaded from where @pulumi/pulumi loads them, so the pack's
 *   Structs and gRPC server are the very ones @pulumi/pulumi's generated messages and services use
 *   (google-protobuf registers its message classes in one global namespace: a second copy would
 *   replace them);
 * - `@aws-sdk/*` (the live KMS check), loaded on demand.
 *
 * Before the pack, the entry installs a native decoder for long protobuf strings
 * (engine/protobufLongStrings.ts): every RedshiftKeyRotation carries its ~100 KB serialized provider,
 * which google-protobuf decodes a byte at a time, in Analyze and again in AnalyzeStack.
 *
 * And two changes to @pulumi/policy's server (`patchServer`):
 * - it turns the request's resources into objects once per policy (`deserializeProperties` and the
 *   unknown-checking proxy inside its `for (const p of policies)` loops), so each of keyguard's three
 *   stack policies paid for a full copy of the stack, and each resource policy for a copy of the
 *   resource. The patched server builds them once per request and hands the same objects to every
 *   policy; names, enforcement levels, config, not-applicable reasons and the unknown-value handling
 *   stay per policy, untouched;
 * - `args.notApplicable(reason)` throws a `NotApplicableError`, and an Error records the stack at
 *   construction: most of what keyguard's own rules cost per Analyze call (a key policy says "not
 *   applicable" to every cluster, and so on). The server only reads the error's `reason`, so it is
 *   built without a stack trace.
 * Each patch is anchored on @pulumi/policy's exact source text: when an upgrade changes it, the build
 * fails and says so, rather than shipping a server nobody reviewed.
 *
 * `npm run build` → policy/dist/index.js; the tests and the bench build variants through
 * `bundlePolicyPack(options)`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Plugin } from "esbuild";

const repositoryRoot = path.resolve(__dirname, "..");

export interface BundleOptions {
  /** Where to write the bundle. Default: policy/dist/index.js. */
  outfile?: string;
  /** Bundle @pulumi/policy (true, shipped) or leave it and @pulumi/pulumi external (false: the plain build, for comparisons). */
  bundleFramework?: boolean;
  /** Patch the bundled @pulumi/policy's server (see the module comment). Default: true. */
  patchServer?: boolean;
}

/**
 * What @pulumi/policy reads from the @pulumi/pulumi index (deserialize.js: `asset` to rebuild assets and
 * archives, `Output` to refuse outputs in remediated properties), each from its own module.
 */
const PULUMI_INDEX_MEMBERS: Record<string, string> = {
  asset: 'require("@pulumi/pulumi/asset")',
  Output: 'require("@pulumi/pulumi/output").Output',
};
const PULUMI_INDEX_SHIM = `// What @pulumi/policy reads from the @pulumi/pulumi index, without loading the index.
${Object.entries(PULUMI_INDEX_MEMBERS)
  .map(([member, source]) => `exports.${member} = ${source};`)
  .join("\n")}
`;

/**
 * Fails the build when @pulumi/policy reads a member of the @pulumi/pulumi index that the shim does not
 * provide (compiled TypeScript reads the index as `<name>_1.<member>` after `require("@pulumi/pulumi")`).
 */
function checkIndexMembers(source: string, file: string): void {
  for (const binding of source.matchAll(/(?:const|var|let) (\w+) = (?:__importStar\()?require\("@pulumi\/pulumi"\)/g)) {
    for (const use of source.matchAll(new RegExp(`\\b${binding[1]}\\.(\\w+)`, "g"))) {
      if (!(use[1] in PULUMI_INDEX_MEMBERS)) {
        throw new Error(
          `bundlePolicyPack: ${file} reads ${use[0]} from @pulumi/pulumi's index, which the bundle's shim does not provide; add it to PULUMI_INDEX_MEMBERS`,
        );
      }
    }
  }
}

/** A module that loads `specifier` from @pulumi/pulumi's own location (the copy its generated code uses). */
function fromPulumisLocation(specifier: string): string {
  return `const path = require("path");
const pulumiDirectory = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
module.exports = require(require.resolve(${JSON.stringify(specifier)}, { paths: [pulumiDirectory] }));
`;
}

interface Replacement {
  /** What the change is for, in the build's error message. */
  purpose: string;
  find: RegExp;
  replace: string;
}

/**
 * Patches one function of @pulumi/policy's server.js, located by its declaration and the line after it
 * (its export, or for an unexported function the next declaration): each replacement must match once.
 */
function patchFunction(
  source: string,
  functionName: string,
  replacements: readonly Replacement[],
  file: string,
  endMarker = `exports.${functionName} = ${functionName};`,
): string {
  const start = source.indexOf(`function ${functionName}(`);
  const end = source.indexOf(endMarker, start);
  if (start < 0 || end < start)
    throw new Error(
      `bundlePolicyPack: ${file} has no function ${functionName} (before ${JSON.stringify(endMarker)}); @pulumi/policy changed, review the server patches`,
    );
  let body = source.slice(start, end);
  for (const { purpose, find, replace } of replacements) {
    const matches = body.match(new RegExp(find.source, find.flags.includes("g") ? find.flags : `${find.flags}g`));
    if (matches?.length !== 1) {
      throw new Error(
        `bundlePolicyPack: in ${file} ${functionName}, the code to ${purpose} (${find}) was found ${matches?.length ?? 0} times instead of once; @pulumi/policy changed, review the patch`,
      );
    }
    body = body.replace(find, replace);
  }
  return source.slice(0, start) + body + source.slice(end);
}

/** @pulumi/policy's server.js, deserializing a request's resources once for all its policies, and saying "not applicable" without a stack trace. */
export function patchPolicyServer(source: string, file = "@pulumi/policy/server.js"): string {
  const perStack = patchFunction(
    source,
    "makeAnalyzeStackRpcFun",
    [
      {
        purpose: "declare the shared stack",
        find: /const ds = \[\];\n/,
        replace:
          "const ds = [];\n            let sharedStackResources; // keyguard: built once, for every stack policy\n",
      },
      {
        purpose: "build the stack's resource objects only for the first stack policy",
        find: /const intermediates = \[\];\n/,
        replace:
          "let intermediates = sharedStackResources;\n                        if (intermediates === undefined) {\n                        intermediates = [];\n",
      },
      {
        purpose: "close the shared build before the policy's args",
        find: /(\n\s*)const args = \{(\s*)resources: intermediates\.map/,
        replace: "$1sharedStackResources = intermediates;$1}$1const args = {$2resources: intermediates.map",
      },
    ],
    file,
  );
  const perResource = patchFunction(
    perStack,
    "makeAnalyzeRpcFun",
    [
      {
        purpose: "declare the shared properties",
        find: /const ds = \[\];\n/,
        replace:
          "const ds = [];\n            let sharedProps; // keyguard: deserialized once, for every resource policy\n",
      },
      {
        purpose: "deserialize the resource's properties only for the first resource policy",
        find: /const deserd = deserialize_1\.deserializeProperties\(req\.getProperties\(\), false\);\s*const props = proxy_1\.unknownCheckingProxy\(deserd\);/,
        replace:
          "const props = sharedProps !== undefined ? sharedProps : (sharedProps = proxy_1.unknownCheckingProxy(deserialize_1.deserializeProperties(req.getProperties(), false)));",
      },
    ],
    file,
  );
  return patchFunction(
    perResource,
    "throwNotApplicable",
    [
      {
        purpose: "build the not-applicable signal without a stack trace",
        find: /throw new NotApplicableError\(reason\);/,
        replace:
          "const stackTraceLimit = Error.stackTraceLimit; // keyguard: only `reason` is read\n    Error.stackTraceLimit = 0;\n    let error;\n    try {\n        error = new NotApplicableError(reason);\n    }\n    finally {\n        Error.stackTraceLimit = stackTraceLimit;\n    }\n    throw error;",
      },
    ],
    file,
    "function pushNotApplicable(",
  );
}

function frameworkPlugin(patchServer: boolean): Plugin {
  return {
    name: "keyguard-pack-framework",
    setup(build) {
      build.onResolve({ filter: /^@pulumi\/pulumi$/ }, () => ({
        path: "@pulumi/pulumi",
        namespace: "keyguard-pulumi-index",
      }));
      build.onLoad({ filter: /.*/, namespace: "keyguard-pulumi-index" }, () => ({
        contents: PULUMI_INDEX_SHIM,
        loader: "js",
        resolveDir: repositoryRoot,
      }));
      build.onResolve({ filter: /^(google-protobuf(\/.*)?|@grpc\/grpc-js)$/ }, (args) => ({
        path: args.path,
        namespace: "keyguard-from-pulumi",
      }));
      build.onLoad({ filter: /.*/, namespace: "keyguard-from-pulumi" }, (args) => ({
        contents: fromPulumisLocation(args.path),
        loader: "js",
        resolveDir: repositoryRoot,
      }));
      build.onLoad({ filter: /[\\/]@pulumi[\\/]policy[\\/][^\\/]+\.js$/ }, (args) => {
        let contents = fs.readFileSync(args.path, "utf8");
        checkIndexMembers(contents, args.path);
        if (patchServer && path.basename(args.path) === "server.js") contents = patchPolicyServer(contents, args.path);
        return { contents, loader: "js" };
      });
    },
  };
}

/** Builds the pack's entry (see the module comment); returns the file written. */
export async function bundlePolicyPack(options: BundleOptions = {}): Promise<string> {
  const esbuild = await import("esbuild");
  const outfile = options.outfile ?? path.join(repositoryRoot, "policy", "dist", "index.js");
  const bundleFramework = options.bundleFramework ?? true;
  // The shipped entry first installs the native decoder of long protobuf strings (see the module comment).
  const entry = bundleFramework
    ? {
        stdin: {
          contents: `require(${JSON.stringify(path.join(repositoryRoot, "engine", "protobufLongStrings"))}).decodeLongProtobufStringsNatively();\nrequire(${JSON.stringify(path.join(repositoryRoot, "policy", "index"))});\n`,
          resolveDir: repositoryRoot,
          sourcefile: "keyguard-pack-entry.js",
          loader: "js" as const,
        },
      }
    : { entryPoints: [path.join(repositoryRoot, "policy", "index.ts")] };
  await esbuild.build({
    ...entry,
    bundle: true,
    platform: "node",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
    outfile,
    external: bundleFramework ? ["@pulumi/pulumi/*", "@aws-sdk/*"] : ["@pulumi/policy", "@pulumi/pulumi", "@aws-sdk/*"],
    plugins: bundleFramework ? [frameworkPlugin(options.patchServer ?? true)] : [],
  });
  return outfile;
}

if (require.main === module) {
  bundlePolicyPack().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
