/**
 * Where the reports of one run go: `--report FORMAT=PATH`, repeatable (`-` is stdout), and the
 * older `--format F` / `--output FILE` pair, which still works and adds one more target. With
 * neither, the text report goes to stdout. Targets are checked before the program runs, so a typo in
 * a path fails in a second, not after the whole evaluation.
 */
import * as path from "path";
import { checkReportTargets } from "./atomicWrite";
import { FORMATS, type Format } from "./formats";
import { UsageError } from "../usageError";
import { describeValue } from "../../messages/describe";

export interface ReportTarget {
  format: Format;
  /** Absolute path, or undefined for stdout. */
  file: string | undefined;
  /** The path as the user wrote it (for messages), or "-". */
  given: string;
  /** The flag the target came from, for error messages. */
  flag: string;
}

function checkFormat(value: string, flag: string): Format {
  if (!(FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} ${describeValue(value)} is not one of ${FORMATS.join(", ")}`);
  }
  return value as Format;
}

export function resolveReportTargets(
  flags: { report?: string[]; format?: string; output?: string },
  cwd: string,
): ReportTarget[] {
  const targets: ReportTarget[] = [];
  for (const spec of flags.report ?? []) {
    const at = spec.indexOf("=");
    const flag = `--report ${spec.slice(0, Math.max(at, 0))}`;
    if (at <= 0 || at === spec.length - 1) {
      throw new UsageError(
        `--report ${describeValue(spec)} is not FORMAT=PATH (e.g. --report sarif=keyguard.sarif, or markdown=- for stdout); formats: ${FORMATS.join(", ")}`,
      );
    }
    const given = spec.slice(at + 1);
    const format = checkFormat(spec.slice(0, at), "--report format");
    targets.push({ format, given, flag, file: given === "-" ? undefined : path.resolve(cwd, given) });
  }
  if (flags.format !== undefined || flags.output !== undefined || targets.length === 0) {
    const format = checkFormat(flags.format ?? "text", "--format");
    const given = flags.output ?? "-";
    targets.push({ format, given, flag: "--output", file: given === "-" ? undefined : path.resolve(cwd, given) });
  }
  const toStdout = targets.filter((target) => target.file === undefined);
  if (toStdout.length > 1) {
    throw new UsageError(
      `only one report can go to stdout, got ${toStdout.map((target) => target.format).join(" and ")}; give the others a file (--report FORMAT=PATH)`,
    );
  }
  checkReportTargets(
    targets.filter((target) => target.file !== undefined).map((target) => ({ flag: target.flag, file: target.given })),
    cwd,
  );
  return targets;
}
