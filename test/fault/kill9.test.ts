/**
 * #1 kill -9 during file ingest, ten times, while the writer keeps writing; #3 SIGTERM mid-stream.
 * Exactly-once: the checkpoint is committed in the same transaction as the events it produced.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { cleanupAfterEach, startWatch, tmpDir, waitCaughtUp } from '../helpers/cli.js';
import { LineWriter } from '../helpers/linegen.js';
import { integrityCheck, oracle, status, summarize } from '../helpers/oracle.js';

cleanupAfterEach();

function setup() {
  const root = tmpDir();
  const logs = join(root, 'logs');
  mkdirSync(logs);
  return { logs, data: join(root, 'data'), file: join(logs, 'app.log') };
}

describe('#1/#3 process death during file ingest', () => {
  it('#1 kill -9 ten times at random moments while 200k lines are written: 0 missing, 0 duplicated', async () => {
    const s = setup();
    const rng = new Rng(20261121);
    const TOTAL = 200_000;
    const w = new LineWriter({ path: s.file, src: 'k9', padBytes: 16 });
    // ~33 s of writing: the ten kill cycles (start-up + 0.3–2.8 s + a pause) fall inside it.
    const writing = w.run({ lines: TOTAL, rate: 6000 });
    const kills: { afterMs: number; seqWritten: number; offset: number; line: number }[] = [];
    let lastLine = 0;
    for (let i = 0; i < 10; i++) {
      const p = startWatch({ paths: [s.logs], dataDir: s.data });
      const afterMs = 300 + rng.int(2500); // Node start-up takes ~0.5 s: some kills land before any read
      await sleep(afterMs);
      await p.kill9();
      const seqWritten = w.seq;
      const st = await status(s.data).catch(() => undefined); // no store yet if killed during start-up
      const f = st?.files[0];
      kills.push({ afterMs, seqWritten, offset: f?.offset ?? 0, line: f?.line ?? 0 });
      // A checkpoint never moves back and never passes what was written.
      expect(f?.line ?? 0).toBeGreaterThanOrEqual(lastLine);
      expect(f?.line ?? 0).toBeLessThanOrEqual(seqWritten);
      lastLine = f?.line ?? 0;
      await sleep(rng.int(500)); // down for a while: the writer goes on
    }
    const writerStillRunning = w.seq < TOTAL;
    await writing;
    const p = startWatch({ paths: [s.logs], dataDir: s.data });
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 120_000, watch: p });
    const stop = await p.stop();
    expect(stop.code, p.stderr).toBe(0);

    const r = await oracle(s.data, { k9: { from: 0, to: TOTAL } });
    console.log(`#1 kills (ms after start, lines written, checkpoint line): ${kills.map((k) => `${k.afterMs}/${k.seqWritten}/${k.line}`).join(' ')}`);
    console.log(`#1 writer still running after the 10th kill: ${writerStillRunning}; ${summarize(r)}`);
    expect(r.missing, summarize(r)).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);
    expect(r.bySrc.k9.received).toBe(TOTAL);
    expect(r.events).toBe(TOTAL);
    expect(integrityCheck(s.data)).toBe('ok');
    // The kills did land mid-ingest: checkpoints were at different places.
    expect(new Set(kills.map((k) => k.line)).size).toBeGreaterThanOrEqual(5);
    expect(writerStillRunning).toBe(true);
    w.close();
  });

  it('#3 SIGTERM mid-stream three times: clean exit within the shutdown timeout, 0 missing, 0 duplicated', async () => {
    const s = setup();
    const rng = new Rng(3);
    const TOTAL = 60_000;
    const w = new LineWriter({ path: s.file, src: 'term' });
    const writing = w.run({ lines: TOTAL, rate: 10_000 });
    const exits: { code: number | null; ms: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const p = startWatch({ paths: [s.logs], dataDir: s.data });
      await sleep(800 + rng.int(1200));
      const r = await p.stop(10_000);
      exits.push({ code: r.code, ms: r.ms });
    }
    await writing;
    const p = startWatch({ paths: [s.logs], dataDir: s.data });
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 60_000, watch: p });
    exits.push(await p.stop(10_000));
    console.log(`#3 exits (code/ms): ${exits.map((e) => `${e.code}/${e.ms}`).join(' ')}`);
    for (const e of exits) {
      expect(e.code).toBe(0);
      expect(e.ms).toBeLessThan(5_000);
    }
    const r = await oracle(s.data, { term: { from: 0, to: TOTAL } });
    expect(r.missing, summarize(r)).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);
    expect(integrityCheck(s.data)).toBe('ok');
    w.close();
  });
});
