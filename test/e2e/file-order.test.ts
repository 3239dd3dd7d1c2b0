/**
 * Within one source, `watch` reads older files first (by modification time): a backlog of rotated files
 * is taken in log-time order, so windows and sessions see time move forward. Files of about the same
 * age are read side by side.
 */
import { utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { cleanupAfterEach, tmpDir, watchOnce } from '../helpers/cli.js';

cleanupAfterEach();

const T0 = Date.parse('2026-11-20T00:00:00Z');
const DAY = 86_400_000;

function dayFile(path: string, day: number, n: number): void {
  // long lines: each file is several read chunks, so a round-robin reader would interleave them
  const pad = 'x'.repeat(400);
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ ts: new Date(T0 + day * DAY + i * 10_000).toISOString(), message: `day ${day} request ${i} ${pad}` }));
  writeFileSync(path, lines.join('\n') + '\n');
  const end = new Date(T0 + day * DAY + n * 10_000);
  utimesSync(path, end, end);
}

describe('file order within a source', () => {
  it('rotated day files are read oldest first, whatever their names sort as', async () => {
    const root = tmpDir();
    const logs = join(root, 'logs');
    mkdirSync(logs);
    // names in the opposite order of their age: app.log.1 is the newest here
    dayFile(join(logs, 'app.log.3'), 0, 2000);
    dayFile(join(logs, 'app.log.2'), 2, 2000);
    dayFile(join(logs, 'app.log.1'), 1, 2000);
    const data = join(root, 'data');
    const r = await watchOnce({ paths: [logs], dataDir: data });
    expect(r.code, r.stderr).toBe(0);
    const store = SqliteStore.open(data, { readonly: true });
    const ts = [...store.events({})].map((e) => e.ts);
    store.close();
    expect(ts).toHaveLength(6000);
    // stored (and processed) in time order: day 0, then day 1, then day 2
    expect(ts.every((t, i) => i === 0 || t >= ts[i - 1])).toBe(true);
  });
});
