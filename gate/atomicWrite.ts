/**
 * Writes a report so that readers see either the old file or the whole new one, never a part:
 * a temporary file in the same directory (same filesystem, so the rename is atomic), flushed to
 * disk, then renamed over the target. On any failure the temporary file is removed.
 */
import * as fs from "fs";
import * as path from "path";
import { randomBytes } from "crypto";
import { UsageError } from "./usageError";

export function writeFileAtomically(file: string, content: string): void {
  const target = path.resolve(file);
  const directory = path.dirname(target);
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) {
    throw new UsageError(`--output ${file}: directory ${directory} does not exist`);
  }
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
    throw new UsageError(`--output ${file} is a directory; give a file path`);
  }
  const temporary = path.join(directory, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
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
    throw new UsageError(`--output ${file} could not be written: ${(error as NodeJS.ErrnoException).code ?? ""} ${(error as Error).message}`.trim());
  }
}
