/**
 * Fault-test line generator (../../../shared/RELIABILITY.md, "Tools every fault test shares").
 *
 * Writes lines `seq=<n> src=<id>[ pad=xxxx] crc=<crc32 hex of everything before " crc=">` to one file,
 * at a chosen rate or as fast as possible, and rotates it on command or every N lines:
 * - `rename`: rename to `<name>.1` (older copies shifted to .2, .3, … like logrotate) or into another
 *   directory, then create a new file;
 * - `copytruncate`: a "copy window" opens (the copy is in progress while the application keeps writing),
 *   then the file is copied and truncated at once; the seqs written in the window are recorded, since
 *   only those may be lost by a tailer that keeps up;
 * - `truncate`: truncate in place.
 * It runs in the test process: the process under test (`watch`) is the one killed, so the writer keeps
 * going across kills. Writes are synchronous and whole lines at a time (one write per batch), so the
 * file only ever ends mid-line when a test writes a partial line on purpose.
 */
import { closeSync, copyFileSync, existsSync, ftruncateSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32 } from 'node:zlib';

/** CRC-32 (IEEE) as 8 lowercase hex digits. zlib.crc32 exists from Node 20.15 (engines: >= 20.19). */
export function crcHex(s: string): string {
  return crc32(s).toString(16).padStart(8, '0');
}

/** One generated line, without its LF. `padBytes` adds a ` pad=xxx…` field covered by the crc. */
export function makeLine(seq: number, src: string, padBytes = 0): string {
  const body = padBytes > 0 ? `seq=${seq} src=${src} pad=${'x'.repeat(padBytes)}` : `seq=${seq} src=${src}`;
  return `${body} crc=${crcHex(body)}`;
}

export type RotationMode = 'rename' | 'copytruncate' | 'truncate';

export interface LineWriterOptions {
  /** The live file (created if absent; appended to if present). */
  path: string;
  src: string;
  padBytes?: number;
  /** First seq written (default 0). */
  startSeq?: number;
  /** Rotate automatically every this many lines (per file generation). */
  rotateEvery?: number;
  rotation?: RotationMode;
  /** Where rotated files go (`rename`, `copytruncate`); default the live file's directory. */
  rotateDir?: string;
  /** `copytruncate`: lines written between the start of the copy and the truncate. */
  copyWindowLines?: number;
  /** Keep the descriptor open between writes (default true; false for thousands of files). */
  keepOpen?: boolean;
}

export interface RotationRecord {
  mode: RotationMode;
  /** Seq of the first line written after the rotation (into the new / truncated file). */
  atSeq: number;
  /** copytruncate: seqs [from, to) written while the copy was in progress (the only ones that may be lost). */
  window?: { from: number; to: number };
  /** Where the rotated content went (rename, copytruncate). */
  rotatedTo?: string;
  at: number;
}

export interface RunOptions {
  /** Lines to write in this run. */
  lines: number;
  /** Lines per second; 0 = as fast as possible (yielding to the event loop between batches). */
  rate?: number;
  /** Pacing tick (ms) when rate > 0. */
  tickMs?: number;
  /** Lines per write when rate = 0. */
  batch?: number;
  signal?: AbortSignal;
}

export class LineWriter {
  /** Next seq to write. */
  seq: number;
  readonly rotations: RotationRecord[] = [];
  /** Every file that holds (or held) generated lines: the live one and rotated copies. */
  readonly files = new Set<string>();
  private fd: number | null = null;
  private linesInFile = 0;
  private windowFrom: number | null = null;
  private readonly o: Required<Omit<LineWriterOptions, 'rotateEvery' | 'rotation' | 'rotateDir'>> & Pick<LineWriterOptions, 'rotateEvery' | 'rotation' | 'rotateDir'>;

  constructor(opts: LineWriterOptions) {
    this.o = { padBytes: 0, startSeq: 0, copyWindowLines: 0, keepOpen: true, ...opts };
    this.seq = this.o.startSeq;
    mkdirSync(dirname(this.o.path), { recursive: true });
    this.files.add(this.o.path);
    if (this.o.keepOpen) this.open();
  }

  get path(): string {
    return this.o.path;
  }

  get src(): string {
    return this.o.src;
  }

  /** Seqs written so far: [startSeq, seq). */
  get written(): { from: number; to: number } {
    return { from: this.o.startSeq, to: this.seq };
  }

  /** Writes `n` lines in one write call (fewer if an automatic rotation falls inside; then several). */
  write(n: number): void {
    while (n > 0) {
      let take = n;
      const every = this.o.rotateEvery;
      if (every && this.o.rotation) take = Math.min(take, this.untilNextAction());
      const parts: string[] = [];
      for (let i = 0; i < take; i++) parts.push(makeLine(this.seq + i, this.o.src, this.o.padBytes) + '\n');
      this.writeRaw(parts.join(''));
      this.seq += take;
      this.linesInFile += take;
      n -= take;
      if (every && this.o.rotation) this.autoRotate();
    }
  }

