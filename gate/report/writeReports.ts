/**
 * Writes the reports of one run as a set: after a run, either every report path holds this run's
 * report, or (the run failed, exit 2) no report path holds a regular file at all, not even an older
 * report, so nothing left behind claims a verdict this run did not reach.
 *
 * Order: every file report is rendered into a temporary file beside its target (same filesystem,
 * so the rename is atomic), flushed to disk and given the mode (and, as root, the owner) of the file
 * it replaces; only when all of them are written are they renamed over their targets, one by one;
 * then devices, FIFOs and descriptor links are written through; stdout comes last. A failure at any
 * step removes every temporary file and every file target (renamed already or not), and is an
 * exit-2 error naming the target. What a device, FIFO or stdout already received cannot be taken
 * back; it went to a stream, not into a file left behind.
 */
import * as fs from "fs";
import { setTimeout as sleep } from "timers/promises";
import { temporaryName, type ReportTarget } from "./reportTargets";
import { UsageError } from "../usageError";

export interface ReportStream {
  write(text: string): unknown;
}

/**
 * A report's text, whole or in chunks (a large audit's JSON report does not fit in one string:
 * formats/json.ts renders it in chunks, written one after another).
 */
export type ReportContent = string | Iterable<string>;

function chunksOf(content: ReportContent): Iterable<string> {
  return typeof content === "string" ? [content] : content;
}

function failure(target: ReportTarget, error: unknown): UsageError {
  if (error instanceof UsageError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const message = (error as Error).message ?? String(error);
  return new UsageError(
    `${target.flag} ${target.given} could not be written: ${code && !message.startsWith(code) ? `${code} ` : ""}${message}`,
  );
}

/** The mode and owner a replacing file takes: the replaced file's, or undefined for a new file. */
function existingOwnership(file: string): { mode: number; uid: number; gid: number } | undefined {
  try {
    const stats = fs.lstatSync(file);
    if (!stats.isFile())
      throw new Error(`${file} is no longer a regular file, and a report never replaces anything else`);
    return { mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Writes `content` to a new temporary file beside `file`, flushed, with the mode of the file it will replace. */
function writeTemporary(file: string, content: ReportContent): string {
  const temporary = temporaryName(file);
  const descriptor = fs.openSync(temporary, "wx", 0o666);
  try {
    const existing = existingOwnership(file);
    if (existing) {
      fs.fchmodSync(descriptor, existing.mode);
      // As root the new file would be root's; keep the replaced file's owner (elsewhere this is not allowed and not needed).
      if (process.getuid?.() === 0) fs.fchownSync(descriptor, existing.uid, existing.gid);
    }
    for (const chunk of chunksOf(content)) fs.writeFileSync(descriptor, chunk, "utf8");
    fs.fsyncSync(descriptor);
  } catch (error) {
    fs.closeSync(descriptor);
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  fs.closeSync(descriptor);
  return temporary;
}

/** Writes all of `content` to an open descriptor, waiting while a non-blocking pipe is full. */
async function writeToDescriptor(descriptor: number, content: ReportContent): Promise<void> {
  for (const chunk of chunksOf(content)) {
    const buffer = Buffer.from(chunk, "utf8");
    let offset = 0;
    while (offset < buffer.length) {
      try {
        offset += fs.writeSync(descriptor, buffer, offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
        await sleep(5);
      }
    }
  }
}

/** Writes through a character device or FIFO: never created, never truncated, never replaced. */
async function writeThrough(file: string, content: ReportContent): Promise<void> {
  // Opened off the event loop: a FIFO's open waits for its reader, as a shell redirection does.
  const handle = await fs.promises.open(file, fs.constants.O_WRONLY | fs.constants.O_NOCTTY);
  try {
    const stats = await handle.stat();
    if (!stats.isCharacterDevice() && !stats.isFIFO())
      throw new Error(`${file} is no longer a character device or FIFO`);
    // writeFile on a handle writes on from where the last write ended, and writes all of it.
    for (const chunk of chunksOf(content)) await handle.writeFile(chunk, "utf8");
  } finally {
    await handle.close();
  }
}

/** Removes every regular file at the targets' paths: what a run that exits 2 leaves no report in. */
export function discardReports(targets: readonly ReportTarget[]): void {
  for (const target of targets) {
    if (target.kind !== "file") continue;
    try {
      if (fs.lstatSync(target.file!).isFile()) fs.rmSync(target.file!, { force: true });
    } catch {
      // nothing there
    }
  }
}

/**
 * Writes every target's report (see the module comment for the order and the guarantee).
 * `render` is called once per target; `written` is told each target once it holds its report.
 */
export async function writeReports(
  targets: readonly ReportTarget[],
  render: (target: ReportTarget) => ReportContent,
  stdout: ReportStream,
  written: (target: ReportTarget) => void = () => undefined,
): Promise<void> {
  const temporaries: string[] = [];
  let current: ReportTarget | undefined;
  try {
    const prepared: { target: ReportTarget; temporary: string }[] = [];
    for (const target of targets.filter((candidate) => candidate.kind === "file")) {
      current = target;
      const temporary = writeTemporary(target.file!, render(target));
      temporaries.push(temporary);
      prepared.push({ target, temporary });
    }
    for (const { target, temporary } of prepared) {
      current = target;
      existingOwnership(target.file!); // still a regular file, or nothing
      fs.renameSync(temporary, target.file!);
      temporaries.splice(temporaries.indexOf(temporary), 1);
    }
    for (const { target } of prepared) written(target);
    for (const target of targets) {
      current = target;
      if (target.kind === "device") await writeThrough(target.file!, render(target));
      else if (target.kind === "descriptor") await writeToDescriptor(target.descriptor!, render(target));
      else continue;
      written(target);
    }
  } catch (error) {
    for (const temporary of temporaries) fs.rmSync(temporary, { force: true });
    discardReports(targets);
    throw failure(current!, error);
  }
  for (const target of targets) {
    if (target.kind !== "stdout") continue;
    for (const chunk of chunksOf(render(target))) stdout.write(chunk);
    written(target);
  }
}
