/**
 * #13 many files: 5,000 files in 50 nested directories, appended at random in rounds while watch runs.
 * Every line arrives; open descriptors stay bounded by maxOpenFiles; state rows of deleted files go.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { cleanupAfterEach, startWatch, tmpDir, waitCaughtUp, waitFor, writeConfig } from '../helpers/cli.js';
import { LineWriter } from '../helpers/linegen.js';
import { oracle, status, summarize, type Expected } from '../helpers/oracle.js';

cleanupAfterEach();

const DIRS = 50;
const PER_DIR = 100;
const MAX_OPEN = 512;

function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0; // not Linux, or the process is gone
  }
}

describe('#13 many files', () => {
  it('5,000 files in 50 directories, random appends in rounds: every line arrives, descriptors bounded', async () => {
    const root = tmpDir();
    const logs = join(root, 'logs');
    const data = join(root, 'data');
    const rng = new Rng(13);
    const writers: LineWriter[] = [];
    for (let d = 0; d < DIRS; d++) {
      // nested: logs/gNN/dNN/fNNN.log
      const dir = join(logs, `g${String(d % 5).padStart(2, '0')}`, `d${String(d).padStart(2, '0')}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < PER_DIR; f++) writers.push(new LineWriter({ path: join(dir, `f${String(f).padStart(3, '0')}.log`), src: `d${d}f${f}`, keepOpen: false }));
    }
    for (const w of writers) w.write(2);
    const config = writeConfig(root, { files: { closeInactive: '3s', maxOpenFiles: MAX_OPEN } });
    const t0 = Date.now();
    const p = startWatch({ paths: [logs], dataDir: data, poll: '500ms', config });
    let maxFds = 0;
    const sampler = setInterval(() => (maxFds = Math.max(maxFds, openFds(p.pid))), 100);
    try {
      await waitCaughtUp(data, [logs], { timeoutMs: 120_000, watch: p });
      const initialMs = Date.now() - t0;
      let appended = 0;
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 2000; i++) {
          const n = 1 + rng.int(10);
          rng.pick(writers).write(n);
          appended += n;
        }
        await sleep(1000);
      }
      const t1 = Date.now();
      await waitCaughtUp(data, [logs], { timeoutMs: 180_000, watch: p });
      console.log(`#13 initial catch-up ${initialMs} ms (10,000 lines); ${appended} lines appended in 5 rounds; caught up ${Date.now() - t1} ms after the last round`);

      const expected: Record<string, Expected> = {};
      for (const w of writers) expected[w.src] = w.written;
      const r = await oracle(data, expected);
      const total = writers.reduce((n, w) => n + w.seq, 0);
      console.log(`#13 lines=${total} max open fds=${maxFds}; ${summarize(r)}`);
      expect(r.missing, summarize(r)).toBe(0);
      expect(r.duplicated, summarize(r)).toBe(0);
      expect(r.corrupted, summarize(r)).toBe(0);
      expect(r.events).toBe(total);
      // maxOpenFiles for the logs, plus the store (db, wal, shm), stdio and Node's own descriptors.
      expect(maxFds).toBeGreaterThan(0);
      expect(maxFds).toBeLessThanOrEqual(MAX_OPEN + 40);
      expect((await status(data)).files.length).toBe(DIRS * PER_DIR);

      // Deleted files: their rows go once they have been gone for closeInactive.
      rmSync(join(logs, 'g04', 'd49'), { recursive: true });
      const t2 = Date.now();
      await waitFor(async () => (await status(data)).files.length === DIRS * PER_DIR - PER_DIR, { timeoutMs: 30_000, intervalMs: 500, what: 'rows of deleted files to be removed', describe: () => p.stderr });
      console.log(`#13 rows of 100 deleted files removed after ${Date.now() - t2} ms (closeInactive 3s)`);
    } finally {
      clearInterval(sampler);
    }
    expect((await p.stop()).code, p.stderr).toBe(0);
  });
});
