/**
 * Report targets through the `keyguard` command: each path is written as what it names (a device
 * or FIFO written through and left as it is, a /dev/stdout-style link written to its descriptor, a
 * file replaced atomically at its real path with its mode kept), a target that is one of the run's
 * inputs or the same file as another target is refused whatever its spelling, and the reports are a
 * set: after an exit 2 no file is left at any report path.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzerHost } from "../../engine";
import type { CliDependencies } from "../../gate/cli";
import { keyguardProcessArguments, REPO_ROOT, runCli, sarifSchemaErrors, startSharedPack } from "./gateHarness";
import { stackExport } from "./stackExportFixture";

let host: AnalyzerHost;
let dependencies: CliDependencies;
let directory: string;
let exportFile: string;

beforeAll(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-targets-"));
  exportFile = path.join(directory, "stack.json");
  fs.writeFileSync(exportFile, JSON.stringify(stackExport(), null, 2));
  ({ host, dependencies } = await startSharedPack());
});
afterAll(async () => {
  await host?.close();
  if (directory) fs.rmSync(directory, { recursive: true, force: true });
});

const audit = (...args: string[]) => runCli(["audit", "--stack-export", exportFile, ...args], dependencies);

/** A fresh folder for one test. */
function folder(name: string): string {
  const made = path.join(directory, name);
  fs.mkdirSync(made);
  return made;
}

/**
 * Makes a device node (`mknod`). Where the container forbids mknod (not on this machine), the test
 * says why in its output and is skipped: the case cannot be made there.
 */
function makeDevice(context: { skip(): void }, file: string, kind: "c" | "b", major: number, minor: number): void {
  const made = spawnSync("mknod", [file, kind, String(major), String(minor)], { encoding: "utf8" });
  if (made.status === 0) return;
  console.warn(`not run: mknod ${file} refused: ${made.stderr.trim() || made.error?.message}`);
  context.skip();
}

/** The exit-2 line of a run. */
const errorLine = (stderr: string) => stderr.trim().split("\n").at(-1)!;

