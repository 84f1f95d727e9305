/**
 * Where the reports of one run go: `--report FORMAT=PATH`, repeatable (`-` is stdout), and the
 * older `--format F` / `--output FILE` pair, which still works and adds one more target. With
 * neither, the text report goes to stdout. Targets are checked before the program runs, so a typo in
 * a path fails in a second, not after the whole evaluation.
 *
 * A target is written as what its path names (writeReports.ts does the writing):
 * - a regular file, or a path that does not exist yet: replaced atomically (a temporary file in the
 *   same directory, renamed over it), at its real path, so a symlink to a file stays a symlink;
 * - a character device or a FIFO (`/dev/null`, `/dev/tty`, a named pipe): written through, never
 *   replaced (replacing `/dev/null` as root would leave a world-readable regular file there);
 * - a link to one of this process's open descriptors (`/dev/stdout`, `/dev/fd/63` from `>(...)`,
 *   `/proc/self/fd/N`): written to that descriptor, whatever it is open on;
 * anything else (a directory, a block device, a socket, a dangling symlink) is refused.
 * A target that is one of the run's inputs, or the same file as another target, is refused too:
 * paths are compared by real path and by device and inode, not by spelling.
 */
import * as fs from "fs";
import * as path from "path";
import { randomBytes } from "crypto";
import { FORMATS, type Format } from "./formats";
import { UsageError } from "../usageError";
import { describeValue } from "../../messages/describe";

/** How a target is written. */
/** A name for a temporary file beside `target`, hidden and unique to this process. */
export function temporaryName(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`,
  );
}

export type TargetKind =
  /** The command's stdout stream (`-`). */
  | "stdout"
  /** A regular file (or a new one), replaced atomically at `file`, its real path. */
  | "file"
  /** A character device or FIFO at `file`, opened and written through. */
  | "device"
  /** One of this process's open descriptors, `descriptor`, reached through a link such as /dev/stdout. */
  | "descriptor";

/** One report of the run: its format, where it goes, and how the user named it (for messages). */
export interface ReportTarget {
  format: Format;
  /** The path as the user wrote it (for messages), or "-". */
  given: string;
  /** The flag the target came from, for error messages. */
  flag: string;
  kind: TargetKind;
  /** "file": the real path the report replaces or creates; "device": the path written through. */
  file?: string;
  /** "descriptor": the open file descriptor the path leads to. */
  descriptor?: number;
}

/** A file the run reads, which no report may overwrite. */
export interface RunInput {
  /** How the input was given, e.g. "--policy-config" or "the program's entry point". */
  what: string;
  file: string;
}

/** What else the run reads: every existing source of the project folder, the policy pack's folder. */
export interface InputFolders {
  projectDir?: string;
  packDir?: string;
}

/** Names whose existing files in the project folder are the program's sources or its configuration. */
const PROJECT_SOURCE =
  /(\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)|^Pulumi(\.[^/]+)?\.ya?ml|^package\.json|^tsconfig(\.[^/]+)?\.json)$/;

function checkFormat(value: string, flag: string): Format {
  if (!(FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} ${describeValue(value)} is not one of ${FORMATS.join(", ")}`);
  }
  return value as Format;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** The parsed flags, before any path is looked at. */
function parseTargets(flags: { report?: string[]; format?: string; output?: string }) {
  const targets: { format: Format; given: string; flag: string }[] = [];
  for (const spec of flags.report ?? []) {
    const at = spec.indexOf("=");
    const flag = `--report ${spec.slice(0, Math.max(at, 0))}`;
    if (at <= 0 || at === spec.length - 1) {
      throw new UsageError(
        `--report ${describeValue(spec)} is not FORMAT=PATH (e.g. --report sarif=keyguard.sarif, or markdown=- for stdout); formats: ${FORMATS.join(", ")}`,
      );
    }
    targets.push({ format: checkFormat(spec.slice(0, at), "--report format"), given: spec.slice(at + 1), flag });
  }
  if (flags.format !== undefined || flags.output !== undefined || targets.length === 0) {
    targets.push({
      format: checkFormat(flags.format ?? "text", "--format"),
      given: flags.output ?? "-",
      flag: "--output",
    });
  }
  const toStdout = targets.filter((target) => target.given === "-");
  if (toStdout.length > 1) {
    throw new UsageError(
      `only one report can go to stdout, got ${toStdout.map((target) => target.format).join(" and ")}; give the others a file (--report FORMAT=PATH)`,
    );
  }
  return targets;
}

