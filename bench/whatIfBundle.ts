// A what-if for figure 1, measured next to the shipped pack so the recommendation it backs is a number,
// not a guess: the same policy/index.ts bundled with @pulumi/policy inside, and @pulumi/policy's one
// import of the whole @pulumi/pulumi index (deserialize.js reads only `asset` from it) pointed at
// @pulumi/pulumi/asset. That index loads the Automation API, which loads @npmcli/arborist: most of a
// pack's start after TypeScript itself. Built into bench/.work/; policy/ is never touched.
import * as fs from "node:fs";
import * as path from "node:path";

export async function buildWhatIfPack(repositoryRoot: string, workDirectory: string): Promise<string> {
  const esbuild = require("esbuild") as typeof import("esbuild");
  const policyDirectory = path.join(repositoryRoot, "policy");
  const directory = path.join(workDirectory, "policy-what-if");
  fs.mkdirSync(path.join(directory, "dist"), { recursive: true });
  const shim = path.join(directory, "pulumi-asset-only.js");
  fs.writeFileSync(shim, '// What @pulumi/policy reads from the @pulumi/pulumi index: the asset classes.\nexports.asset = require("@pulumi/pulumi/asset");\n');
  for (const file of ["package.json", "PulumiPolicy.yaml"]) fs.copyFileSync(path.join(policyDirectory, file), path.join(directory, file));
  await esbuild.build({
    entryPoints: [path.join(policyDirectory, "index.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    outfile: path.join(directory, "dist", "index.js"),
    logLevel: "warning",
    // Subpaths stay shared with the launcher (run-policy-pack already loaded parts of @pulumi/pulumi).
    external: ["@pulumi/pulumi/*", "@aws-sdk/*", "@grpc/grpc-js", "google-protobuf", "google-protobuf/*"],
    plugins: [
      {
        name: "pulumi-index-to-asset",
        setup(build) {
          build.onResolve({ filter: /^@pulumi\/pulumi$/ }, () => ({ path: shim }));
        },
      },
    ],
  });
  return directory;
}
