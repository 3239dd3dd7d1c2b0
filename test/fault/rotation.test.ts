/**
 * #4 rotation by rename + create every 10k lines: rotated files kept in the watched directory
 * (logrotate-style shifting app.log.1 → app.log.2 …), written at a steady rate, in a burst, and with
 * kill -9 in between; and rotated files moved out of the watched directory.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { cleanupAfterEach, startWatch, tmpDir, waitCaughtUp } from '../helpers/cli.js';
import { LineWriter } from '../helpers/linegen.js';
import { fileCounters, integrityCheck, oracle, status, summarize } from '../helpers/oracle.js';

cleanupAfterEach();

function setup() {
  const root = tmpDir();
  const logs = join(root, 'logs');
  mkdirSync(logs);
  return { root, logs, data: join(root, 'data'), file: join(logs, 'app.log') };
}

describe('#4 rename + create rotation every 10k lines', () => {
  it('rotated files stay in the watched directory, steady 8k lines/s: 0 missing, 0 duplicated', async () => {
    const s = setup();
    const w = new LineWriter({ path: s.file, src: 'rot', rotateEvery: 10_000, rotation: 'rename' });
    const p = startWatch({ paths: [s.logs], dataDir: s.data });
    await w.run({ lines: 120_000, rate: 8000 });
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 60_000, watch: p });
    expect((await p.stop()).code, p.stderr).toBe(0);
    const r = await oracle(s.data, { rot: w.written });
    const st = await status(s.data);
    console.log(`#4 steady: rotations=${w.rotations.length} files=${st.files.length} dropped=${JSON.stringify(fileCounters(st).dropped)}; ${summarize(r)}`);
    expect(w.rotations.length).toBe(12);
    expect(r.missing, summarize(r)).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);
    // Every rotated file is one row, known by its inode under its current name.
    expect(st.files.length).toBe(13);
    expect(new Set(st.files.map((f) => f.path)).size).toBe(13);
    w.close();
  });

  it('rotated files stay in the watched directory, written as fast as possible: 0 missing, 0 duplicated', async () => {
    const s = setup();
    const w = new LineWriter({ path: s.file, src: 'burst', rotateEvery: 10_000, rotation: 'rename' });
    const p = startWatch({ paths: [s.logs], dataDir: s.data });
    await sleep(700);
    await w.run({ lines: 150_000, batch: 1000 });
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 60_000, watch: p });
    expect((await p.stop()).code, p.stderr).toBe(0);
    const r = await oracle(s.data, { burst: w.written });
    console.log(`#4 burst: rotations=${w.rotations.length}; ${summarize(r)}`);
    expect(r.missing, summarize(r)).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);
    w.close();
  });

  it('rotation with kill -9 of watch at random moments (5 times): 0 missing, 0 duplicated', async () => {
    const s = setup();
    const rng = new Rng(44);
    const w = new LineWriter({ path: s.file, src: 'rk', rotateEvery: 10_000, rotation: 'rename' });
    const writing = w.run({ lines: 120_000, rate: 8000 });
    for (let i = 0; i < 5; i++) {
      const p = startWatch({ paths: [s.logs], dataDir: s.data });
      await sleep(400 + rng.int(2000));
      await p.kill9();
      await sleep(rng.int(800));
    }
    await writing;
    const p = startWatch({ paths: [s.logs], dataDir: s.data });
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 60_000, watch: p });
    expect((await p.stop()).code, p.stderr).toBe(0);
    const r = await oracle(s.data, { rk: w.written });
    console.log(`#4 with kill -9: rotations=${w.rotations.length}; ${summarize(r)}`);
    expect(r.missing, summarize(r)).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);
    expect(integrityCheck(s.data)).toBe('ok');
    w.close();
  });

  it('rotated files moved out of the watched directory, 4k lines/s: read to their end through the open descriptor', async () => {
    const s = setup();
    const archive = join(s.root, 'archive');
    // 10k lines at 4k lines/s: each file lives 2.5 s, ten polls of 250 ms.
    const w = new LineWriter({ path: s.file, src: 'out', rotateEvery: 10_000, rotation: 'rename', rotateDir: archive });
    const p = startWatch({ paths: [s.logs], dataDir: s.data });
    await sleep(700);
    await w.run({ lines: 100_000, rate: 4000 });
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 60_000, watch: p, outside: [archive] });
    expect((await p.stop()).code, p.stderr).toBe(0);
    const r = await oracle(s.data, { out: w.written });
    const st = await status(s.data);
    console.log(`#4 outside: rotations=${w.rotations.length} losses=${r.missing} dropped=${JSON.stringify(fileCounters(st).dropped)}; ${summarize(r)}`);
    expect(w.rotations.length).toBe(10);
    expect(r.missing, summarize(r)).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);
    w.close();
  });
});