/**
 * The descriptor a path leads to when it is, or links to, an entry of this process's
 * /proc/<pid>/fd (as /dev/stdout and /dev/fd/N do), else undefined. Followed link by link,
 * because such an entry's target ("pipe:[123]", a deleted file) is not a path to resolve.
 */
export function ownDescriptorOf(file: string): number | undefined {
  const ownFds = [`/proc/${process.pid}/fd`, "/proc/self/fd", "/dev/fd"];
  let current = file;
  for (let hops = 0; hops < 40; hops++) {
    let directory: string;
    try {
      directory = fs.realpathSync(path.dirname(current));
    } catch {
      return undefined;
    }
    const name = path.basename(current);
    if (/^\d+$/.test(name) && ownFds.some((fds) => fds === directory)) return Number(name);
    const entry = path.join(directory, name);
    let link: string;
    try {
      if (!fs.lstatSync(entry).isSymbolicLink()) return undefined;
      link = fs.readlinkSync(entry);
    } catch {
      return undefined;
    }
    current = path.resolve(directory, link);
  }
  return undefined;
}

/** Where and how one target is written, from what its path names on disk now. */
function classify(target: { format: Format; given: string; flag: string }, cwd: string): ReportTarget {
  if (target.given === "-") return { ...target, kind: "stdout" };
  const named = `${target.flag} ${target.given}`;
  const absolute = path.resolve(cwd, target.given);
  const descriptor = ownDescriptorOf(absolute);
  if (descriptor !== undefined) {
    try {
      fs.fstatSync(descriptor);
    } catch {
      throw new UsageError(`${named} leads to file descriptor ${descriptor}, which is not open`);
    }
    return { ...target, kind: "descriptor", descriptor };
  }
  let stats: fs.Stats | undefined;
  try {
    stats = fs.statSync(absolute);
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw new UsageError(`${named} cannot be examined: ${errorCode(error)}`);
  }
  if (stats === undefined) {
    let linked = false;
    try {
      linked = fs.lstatSync(absolute).isSymbolicLink();
    } catch {
      // no entry at all: a new file
    }
    if (linked)
      throw new UsageError(
        `${named} is a symbolic link to ${fs.readlinkSync(absolute)}, which does not exist; give the file itself`,
      );
    const directory = path.dirname(absolute);
    let directoryStats: fs.Stats | undefined;
    try {
      directoryStats = fs.statSync(directory);
    } catch {
      // reported below
    }
    if (!directoryStats?.isDirectory()) throw new UsageError(`${named}: directory ${directory} does not exist`);
    return { ...target, kind: "file", file: path.join(fs.realpathSync(directory), path.basename(absolute)) };
  }
  if (stats.isFile()) return { ...target, kind: "file", file: fs.realpathSync(absolute) };
  if (stats.isCharacterDevice() || stats.isFIFO()) return { ...target, kind: "device", file: absolute };
  if (stats.isDirectory()) throw new UsageError(`${named} is a directory; give a file path`);
  const what = stats.isBlockDevice() ? "a block device" : stats.isSocket() ? "a socket" : "not a regular file";
  throw new UsageError(
    `${named} is ${what}; a report goes to a regular file, a character device, a FIFO, or - (stdout)`,
  );
}

