// Figure 1's from-source comparison. The engine runs `node <@pulumi/pulumi>/cmd/run-policy-pack
// <engine-address> .` with the pack's directory as working directory and waits for the port on the
// first line of stdout (engine/analyzerHost.ts launches packs exactly so, and times it). That program
// always registers ts-node with type-checking before it requires the pack (run.js: `typeCheck: true`,
// compiler options from the pack's tsconfig.json if it has one), so a pack whose entry is TypeScript
// is compiled and type-checked at every launch, while a JavaScript entry only pays for loading
// TypeScript and ts-node. ts-node 10 keeps no compile cache on disk, so every launch is a cold one.
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * A directory from which run-policy-pack runs the repository's policy pack from its TypeScript
 * source, the way Pulumi runs a pack that was not precompiled: the same PulumiPolicy.yaml, a
 * package.json whose entry is the TypeScript index (absolute path, so the pack's own relative imports
 * still resolve next to it), and the pack's tsconfig.json if it has one (run-policy-pack reads it from
 * the working directory). Everything is written under bench/.work/, never into policy/.
 */
export function prepareSourcePackDirectory(policyDirectory: string, workDirectory: string): string {
  const sourceEntry = path.join(policyDirectory, "index.ts");
  if (!fs.existsSync(sourceEntry)) {
    throw new Error(
      `policy pack source ${sourceEntry} does not exist: the from-source comparison needs the pack's TypeScript entry`,
    );
  }
  const directory = path.join(workDirectory, "policy-from-source");
  fs.mkdirSync(directory, { recursive: true });
  const shippedManifest = JSON.parse(fs.readFileSync(path.join(policyDirectory, "package.json"), "utf8")) as Record<
    string,
    unknown
  >;
  const manifest = { ...shippedManifest, main: sourceEntry };
  fs.writeFileSync(path.join(directory, "package.json"), JSON.stringify(manifest, null, 2));
  fs.copyFileSync(path.join(policyDirectory, "PulumiPolicy.yaml"), path.join(directory, "PulumiPolicy.yaml"));
  const tsconfig = path.join(policyDirectory, "tsconfig.json");
  const mirroredTsconfig = path.join(directory, "tsconfig.json");
  if (fs.existsSync(tsconfig)) {
    // run-policy-pack reads compilerOptions from this file's text and ts-node then loads it as the
    // project; extending the pack's own file by absolute path keeps both readings identical.
    const text = fs.readFileSync(tsconfig, "utf8");
    fs.writeFileSync(mirroredTsconfig, text.includes('"extends"') ? JSON.stringify({ extends: tsconfig }) : text);
  } else if (fs.existsSync(mirroredTsconfig)) {
    fs.rmSync(mirroredTsconfig);
  }
  return directory;
}
