/**
 * Writes a PostfixGenerator's lines into one file per UTC day (`mail.log-YYYYMMDD`, as logrotate's
 * `dateext` names them) and its incidents into a labels NDJSON file. A span is written as fast as it can
 * be; `live` then goes on in real time, appending to today's file, until the signal aborts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { isoTime } from '../util/units.js';
import { PostfixGenerator, type PostfixIncident, type PostfixLabel } from './postfix.js';
import { sleep } from './writer.js';

const HOUR = 3_600_000;

export interface PostfixRunOptions {
  outDir: string;
  seed: number;
  /** Generated span (epoch ms, end exclusive); with `live` the run goes on past `end` in real time. */
  start: number;
  end: number;
  incidents: PostfixIncident[];
  ratePerHour?: number;
  labelsFile?: string;
  live?: boolean;
  signal?: AbortSignal;
}

export interface PostfixRunSummary {
  lines: number;
  files: string[];
  labels: PostfixLabel[];
  end: number;
}

/** Lines into `<prefix>-YYYYMMDD` by the UTC day of their time; a file is replaced (or, appending, extended) on first use. */
export class DailyFiles {
  readonly created: string[] = [];
  private fd: number | undefined;
  private file = '';
  private day = -1;
  private lastTs = 0;
  private buffer = '';

  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    private readonly append: boolean,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  write(ts: number, line: string): void {
    const day = Math.floor(ts / 86_400_000);
    if (day !== this.day) this.open(day, ts);
    this.lastTs = ts;
    this.buffer += line + '\n';
    if (this.buffer.length >= 1 << 20) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    fs.writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  close(): void {
    this.flush();
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    // a finished day's file was last written at its last line, as a real rotated log was: readers that
    // take files in age order (watch, within one source) then read the days in order
    if (!this.append) fs.utimesSync(this.file, new Date(this.lastTs), new Date(this.lastTs));
    this.fd = undefined;
  }

  private open(day: number, ts: number): void {
    this.close();
    const file = path.join(this.dir, `${this.prefix}-${isoTime(ts).slice(0, 10).replace(/-/g, '')}`);
    this.fd = fs.openSync(file, this.append || this.created.includes(file) ? 'a' : 'w');
    this.file = file;
    this.day = day;
    if (!this.created.includes(file)) this.created.push(file);
  }
}

export async function runPostfix(opts: PostfixRunOptions): Promise<PostfixRunSummary> {
  const gen = new PostfixGenerator({ seed: opts.seed, start: opts.start, ratePerHour: opts.ratePerHour, incidents: opts.incidents });
  const files = new DailyFiles(opts.outDir, 'mail.log', opts.live === true);
  let lines = 0;
  const emit = (ts: number, line: string) => {
    files.write(ts, line);
    lines++;
  };
  let t = opts.start;
  let labels: PostfixLabel[] = [];
  try {
    // hour by hour, yielding so a SIGINT gets through a long span
    while (t < opts.end && !opts.signal?.aborted) {
      t = Math.min(t + HOUR, opts.end);
      gen.advance(t, emit);
      await yieldToLoop();
    }
    files.flush();
    // incidents lie within the span: their labels are final before any live part starts
    labels = opts.incidents
      .filter((inc) => inc.start < t)
      .map((inc) => ({ type: inc.type, start: isoTime(inc.start), end: isoTime(Math.min(inc.end, t)) }));
    if (opts.labelsFile !== undefined) {
      const text = labels.map((l) => JSON.stringify(l) + '\n').join('');
      if (opts.live) fs.appendFileSync(opts.labelsFile, text);
      else fs.writeFileSync(opts.labelsFile, text);
    }
    while (opts.live && !opts.signal?.aborted) {
      await sleep(1000, opts.signal);
      t = Math.max(t, Date.now());
      gen.advance(t, emit);
      files.flush();
    }
  } finally {
    files.close();
  }
  return { lines, files: files.created, labels, end: t };
}
