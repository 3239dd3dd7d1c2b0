import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'logradar-queries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteQueries.seriesBuckets', () => {
  it('sums windows into buckets aligned to multiples of the step (integer times, not the windows themselves)', () => {
    const store = SqliteStore.open(dir);
    const t0 = Date.parse('2026-11-21T10:01:00Z');
    store.commit({ series: [0, 1, 2, 3, 4].map((i) => ({ source: 'a', key: 'records', start: t0 + i * 60_000, value: i + 1 })) });
    const q = store.queries;
    const step = 180_000;
    const b = q.seriesBuckets('a', 'records', 0, Number.MAX_SAFE_INTEGER, step);
    expect(b).toEqual([
      [Math.floor(t0 / step) * step, 1 + 2],
      [Math.floor(t0 / step) * step + step, 3 + 4 + 5],
    ]);
    store.close();
  });
});
