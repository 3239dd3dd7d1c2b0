/**
 * Standard output of the commands. A reader that goes away (`logradar events | head -1`) ends the command
 * quietly, exit 0, instead of an unhandled EPIPE; `watch` stops as on SIGTERM instead (see watch.ts). A
 * slow reader holds the writer back: every waiter shares one promise per stream, never one listener each.
 */

let gone = false;
let onGone: () => void = () => process.exit(0);

/** Installs the EPIPE handling on stdout; any other write error ends the command with exit 1. */
export function guardStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      if (gone) return;
      gone = true;
      onGone();
      return;
    }
    process.stderr.write(`logradar: cannot write to standard output: ${e.message}\n`);
    process.exit(1);
  });
}

/** Replaces the default reaction (exit 0) to the reader going away. */
export function onStdoutGone(fn: () => void): void {
  onGone = fn;
}

/** The reader of stdout went away: nothing more is written. */
export function stdoutGone(): boolean {
  return gone;
}

const waits = new WeakMap<NodeJS.WritableStream, Promise<void>>();

/** Undefined when `out` takes more now; else a promise (shared by every caller) resolved on drain or close. */
export function drained(out: NodeJS.WritableStream = process.stdout): Promise<void> | undefined {
  const w = out as NodeJS.WritableStream & { writableNeedDrain?: boolean; destroyed?: boolean };
  if (!w.writableNeedDrain || w.destroyed) return undefined;
  let p = waits.get(out);
  if (!p) {
    p = new Promise<void>((resolve) => {
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        waits.delete(out);
        resolve();
      };
      out.on('drain', done);
      out.on('close', done);
    });
    waits.set(out, p);
  }
  return p;
}

/** Writes text; returns a promise when the reader is behind (await it before writing much more). */
export function writeOut(text: string, out: NodeJS.WritableStream = process.stdout): Promise<void> | undefined {
  if (out === process.stdout && gone) return undefined;
  out.write(text);
  return drained(out);
}