describe("a report is written to what its path names", () => {
  it("a character device (a null device made with mknod) is written through and stays that device", async (context) => {
    const here = folder("device");
    const device = path.join(here, "null");
    makeDevice(context, device, "c", 1, 3);
    const before = fs.statSync(device);
    const run = await audit("--report", `json=${device}`, "--report", `sarif=${path.join(here, "report.sarif")}`);
    expect(run.code, run.stderr).toBe(0);
    const after = fs.lstatSync(device);
    expect(after.isCharacterDevice()).toBe(true);
    expect([after.ino, after.rdev, after.mode]).toEqual([before.ino, before.rdev, before.mode]);
    // Nothing beside it: no temporary file, no regular file where the device was.
    expect(fs.readdirSync(here).sort()).toEqual(["null", "report.sarif"]);
    expect(sarifSchemaErrors(JSON.parse(fs.readFileSync(path.join(here, "report.sarif"), "utf8")))).toEqual([]);
  });

  it("a FIFO is written through: its reader gets the whole report and it stays a FIFO", async () => {
    const here = folder("fifo");
    const fifo = path.join(here, "reports.pipe");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    // The reader, as `jq < pipe` would be: it opens the FIFO and reads until the writer closes it.
    const received = new Promise<string>((resolve, reject) => {
      let text = "";
      fs.createReadStream(fifo, "utf8")
        .on("data", (chunk) => (text += chunk))
        .on("end", () => resolve(text))
        .on("error", reject);
    });
    const run = await audit("--report", `json=${fifo}`, "--quiet");
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(await received) as { summary: { passed: boolean }; mode: string };
    expect([report.mode, report.summary.passed]).toEqual(["audit", true]);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
    expect(fs.readdirSync(here)).toEqual(["reports.pipe"]);
  });

  it("a link to an open descriptor (as /dev/stdout links to /proc/self/fd/1) is written to that descriptor and stays a link", async () => {
    const here = folder("descriptor");
    const capture = path.join(here, "captured.sarif");
    const descriptor = fs.openSync(capture, "w");
    const link = path.join(here, "stdout-like");
    fs.symlinkSync(`/proc/self/fd/${descriptor}`, link);
    try {
      const run = await audit("--report", `sarif=${link}`, "--quiet");
      expect(run.code, run.stderr).toBe(0);
    } finally {
      fs.closeSync(descriptor);
    }
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link)).toBe(`/proc/self/fd/${descriptor}`);
    expect(sarifSchemaErrors(JSON.parse(fs.readFileSync(capture, "utf8")))).toEqual([]);
  });

  it("the real command with --report sarif=/dev/stdout writes the SARIF into what its stdout is open on, and /dev/stdout stays a link", () => {
    const capture = path.join(folder("dev-stdout"), "stdout.txt");
    const out = fs.openSync(capture, "w");
    const child = spawnSync(
      process.execPath,
      keyguardProcessArguments(["audit", "--stack-export", exportFile, "--report", "sarif=/dev/stdout", "--quiet"]),
      { cwd: REPO_ROOT, stdio: ["ignore", out, "pipe"], encoding: "utf8", timeout: 120_000 },
    );
    fs.closeSync(out);
    expect(child.status, child.stderr).toBe(0);
    expect(sarifSchemaErrors(JSON.parse(fs.readFileSync(capture, "utf8")))).toEqual([]);
    expect(fs.lstatSync("/dev/stdout").isSymbolicLink()).toBe(true);
  }, 120_000);

  it("a symlink to a file in a symlinked folder: the file it points to is replaced, keeping its 0600 mode, and the links stay links", async () => {
    const real = folder("real");
    const linkedFolder = path.join(directory, "linked-folder");
    fs.symlinkSync(real, linkedFolder);
    const file = path.join(real, "report.sarif");
    fs.writeFileSync(file, "previous report\n", { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    const link = path.join(directory, "report-link.sarif");
    fs.symlinkSync(path.join(linkedFolder, "report.sarif"), link);
    const run = await audit("--report", `sarif=${link}`, "--quiet");
    expect(run.code, run.stderr).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(linkedFolder).isSymbolicLink()).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(sarifSchemaErrors(JSON.parse(fs.readFileSync(file, "utf8")))).toEqual([]);
    expect(fs.readdirSync(real)).toEqual(["report.sarif"]);
  });

  it("a block device or a dangling symlink is refused before anything runs", async (context) => {
    const here = folder("refused-kinds");
    const dangling = path.join(here, "dangling");
    fs.symlinkSync(path.join(here, "nowhere"), dangling);
    const run = await audit("--report", `json=${dangling}`);
    expect(run.code).toBe(2);
    expect(errorLine(run.stderr)).toMatch(
      /--report json .*dangling is a symbolic link to .*nowhere, which does not exist/,
    );
    const block = path.join(here, "block");
    makeDevice(context, block, "b", 7, 250);
    const blockRun = await audit("--report", `json=${block}`);
    expect(blockRun.code).toBe(2);
    expect(errorLine(blockRun.stderr)).toMatch(
      /is a block device; a report goes to a regular file, a character device, a FIFO, or -/,
    );
    expect(fs.lstatSync(block).isBlockDevice()).toBe(true);
  });
});

