/**
 * One progress bar per pass of a long command on a terminal (`parse`, `train`, `detect`, `watch --once`):
 * `read  [#######.......] 45%  12.3 of 27.4 MB  8.1 MB/s`. Nothing on a non-terminal (scripts read
 * stdout and stderr). Batch commands log at `warn` on a terminal unless --log-level asks otherwise, so
 * service log lines do not break into the bar.
 */
const WIDTH = 30;
const EVERY_MS = 200;

export class Progress {
  private done = 0;
  private last = 0;
  private readonly start = Date.now();
  private shown = false;

  /** `total` in bytes (0: unknown, the bar shows what was done only; -1: nothing to count, the time only). */
  constructor(
    private readonly name: string,
    private total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  /**
   * A bar on a terminal, else undefined: callers write `progress?.add(n)`. `printsAsItGoes`: the command
   * writes results to stdout while it runs, so with stdout on the same terminal the results are the
   * progress and no bar is drawn between them.
   */
  static onTerminal(name: string, total: number, printsAsItGoes = false): Progress | undefined {
    if (!process.stderr.isTTY || (printsAsItGoes && process.stdout.isTTY)) return undefined;
    return new Progress(name, total);
  }

  add(n: number): void {
    this.set(this.done + n);
  }

  set(done: number, total = this.total): void {
    this.done = done;
    this.total = total;
    const now = Date.now();
    if (now - this.last < EVERY_MS) return;
    this.last = now;
    this.out.write(`\r\x1b[2K${this.line(now)}`);
    this.shown = true;
  }

  /** Clears the bar (the pass is over); the next pass starts its own. */
  end(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }

  line(now = Date.now()): string {
    const mb = (b: number) => (b / 1e6).toFixed(b >= 1e8 ? 0 : 1);
    const secs = Math.max(0.001, (now - this.start) / 1000);
    // a pass that cannot count (fitting the models): its name and how long it runs
    if (this.total < 0) return `${this.name.padEnd(6)} … ${secs.toFixed(0)} s`;
    const rate = this.done / secs;
    if (this.total === 0) return `${this.name.padEnd(6)} ${mb(this.done)} MB  ${mb(rate)} MB/s`;
    const share = Math.min(1, this.done / this.total);
    const full = Math.round(share * WIDTH);
    return `${this.name.padEnd(6)} [${'#'.repeat(full)}${'.'.repeat(WIDTH - full)}] ${(share * 100).toFixed(0).padStart(3)}%  ${mb(this.done)} of ${mb(this.total)} MB  ${mb(rate)} MB/s`;
  }
}

/** The log level of a batch command: `warn` on a terminal (a bar is drawn) unless asked for with --log-level. */
export function batchLogLevel(asked: string | undefined, configured: string): string {
  return asked ?? (process.stderr.isTTY ? 'warn' : configured);
}