/** A file's identity (device and inode), or undefined when it does not exist. */
function identityOf(target: ReportTarget): string | undefined {
  try {
    const stats =
      target.kind === "descriptor"
        ? fs.fstatSync(target.descriptor!)
        : target.file
          ? fs.statSync(target.file)
          : undefined;
    return stats ? `${stats.dev}:${stats.ino}` : undefined;
  } catch {
    return undefined;
  }
}

function isInside(file: string, directory: string | undefined): boolean {
  if (directory === undefined) return false;
  let real: string;
  try {
    real = fs.realpathSync(directory);
  } catch {
    return false;
  }
  return file.startsWith(real + path.sep);
}

/** Refuses a target that would overwrite something the run reads. */
function checkNotAnInput(target: ReportTarget, inputs: RunInput[], folders: InputFolders): void {
  const named = `${target.flag} ${target.given}`;
  const identity = identityOf(target);
  if (identity === undefined) return; // a new file is nobody's input
  for (const input of inputs) {
    let inputIdentity: string | undefined;
    try {
      const stats = fs.statSync(input.file);
      inputIdentity = `${stats.dev}:${stats.ino}`;
    } catch {
      continue;
    }
    if (inputIdentity === identity)
      throw new UsageError(
        `${named} is ${input.what} ${input.file}, which this run reads; give the report its own file`,
      );
  }
  if (target.kind !== "file") return;
  const file = target.file!;
  if (isInside(file, folders.packDir))
    throw new UsageError(
      `${named} is a file of the policy pack ${folders.packDir}, which this run reads; give the report its own file`,
    );
  if (
    isInside(file, folders.projectDir) &&
    !file.split(path.sep).includes("node_modules") &&
    PROJECT_SOURCE.test(path.basename(file))
  )
    throw new UsageError(`${named} is ${file}, a source of the project this run checks; give the report its own file`);
}

/**
 * Checks that a new or replaced file can really be created in the target's directory: a probe file,
 * removed at once (permissions, read-only mounts and quotas all answer).
 */
function probe(target: ReportTarget): void {
  const temporary = temporaryName(target.file!);
  try {
    fs.closeSync(fs.openSync(temporary, "wx", 0o600));
  } catch (error) {
    throw new UsageError(
      `${target.flag} ${target.given} cannot be written: ${errorCode(error)} in ${path.dirname(target.file!)}`,
    );
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * The run's report targets, each checked: what its path names, that it is none of the run's
 * `inputs` (nor a source of the project folder or a file of the policy pack), and that no two
 * targets are the same file.
 */
export function resolveReportTargets(
  flags: { report?: string[]; format?: string; output?: string },
  cwd: string,
  inputs: RunInput[] = [],
  folders: InputFolders = {},
): ReportTarget[] {
  const targets = parseTargets(flags).map((target) => classify(target, cwd));
  const seen = new Map<string, ReportTarget>();
  for (const target of targets) {
    if (target.kind === "stdout") continue;
    checkNotAnInput(target, inputs, folders);
    // The same file named twice, through any spelling: its inode, or (for a new file) its real path.
    for (const key of [identityOf(target), target.file].filter((value) => value !== undefined)) {
      const earlier = seen.get(key);
      if (earlier)
        throw new UsageError(
          `${target.flag} ${target.given}: ${earlier.flag} ${earlier.given} already writes to that file (${target.file ?? `descriptor ${target.descriptor}`}); give each report its own file`,
        );
      seen.set(key, target);
    }
    if (target.kind === "file") probe(target);
  }
  // `-` and a link to this process's stdout would interleave two reports in one stream.
  const stdoutLink = targets.find((target) => target.kind === "descriptor" && target.descriptor === 1);
  if (stdoutLink && targets.some((target) => target.kind === "stdout"))
    throw new UsageError(
      `${stdoutLink.flag} ${stdoutLink.given} is stdout, where - already sends a report; give one of them a file`,
    );
  return targets;
}
