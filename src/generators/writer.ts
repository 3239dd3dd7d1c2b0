/**
 * Drives a mock log generator: Poisson arrivals at a rate, records written into rotating files
 * (a cloud service delivers new files every few seconds), anomaly periods scheduled and labelled.
 * Two timings: `live` writes records as they happen (timestamps ≈ now, each batch flushed at once so
 * a tailer sees it promptly); `simulated` writes a span of time as fast as it can, deterministically.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Rng } from '../util/rng.js';
import { isoTime } from '../util/units.js';

/** A value a monitored field can take, in its record type (`403` is a number, `XX` a string). */
export type AnomalyValue = string | number;

export interface AnomalyInfo {
  /** Field path as used in records, e.g. `httpRequest.country`. */
  field: string;
  /** The rare values boosted. */
  values: AnomalyValue[];
}

/** A generator whose field distributions can be skewed (implemented by WafGenerator, later Postfix). */
export interface AnomalyTarget {
  /** Field names `startAnomaly` accepts; a random plan picks among them. */
  readonly anomalyFields: readonly string[];
  /** Boosts the given rare values (default all) of one field; returns what was boosted. */
  startAnomaly(field: string, values?: ReadonlyArray<AnomalyValue>): AnomalyInfo;
  stopAnomaly(): void;
}

/** One anomaly period, as appended to the labels NDJSON file (end exclusive). */
export interface AnomalyLabel {
  field: string;
  values: AnomalyValue[];
  start: string;
  end: string;
}

export type AnomalyPlan =
  | { kind: 'none' }
  /** Non-overlapping periods on random fields, lengths and gaps uniform in the ranges (ms). */
  | { kind: 'random'; length?: [min: number, max: number]; gap?: [min: number, max: number] }
  /** One period on `field`, from `after` ms past the run start, lasting `length` ms. */
  | { kind: 'enforced'; field: string; values?: ReadonlyArray<AnomalyValue>; after: number; length: number };

/** Defaults give about ten 3–8 minute periods in two hours, with normal gaps of 3–10 minutes. */
const RANDOM_LENGTH: [number, number] = [3 * 60_000, 8 * 60_000];
const RANDOM_GAP: [number, number] = [3 * 60_000, 10 * 60_000];

export type Timing =
  /** Writes [start, start + duration) as fast as possible. */
  | { mode: 'simulated'; start: number; duration: number }
  /** Real time from now, for `duration` ms or until the signal aborts. */
  | { mode: 'live'; duration?: number };

export interface GeneratorRunOptions {
  outDir: string;
  /** File name prefix: `<prefix>-YYYYMMDD-HHMMSS-<seq>.log`. */
  filePrefix: string;
  /** Mean records per second (Poisson arrivals). */
  rate: number;
  filesPerMinute: number;
  /** One record at `ts` (epoch ms): a string is written as is, anything else as JSON. */
  record: (ts: number) => unknown;
  timing: Timing;
  /** Seeds arrivals and the random anomaly schedule (the record factory has its own seed). */
  seed: number;
  anomalies?: {
    target: AnomalyTarget;
    plan: AnomalyPlan;
    onStart?: (info: AnomalyInfo, startMs: number) => void;
    /** Called when a period ends, or at the end of the run for an open one. */
    onLabel?: (label: AnomalyLabel) => void;
  };
  /** Ends the run cleanly (open label written, files closed). */
  signal?: AbortSignal;
  onFile?: (file: string) => void;
}

export interface GeneratorRunSummary {
  records: number;
  files: string[];
  labels: AnomalyLabel[];
  start: number;
  end: number;
}

/** Appends one label line to an NDJSON file. */
export function appendLabel(file: string, label: AnomalyLabel): void {
  fs.appendFileSync(file, JSON.stringify(label) + '\n');
}

/** Runs a generator until its duration is over or the signal aborts. */
export async function runGenerator(opts: GeneratorRunOptions): Promise<GeneratorRunSummary> {
  if (!(opts.rate > 0)) throw new RangeError('rate must be > 0');
  if (!(opts.filesPerMinute > 0)) throw new RangeError('filesPerMinute must be > 0');
  // Separate streams so the arrival times do not depend on the anomaly plan and vice versa.
  const arrivals = new Rng(opts.seed ^ 0x51ed270b);
  const gapMs = () => arrivals.exponential(1000 / opts.rate);
  const live = opts.timing.mode === 'live';
  const start = opts.timing.mode === 'simulated' ? opts.timing.start : Date.now();
  const end = opts.timing.duration === undefined ? Infinity : start + opts.timing.duration;
  const files = new RotatingFiles(opts.outDir, opts.filePrefix, 60_000 / opts.filesPerMinute, start, opts.onFile);
  const labels: AnomalyLabel[] = [];
  const a = opts.anomalies;
  const schedule = a
    ? new AnomalySchedule(a.target, a.plan, new Rng(opts.seed ^ 0x2c1b3c6d), start, a.onStart, (l) => {
        labels.push(l);
        a.onLabel?.(l);
      })
    : undefined;
  let records = 0;
  const emit = (ts: number) => {
    schedule?.advance(ts);
    const rec = opts.record(ts);
    files.write(ts, typeof rec === 'string' ? rec : JSON.stringify(rec));
    records++;
  };

  let last = start;
  try {
    let next = start + gapMs();
    if (!live) {
      while (next < end && !opts.signal?.aborted) {
        emit(next);
        last = next;
        next += gapMs();
        // Yield now and then so a SIGINT (abort) can get through a long simulated run.
        if (records % 4096 === 0) await yieldToLoop();
      }
      last = opts.signal?.aborted ? last : end;
    } else {
      while (!opts.signal?.aborted) {
        const now = Date.now();
        if (now >= end) break;
        // After a stall (machine asleep) carry on from now rather than bursting out the backlog.
        if (now - next > 5000) next = now;
        while (next <= now) {
          emit(next);
          next += gapMs();
        }
        files.flush();
        schedule?.advance(now); // ends periods on time even when records are sparse
        await sleep(Math.min(next, end, now + 1000) - Date.now(), opts.signal);
      }
      last = Math.min(Date.now(), end);
    }
    schedule?.finish(last);
  } finally {
    files.close();
  }
  return { records, files: files.created, labels, start, end: last };
}

