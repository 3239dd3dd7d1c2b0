/**
 * #1 kill -9 during file ingest, ten times, while the writer keeps writing; #3 SIGTERM mid-stream.
 * Exactly-once: the checkpoint is committed in the same transaction as the events it produced.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { cleanupAfterEach, startWatch, tmpDir, waitCaughtUp, waitFor, type WatchProcess } from '../helpers/cli.js';
import { LineWriter } from '../helpers/linegen.js';
import { integrityCheck, oracle, status, summarize } from '../helpers/oracle.js';

cleanupAfterEach();

/**
 * Resolves once the watcher's checkpoint has moved past `beyond`: the process is up and ingesting, so a
 * signal sent now lands mid-ingest whatever start-up costs on a loaded machine.
 */
async function ingesting(data: string, beyond: number, p: WatchProcess): Promise<void> {
  await waitFor(
    async () => {
      p.assertRunning();
      const st = await status(data).catch(() => undefined); // no store before the first start
      return (st?.files[0]?.line ?? 0) > beyond;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: 'the watcher to ingest', describe: () => p.stderr },
  );
}

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
    // ~50 s of writing: the ten kill cycles (start-up, waiting to see it ingest, 0.3–2.8 s, a pause) fall inside it.
    const writing = w.run({ lines: TOTAL, rate: 4000 });
    const kills: { afterMs: number; seqWritten: number; offset: number; line: number }[] = [];
    let lastLine = 0;
    for (let i = 0; i < 10; i++) {
      const p = startWatch({ paths: [s.logs], dataDir: s.data });
      // even rounds: at a random moment from spawn (some land during start-up, before any read);
      // odd rounds: at a random moment once it is ingesting, so kills surely land mid-ingest
      const afterMs = 300 + rng.int(2500);
      if (i % 2 === 1) await ingesting(s.data, lastLine, p);
      await sleep(i % 2 === 1 ? afterMs / 4 : afterMs);
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
    // ~24 s of writing: each of the three stops finds new lines to ingest
    const writing = w.run({ lines: TOTAL, rate: 2500 });
    const exits: { code: number | null; ms: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const p = startWatch({ paths: [s.logs], dataDir: s.data });
      const before = (await status(s.data).catch(() => undefined))?.files[0]?.line ?? 0;
      await ingesting(s.data, before, p); // SIGTERM before Node installed its handler would be a plain kill
      await sleep(200 + rng.int(1000));
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
