/**
 * Writes a report so that readers see either the old file or the whole new one, never a part:
 * a temporary file in the same directory (same filesystem, so the rename is atomic), flushed to
 * disk, then renamed over the target. On any failure the temporary file is removed.
 */
import * as fs from "fs";
import * as path from "path";
import { randomBytes } from "crypto";
import { UsageError } from "../usageError";

/** A file a report will be written to, and the flag that named it (for the error message). */
export interface ReportTarget {
  flag: string;
  file: string;
}

/**
 * Checks every report target before anything runs, so a typo in a path fails in a second, not
 * after the program and the pack: the directory exists, the target is not a directory, the same
 * file is not named twice, and a file can really be created there (a probe file, removed at once:
 * permissions, read-only mounts and quotas all answer).
 */
export function checkReportTargets(targets: ReportTarget[], cwd: string): void {
  const seen = new Map<string, ReportTarget>();
  for (const target of targets) {
    const absolute = path.resolve(cwd, target.file);
    const earlier = seen.get(absolute);
    if (earlier)
      throw new UsageError(
        `${target.flag} ${target.file}: ${earlier.flag} ${earlier.file} already writes to ${absolute}; give each report its own file`,
      );
    seen.set(absolute, target);
    checkDirectory(target, absolute);
    const probe = temporaryName(absolute);
    try {
      fs.closeSync(fs.openSync(probe, "wx", 0o644));
    } catch (error) {
      throw new UsageError(
        `${target.flag} ${target.file} cannot be written: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} in ${path.dirname(absolute)}`,
      );
    } finally {
      fs.rmSync(probe, { force: true });
    }
  }
}

function checkDirectory(target: ReportTarget, absolute: string): void {
  const directory = path.dirname(absolute);
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) {
    throw new UsageError(`${target.flag} ${target.file}: directory ${directory} does not exist`);
  }
  if (fs.existsSync(absolute) && fs.statSync(absolute).isDirectory()) {
    throw new UsageError(`${target.flag} ${target.file} is a directory; give a file path`);
  }
}

function temporaryName(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`,
  );
}

export function writeFileAtomically(file: string, content: string, flag = "--output"): void {
  const target = path.resolve(file);
  checkDirectory({ flag, file }, target);
  const temporary = temporaryName(target);
  let descriptor: number | undefined;
  try {
    descriptor = fs.openSync(temporary, "wx", 0o644);
    fs.writeFileSync(descriptor, content, "utf8");
    fs.fsyncSync(descriptor);
    fs.closeSync(descriptor);
    descriptor = undefined;
    fs.renameSync(temporary, target);
  } catch (error) {
    if (descriptor !== undefined) fs.closeSync(descriptor);
    fs.rmSync(temporary, { force: true });
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `${flag} ${file} could not be written: ${(error as NodeJS.ErrnoException).code ?? ""} ${(error as Error).message}`.trim(),
    );
  }
}
