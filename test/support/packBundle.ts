/**
 * Vitest global setup: the policy pack runs precompiled (policy/package.json "main" is
 * dist/index.js, built by `npm run build`, which `npm ci` runs), and the integration and gate tests
 * start it as the engine does. A bundle older than the pack's sources would make those tests judge
 * old rules while the unit tests judge the new ones, so a stale (or missing) bundle is rebuilt here,
 * once, before any test file runs, by the package's own build step (scripts/bundlePolicyPack.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { bundlePolicyPack } from "../../scripts/bundlePolicyPack";

const ROOT = path.resolve(__dirname, "..", "..");
export const PACK_BUNDLE = path.join(ROOT, "policy", "dist", "index.js");
/** What the bundle is built from: the pack, the facts it imports, and the build script. */
const SOURCE_DIRS = [path.join(ROOT, "policy"), path.join(ROOT, "facts"), path.join(ROOT, "scripts")];

export function newestSource(directory: string): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === "dist" || entry.name === "node_modules") continue;
      const inner = newestSource(full);
      if (inner && (!newest || inner.mtimeMs > newest.mtimeMs)) newest = inner;
    } else if (entry.name.endsWith(".ts")) {
      const mtimeMs = fs.statSync(full).mtimeMs;
      if (!newest || mtimeMs > newest.mtimeMs) newest = { file: full, mtimeMs };
    }
  }
  return newest;
}

/** The source file newer than the bundle (or "missing bundle"), or undefined when the bundle is current. */
export function packBundleStaleness(): string | undefined {
  if (!fs.existsSync(PACK_BUNDLE)) return "policy/dist/index.js is missing";
  const bundleMtime = fs.statSync(PACK_BUNDLE).mtimeMs;
  for (const directory of SOURCE_DIRS) {
    const newest = newestSource(directory);
    if (newest && newest.mtimeMs > bundleMtime)
      return `${path.relative(ROOT, newest.file)} is newer than policy/dist/index.js`;
  }
  return undefined;
}

export default async function setup(): Promise<void> {
  const staleness = packBundleStaleness();
  if (!staleness) return;
  await bundlePolicyPack();
  process.stderr.write(`keyguard tests: rebuilt the policy pack bundle (${staleness})\n`);
}
