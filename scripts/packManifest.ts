/**
 * The package.json that `npm pack` ships, without the scripts only this repository runs.
 *
 * Why: npm 11 warns on every install of a package whose manifest has lifecycle scripts not covered
 * by the installing project's `allowScripts`, and it counts `prepare` although npm never runs it for
 * a tarball or registry install. `prepare` builds dist/ on `npm ci` in a clone (and for a git-URL
 * install, where it must stay), so the repository keeps it and only the packed manifest drops it.
 *
 *   prepack:  packManifest.ts strip    saves package.json aside, writes it without those scripts
 *   postpack: packManifest.ts restore  puts the saved package.json back
 *
 * npm reads the packed manifest from disk after `prepack`. A `strip` that finds a saved copy from a
 * pack that died before `postpack` restores it first, so the repository's manifest is never lost.
 */
import * as fs from "fs";
import * as path from "path";

const root = path.resolve(__dirname, "..");
const manifestPath = path.join(root, "package.json");
const savedPath = path.join(root, ".package.json.before-pack");

/** Scripts for this repository's own clone and its pack step, none of which an installer runs. */
const REPOSITORY_ONLY_SCRIPTS = ["prepare", "prepack", "postpack"];

function restore(): void {
  if (fs.existsSync(savedPath)) fs.renameSync(savedPath, manifestPath);
}

function strip(): void {
  restore();
  const text = fs.readFileSync(manifestPath, "utf8");
  const manifest = JSON.parse(text) as { scripts?: Record<string, string> };
  for (const name of REPOSITORY_ONLY_SCRIPTS) delete manifest.scripts?.[name];
  fs.writeFileSync(savedPath, text);
  fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

const command = process.argv[2];
if (command === "strip") strip();
else if (command === "restore") restore();
else {
  process.stderr.write(`packManifest: command ${JSON.stringify(command)} is not strip or restore\n`);
  process.exitCode = 2;
}