describe("a report never overwrites an input of the run or another report", () => {
  it("the program's entry point, --config, --policy-config, a source of the project: exit 2, the input untouched, no report file", async () => {
    const project = path.join(directory, "project");
    fs.cpSync(path.join(REPO_ROOT, "examples", "compliant"), project, { recursive: true });
    const policyConfig = path.join(project, "policy.json");
    fs.writeFileSync(policyConfig, "{}\n");
    fs.writeFileSync(path.join(project, "helper.ts"), "export const x = 1;\n");
    const config = path.join(project, "extra.yaml");
    fs.writeFileSync(config, "config: {}\n");
    // The input through a symlinked folder and a relative spelling, so only real path and inode can tell.
    const alias = path.join(directory, "project-alias");
    fs.symlinkSync(project, alias);
    const sideReport = path.join(directory, "side.json");
    const cases: [string, string[], RegExp][] = [
      [
        "entry point",
        [`text=${path.join(alias, ".", "index.ts")}`],
        /is the program's entry point .*index\.ts, which this run reads/,
      ],
      ["--config", [`json=${path.join(alias, "extra.yaml")}`], /is --config .*extra\.yaml, which this run reads/],
      [
        "--policy-config",
        [`sarif=${path.join(alias, "sub", "..", "policy.json")}`],
        /is --policy-config .*policy\.json, which this run reads/,
      ],
      [
        "a project source",
        [`text=${path.join(alias, "helper.ts")}`],
        /helper\.ts, a source of the project this run checks/,
      ],
    ];
    fs.mkdirSync(path.join(project, "sub"));
    const before = new Map(
      ["index.ts", "extra.yaml", "policy.json", "helper.ts"].map((name) => [
        name,
        fs.readFileSync(path.join(project, name)),
      ]),
    );
    for (const [name, reports, expected] of cases) {
      const run = await runCli(
        [
          "check",
          "--project",
          project,
          "--config",
          config,
          "--policy-config",
          policyConfig,
          ...reports.flatMap((report) => ["--report", report]),
          "--report",
          `json=${sideReport}`,
        ],
        dependencies,
      );
      expect({ name, code: run.code }).toEqual({ name, code: 2 });
      expect(errorLine(run.stderr)).toMatch(expected);
      expect(fs.existsSync(sideReport)).toBe(false);
    }
    for (const [name, content] of before)
      expect(fs.readFileSync(path.join(project, name)).equals(content), name).toBe(true);
  });

  it("the audited export, through a symlink and through a hard link: exit 2 and the export untouched", async () => {
    const before = fs.readFileSync(exportFile);
    const symlink = path.join(directory, "export-symlink.json");
    fs.symlinkSync(exportFile, symlink);
    const hardLink = path.join(directory, "export-hardlink.json");
    fs.linkSync(exportFile, hardLink);
    for (const target of [symlink, hardLink]) {
      const run = await audit("--report", `json=${target}`);
      expect(run.code).toBe(2);
      expect(errorLine(run.stderr)).toMatch(
        /is --stack-export .*stack\.json, which this run reads; give the report its own file/,
      );
    }
    expect(fs.readFileSync(exportFile).equals(before)).toBe(true);
  });

  it("two reports to one file through a symlinked folder or a hard link: exit 2, nothing written", async () => {
    const real = folder("twice");
    const alias = path.join(directory, "twice-alias");
    fs.symlinkSync(real, alias);
    const newFile = await audit(
      "--report",
      `json=${path.join(real, "r.json")}`,
      "--report",
      `sarif=${path.join(alias, "r.json")}`,
    );
    expect(newFile.code).toBe(2);
    expect(errorLine(newFile.stderr)).toMatch(
      /--report sarif .*twice-alias\/r\.json: --report json .*already writes to that file/,
    );
    fs.writeFileSync(path.join(real, "old.json"), "old\n");
    fs.linkSync(path.join(real, "old.json"), path.join(real, "same-inode.json"));
    const hardLinked = await audit(
      "--report",
      `json=${path.join(real, "old.json")}`,
      "--report",
      `sarif=${path.join(real, "same-inode.json")}`,
    );
    expect(hardLinked.code).toBe(2);
    expect(errorLine(hardLinked.stderr)).toMatch(/already writes to that file/);
    expect(fs.readFileSync(path.join(real, "old.json"), "utf8")).toBe("old\n");
    expect(fs.readdirSync(real).sort()).toEqual(["old.json", "same-inode.json"]);
  });
});

describe("the reports of a run are a set", () => {
  it("a run that exits 2 after its targets were checked leaves no report file, not even a previous run's passing one", async () => {
    const here = folder("stale");
    const sarif = path.join(here, "keyguard.sarif");
    const json = path.join(here, "keyguard.json");
    const first = await audit("--report", `sarif=${sarif}`, "--report", `json=${json}`, "--quiet");
    expect(first.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(json, "utf8")).summary.passed).toBe(true);
    // The same command with a policy config the pack refuses: exit 2 after the targets were checked.
    const badConfig = path.join(here, "policy.json");
    fs.writeFileSync(badConfig, JSON.stringify({ "no-such-policy": "mandatory" }));
    const failed = await audit("--report", `sarif=${sarif}`, "--report", `json=${json}`, "--policy-config", badConfig);
    expect(failed.code).toBe(2);
    expect(errorLine(failed.stderr)).toMatch(/no-such-policy/);
    expect(fs.readdirSync(here)).toEqual(["policy.json"]);
  });

  it("a write that fails with ENOSPC (a full device made with mknod) removes every report of the run: all or none", async (context) => {
    const here = folder("enospc");
    const full = path.join(here, "full");
    makeDevice(context, full, "c", 1, 7);
    fs.writeFileSync(path.join(here, "keyguard.sarif"), "a previous run's report\n");
    const run = await audit(
      "--report",
      `sarif=${path.join(here, "keyguard.sarif")}`,
      "--report",
      `json=${path.join(here, "keyguard.json")}`,
      "--report",
      `text=${full}`,
    );
    expect(run.code).toBe(2);
    expect(errorLine(run.stderr)).toMatch(/^keyguard: error: --report text .*full could not be written: ENOSPC/);
    expect(fs.readdirSync(here)).toEqual(["full"]);
    expect(fs.lstatSync(full).isCharacterDevice()).toBe(true);
  });
});
