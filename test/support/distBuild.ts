/**
 * Vitest global setup: the component package (components/plugin) serves the built dist/, as the npm
 * package ships it, and its tests start it as Pulumi does. A dist/ older than the sources it is built
 * from would make those tests judge old code, so a stale (or missing) dist/ is rebuilt here, once,
 * before any test file runs, with the package's own `tsc -p tsconfig.build.json`.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { newestSource } from "./packBundle";

const ROOT = path.resolve(__dirname, "..", "..");
/** A file of dist/ the component package loads, and the sources dist/ is built from. */
const BUILT = path.join(ROOT, "dist", "components", "encryptedRedshiftCluster", "multiLanguage.js");
const SOURCE_DIRS = ["components", "facts", "providers"].map((directory) => path.join(ROOT, directory));

export function distStaleness(): string | undefined {
  if (!fs.existsSync(BUILT)) return `${path.relative(ROOT, BUILT)} is missing`;
  const builtAt = fs.statSync(BUILT).mtimeMs;
  for (const directory of SOURCE_DIRS) {
    const newest = newestSource(directory);
    if (newest && newest.mtimeMs > builtAt) return `${path.relative(ROOT, newest.file)} is newer than dist/`;
  }
  return undefined;
}

export default function setup(): void {
  const staleness = distStaleness();
  if (!staleness) return;
  execFileSync(path.join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  process.stderr.write(`keyguard tests: rebuilt dist/ (${staleness})\n`);
}
