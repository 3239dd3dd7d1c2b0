/**
 * A source is recognised by its first record: Postfix lines get hourly windows and the Postfix line
 * kinds as the monitored field without configuration, remembered across a restart; other sources keep
 * the configured interval. Through the real pipeline and a real SQLite store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { MetricsRegistry } from '../model/metrics.js';
import type { RawLine } from '../model/record.js';
import { SqliteStore } from '../store/sqlite/store.js';
import { createLogger } from '../util/log.js';
import { Pipeline } from './pipeline.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.parse('2026-11-21T10:00:00Z');

function postfixLine(ms: number, i: number): string {
  const d = new Date(T0 + ms);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `Nov 21 ${hh}:${mm}:${ss} mail postfix/smtpd[${100 + (i % 5)}]: connect from unknown[10.0.0.${i % 200}]`;
}

const jsonLine = (ms: number, i: number) => JSON.stringify({ ts: new Date(T0 + ms).toISOString(), message: `request ${i} served` });

function run(dir: string, source: string, make: (ms: number, i: number) => string, fromMin: number, toMin: number) {
  const config = configSchema.parse({ dataDir: dir, detect: { interval: '1m' } });
  const store = SqliteStore.open(dir);
  const pipeline = new Pipeline(config, store, new MetricsRegistry(), createLogger('silent'));
  const lines: RawLine[] = [];
  let n = 0;
  for (let m = fromMin; m < toMin; m++) for (let k = 0; k < 4; k++) lines.push({ text: make(m * 60_000 + k * 15_000, n), offset: n * 80, line: ++n, truncated: false });
  pipeline.process({ source, fileId: null, lines });
  pipeline.flushState();
  const starts = (key: string) => store.series(source, key).map((r) => r.start);
  return { store, starts };
}

describe('source kinds', () => {
  it('a Postfix source gets hourly windows and the line-kind field without configuration, also after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logradar-kind-'));
    dirs.push(dir);
    const first = run(dir, 'mail', postfixLine, 0, 150);
    // windows closed at 10:00 and 11:00 (the 12:00 one is still open): hourly, not per minute
    expect(first.starts('records')).toEqual([T0, T0 + 3_600_000]);
    expect(first.starts('unknown:event')).toEqual([T0, T0 + 3_600_000]);
    first.store.close();
    const again = run(dir, 'mail', postfixLine, 150, 200);
    expect(again.starts('records')).toEqual([T0, T0 + 3_600_000, T0 + 7_200_000]);
    again.store.close();
  });

  it('another source keeps the configured interval', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logradar-kind-'));
    dirs.push(dir);
    const { store, starts } = run(dir, 'app', jsonLine, 0, 5);
    expect(starts('records')).toEqual([0, 1, 2, 3].map((m) => T0 + m * 60_000));
    store.close();
  });
});