  /** Appends bytes as they are (partial lines, garbage, long lines); they carry no seq. */
  writeRaw(data: string | Buffer): void {
    const own = this.fd === null;
    const fd = this.fd ?? openSync(this.o.path, 'a');
    try {
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    } finally {
      if (own) closeSync(fd);
    }
  }

  /** Writes `lines` lines at `rate` lines/s (or as fast as possible), rotating as configured. */
  async run(r: RunOptions): Promise<void> {
    const end = this.seq + r.lines;
    if (!r.rate) {
      const batch = r.batch ?? 500;
      while (this.seq < end && !r.signal?.aborted) {
        this.write(Math.min(batch, end - this.seq));
        await sleep(0);
      }
      return;
    }
    const tick = r.tickMs ?? 10;
    const start = Date.now();
    const first = this.seq;
    while (this.seq < end && !r.signal?.aborted) {
      const due = Math.min(end, first + Math.floor(((Date.now() - start) * r.rate) / 1000));
      if (due > this.seq) this.write(due - this.seq);
      await sleep(tick);
    }
  }

  /** rename + create: `<path>` → `<rotateDir>/<name>.1` (shifting older ones), then a new empty `<path>`. */
  rotateRename(): RotationRecord {
    const dir = this.o.rotateDir ?? dirname(this.o.path);
    mkdirSync(dir, { recursive: true });
    const name = basename(this.o.path);
    let last = 1;
    while (existsSync(join(dir, `${name}.${last}`))) last++;
    for (let i = last; i > 1; i--) {
      renameSync(join(dir, `${name}.${i - 1}`), join(dir, `${name}.${i}`));
      this.files.add(join(dir, `${name}.${i}`));
    }
    const to = join(dir, `${name}.1`);
    this.closeFd();
    renameSync(this.o.path, to);
    this.files.add(to);
    this.writeRaw('');
    if (this.o.keepOpen) this.open();
    return this.record({ mode: 'rename', atSeq: this.seq, rotatedTo: to, at: Date.now() });
  }

  /** Opens a copy window: lines written from now on until `finishCopyTruncate` may be lost. */
  beginCopy(): void {
    this.windowFrom = this.seq;
  }

  /** copytruncate: copies the file to `<rotateDir>/<name>.<k>` (a new name each time), then truncates it. */
  finishCopyTruncate(): RotationRecord {
    const dir = this.o.rotateDir ?? dirname(this.o.path);
    mkdirSync(dir, { recursive: true });
    let k = 1;
    while (existsSync(join(dir, `${basename(this.o.path)}.${k}`))) k++;
    const to = join(dir, `${basename(this.o.path)}.${k}`);
    copyFileSync(this.o.path, to);
    this.files.add(to);
    this.truncateFd();
    const from = this.windowFrom ?? this.seq;
    this.windowFrom = null;
    return this.record({ mode: 'copytruncate', atSeq: this.seq, window: { from, to: this.seq }, rotatedTo: to, at: Date.now() });
  }

  /** Truncates the live file in place (everything not yet read by a tailer is gone). */
  truncate(): RotationRecord {
    this.truncateFd();
    return this.record({ mode: 'truncate', atSeq: this.seq, at: Date.now() });
  }

  close(): void {
    this.closeFd();
  }

  private untilNextAction(): number {
    const every = this.o.rotateEvery!;
    if (this.o.rotation === 'copytruncate' && this.windowFrom === null) {
      // The copy starts copyWindowLines before the file reaches `every` lines.
      const startAt = Math.max(0, every - this.o.copyWindowLines);
      if (this.linesInFile < startAt) return startAt - this.linesInFile;
    }
    return Math.max(1, every - this.linesInFile);
  }

  private autoRotate(): void {
    const every = this.o.rotateEvery!;
    if (this.o.rotation === 'copytruncate' && this.windowFrom === null && this.linesInFile >= every - this.o.copyWindowLines && this.o.copyWindowLines > 0) {
      this.beginCopy();
      if (this.linesInFile < every) return;
    }
    if (this.linesInFile < every) return;
    if (this.o.rotation === 'rename') this.rotateRename();
    else if (this.o.rotation === 'copytruncate') this.finishCopyTruncate();
    else this.truncate();
  }

  private record(r: RotationRecord): RotationRecord {
    this.linesInFile = 0;
    this.rotations.push(r);
    return r;
  }

  private truncateFd(): void {
    // O_APPEND: the application's next write lands at the new end, as with a real copytruncate.
    const own = this.fd === null;
    const fd = this.fd ?? openSync(this.o.path, 'r+');
    try {
      ftruncateSync(fd, 0);
    } finally {
      if (own) closeSync(fd);
    }
  }

  private open(): void {
    this.fd = openSync(this.o.path, 'a');
  }

  private closeFd(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Seqs that fall in any of the copytruncate windows. */
export function inWindows(seq: number, rotations: readonly RotationRecord[]): boolean {
  return rotations.some((r) => r.window !== undefined && seq >= r.window.from && seq < r.window.to);
}
