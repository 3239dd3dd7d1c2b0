/**
 * The oracle: reads the store through the public CLI (`logradar events --json`, `status --json`) and
 * compares the generated lines found there with the lines written (missing, duplicated, corrupted).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { crcHex } from './linegen.js';
import { runCli, streamCli } from './cli.js';
import type { ComponentMetrics } from '../../src/model/metrics.js';
import type { FileRow, StoredEvent } from '../../src/model/store.js';

/** One line of `events --json`: a stored event with its time as ISO text. */
export type EventJson = Omit<StoredEvent, 'ts'> & { ts: string };

/** What `status --json` prints: the store's own row and counter shapes. */
export type ComponentCounters = Omit<ReturnType<ComponentMetrics['toJSON']>, 'component'>;
export type StatusFile = FileRow;

export interface StatusJson {
  files: StatusFile[];
  templates: number;
  counters: Record<string, ComponentCounters>;
}

export interface SrcReport {
  /** Distinct expected seqs found. */
  received: number;
  missing: number[];
  /** Seqs stored more than once (each listed once). */
  duplicated: number[];
  /** Seqs whose line is stored but fails its checksum or format. */
  corrupted: number[];
  /** Well-formed seqs outside the expected set. */
  unexpected: number[];
}

export interface OracleReport {
  bySrc: Record<string, SrcReport>;
  /** Sums over every src. */
  missing: number;
  duplicated: number;
  corrupted: number;
  unexpected: number;
  /** Events that are not generated lines at all (garbage, long lines, other text). */
  other: number;
  events: number;
}

/** Expected seqs of one src: a half-open range, or an explicit list. */
export type Expected = { from: number; to: number } | Iterable<number>;

const LINE = /^seq=(\d+) src=(\S+)( pad=\S*)? crc=([0-9a-f]{8})$/;
const HEAD = /^seq=(\d+) src=(\S+)/;

export type Parsed = { kind: 'ok'; seq: number; src: string } | { kind: 'corrupt'; seq: number; src: string } | { kind: 'other' };

/** Classifies one stored raw line. A line that starts like a generated one but fails its crc is corrupt. */
export function parseRaw(raw: string): Parsed {
  const m = LINE.exec(raw);
  if (m) {
    const body = raw.slice(0, raw.length - ' crc='.length - 8);
    const seq = Number(m[1]);
    return crcHex(body) === m[4] ? { kind: 'ok', seq, src: m[2] } : { kind: 'corrupt', seq, src: m[2] };
  }
  const h = HEAD.exec(raw);
  if (h) return { kind: 'corrupt', seq: Number(h[1]), src: h[2] };
  return { kind: 'other' };
}

/** Every stored event, in ingestion order (streams the CLI's NDJSON). */
export async function readEvents(dataDir: string): Promise<EventJson[]> {
  const out: EventJson[] = [];
  await streamCli(['events', '--data-dir', dataDir, '--json'], (line) => {
    if (line.length > 0) out.push(JSON.parse(line) as EventJson);
  });
  return out;
}

/** Compares stored events with the expected seqs per src. */
export function checkEvents(events: readonly Pick<EventJson, 'raw'>[], expected: Record<string, Expected>): OracleReport {
  const counts = new Map<string, Map<number, number>>();
  const corrupted = new Map<string, number[]>();
  let other = 0;
  for (const e of events) {
    const p = parseRaw(e.raw);
    if (p.kind === 'other') {
      other++;
      continue;
    }
    if (p.kind === 'corrupt') {
      let c = corrupted.get(p.src);
      if (!c) corrupted.set(p.src, (c = []));
      c.push(p.seq);
      continue;
    }
    let m = counts.get(p.src);
    if (!m) counts.set(p.src, (m = new Map()));
    m.set(p.seq, (m.get(p.seq) ?? 0) + 1);
  }
  const report: OracleReport = { bySrc: {}, missing: 0, duplicated: 0, corrupted: 0, unexpected: 0, other, events: events.length };
  const srcs = new Set([...Object.keys(expected), ...counts.keys(), ...corrupted.keys()]);
  for (const src of srcs) {
    const got = counts.get(src) ?? new Map<number, number>();
    const exp = expandExpected(expected[src]);
    const r: SrcReport = { received: 0, missing: [], duplicated: [], corrupted: corrupted.get(src) ?? [], unexpected: [] };
    for (const seq of exp) {
      const n = got.get(seq) ?? 0;
      if (n === 0) r.missing.push(seq);
      else r.received++;
    }
    for (const [seq, n] of got) {
      if (n > 1) r.duplicated.push(seq);
      if (!exp.has(seq)) r.unexpected.push(seq);
    }
    r.duplicated.sort((a, b) => a - b);
    r.unexpected.sort((a, b) => a - b);
    report.bySrc[src] = r;
    report.missing += r.missing.length;
    report.duplicated += r.duplicated.length;
    report.corrupted += r.corrupted.length;
    report.unexpected += r.unexpected.length;
  }
  return report;
}

/** Reads the store through the CLI and checks it. */
export async function oracle(dataDir: string, expected: Record<string, Expected>): Promise<OracleReport> {
  return checkEvents(await readEvents(dataDir), expected);
}

/** A short human summary (first few seqs of each non-empty list) for assertion messages. */
export function summarize(r: OracleReport): string {
  const parts = [`events=${r.events} other=${r.other} missing=${r.missing} duplicated=${r.duplicated} corrupted=${r.corrupted} unexpected=${r.unexpected}`];
  for (const [src, s] of Object.entries(r.bySrc)) {
    const lists = (['missing', 'duplicated', 'corrupted', 'unexpected'] as const).filter((k) => s[k].length > 0).map((k) => `${k}=${ranges(s[k])}`);
    if (lists.length > 0) parts.push(`  ${src}: received=${s.received} ${lists.join(' ')}`);
  }
  return parts.slice(0, 30).join('\n');
}

/** `[1,2,3,7]` → `1-3,7` (first 20 runs). */
export function ranges(xs: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < xs.length && runs.length < 20; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    runs.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return runs.join(',') + (runs.length === 20 ? ',…' : '') + ` (${xs.length})`;
}

function expandExpected(e: Expected | undefined): Set<number> {
  if (e === undefined) return new Set();
  if ('from' in e && 'to' in e) {
    const s = new Set<number>();
    for (let i = e.from; i < e.to; i++) s.add(i);
    return s;
  }
  return new Set(e);
}

/** `logradar status --json`. */
export async function status(dataDir: string): Promise<StatusJson> {
  const r = await runCli(['status', '--data-dir', dataDir, '--json']);
  if (r.code !== 0) throw new Error(`status exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as StatusJson;
}

/** Counters of the file source (zeros when not saved yet). */
export function fileCounters(s: StatusJson): ComponentCounters {
  return s.counters['source.file'] ?? { received: 0, emitted: 0, dropped: {}, errors: {} };
}

/** `PRAGMA integrity_check` on the store, opened read-only (the only direct look at the SQLite file). */
export function integrityCheck(dataDir: string): string {
  const db = new Database(join(dataDir, 'logradar.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}
