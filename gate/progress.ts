/**
 * Progress on stderr: one line redrawn in place on a terminal, plain lines otherwise (CI logs).
 * Never on stdout, which carries the report.
 */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export class Progress {
  private lineOpen = false;

  constructor(
    private readonly sink: ProgressSink,
    private readonly quiet = false,
  ) {}

  /** A step worth a line of its own. */
  step(message: string): void {
    if (this.quiet) return;
    this.clear();
    this.sink.write(`keyguard: ${message}\n`);
  }

  /**
   * A counter that changes often: redrawn on a terminal, shown only at the end elsewhere. The
   * total is undefined while it is not known yet (resources still being registered).
   */
  count(label: string, done: number, total: number | undefined): void {
    if (this.quiet) return;
    const finished = total !== undefined && done >= total;
    if (this.sink.isTTY) {
      this.sink.write(`\r\u001b[2Kkeyguard: ${label} ${done}${total === undefined ? "" : `/${total}`}`);
      this.lineOpen = true;
      if (finished) this.clear();
    } else if (finished) {
      this.sink.write(`keyguard: ${label} ${done}/${total}\n`);
    }
  }

  /** What the program printed, kept apart from the gate's own lines. */
  programOutput(line: string): void {
    if (this.quiet) return;
    this.clear();
    this.sink.write(`  | ${line}\n`);
  }

  clear(): void {
    if (this.lineOpen) {
      this.sink.write("\r\u001b[2K");
      this.lineOpen = false;
    }
  }
}