/** Writes lines into `<prefix>-YYYYMMDD-HHMMSS-<seq>.log`, a new file every `periodMs` from `origin`. */
export class RotatingFiles {
  readonly created: string[] = [];
  private fd: number | undefined;
  private period = -1;
  private buffer: string[] = [];
  private buffered = 0;

  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    private readonly periodMs: number,
    private readonly origin: number,
    private readonly onFile?: (file: string) => void,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Buffers a line; files are opened lazily so an idle period leaves no empty file. */
  write(ts: number, line: string): void {
    const period = Math.floor((ts - this.origin) / this.periodMs);
    if (period !== this.period) this.open(period);
    this.buffer.push(line + '\n');
    this.buffered += line.length + 1;
    if (this.buffered >= 1 << 20) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    fs.writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.buffered = 0;
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private open(period: number): void {
    this.close();
    const stamp = isoTime(this.origin + period * this.periodMs).replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const file = path.join(this.dir, `${this.prefix}-${stamp}-${String(this.created.length + 1).padStart(4, '0')}.log`);
    this.fd = fs.openSync(file, 'a');
    this.period = period;
    this.created.push(file);
    this.onFile?.(file);
  }
}

interface Period {
  start: number;
  end: number;
  field: string;
  values?: ReadonlyArray<AnomalyValue>;
  info?: AnomalyInfo;
}

/** Turns an AnomalyPlan into start/stop calls on the target as time advances, and labels (also drives in-process fixtures). */
export class AnomalySchedule {
  private pending: Period | undefined;
  private open: Period | undefined;

  constructor(
    private readonly target: AnomalyTarget,
    private readonly plan: AnomalyPlan,
    private readonly rng: Rng,
    origin: number,
    private readonly onStart: ((info: AnomalyInfo, startMs: number) => void) | undefined,
    private readonly onLabel: (label: AnomalyLabel) => void,
  ) {
    if (plan.kind === 'enforced') {
      this.pending = { start: origin + plan.after, end: origin + plan.after + plan.length, field: plan.field, values: plan.values };
    } else if (plan.kind === 'random') {
      this.pending = this.randomAfter(origin);
    }
  }

  /** Opens and closes every period boundary up to `ts` (a loop: sparse records may skip a whole period). */
  advance(ts: number): void {
    for (;;) {
      if (this.open && ts >= this.open.end) {
        this.close(this.open.end);
      } else if (!this.open && this.pending && ts >= this.pending.start) {
        const p = this.pending;
        p.info = this.target.startAnomaly(p.field, p.values);
        this.open = p;
        this.pending = undefined;
        this.onStart?.(p.info, p.start);
      } else {
        return;
      }
    }
  }

  /** Ends the run at `ts`: an open period is labelled up to then. */
  finish(ts: number): void {
    this.advance(ts);
    if (this.open) this.close(Math.min(ts, this.open.end));
  }

  private close(end: number): void {
    const p = this.open!;
    this.target.stopAnomaly();
    this.open = undefined;
    // A period that starts exactly when the run ends covers no time: no label.
    if (end > p.start) this.onLabel({ field: p.info!.field, values: p.info!.values, start: isoTime(p.start), end: isoTime(end) });
    if (this.plan.kind === 'random') this.pending = this.randomAfter(p.end);
  }

  private randomAfter(t: number): Period {
    const plan = this.plan as Extract<AnomalyPlan, { kind: 'random' }>;
    const uniform = ([lo, hi]: [number, number]) => Math.round(lo + this.rng.next() * (hi - lo));
    const start = t + uniform(plan.gap ?? RANDOM_GAP);
    return { start, end: start + uniform(plan.length ?? RANDOM_LENGTH), field: this.rng.pick(this.target.anomalyFields) };
  }
}

/** Resolves after `ms` or as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}
