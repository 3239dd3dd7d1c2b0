/**
 * The cheap file-ingest fault cases of ../../../shared/RELIABILITY.md, run with `npm test`:
 * #6 truncate in place, #7 rotate/truncate/replace while stopped, #9 partial line across a kill -9,
 * #10/#11 over-long lines and random bytes, and a small rename+create rotation with a kill -9.
 * They spawn `bin/logradar` (dist/ must be built: `npm test` builds first).
 */
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { cleanupAfterEach, startWatch, tmpDir, waitCaughtUp, waitFor, watchOnce, writeConfig, type WatchProcess } from '../helpers/cli.js';
import { LineWriter } from '../helpers/linegen.js';
import { checkEvents, fileCounters, oracle, readEvents, status, summarize } from '../helpers/oracle.js';

cleanupAfterEach();

const POLL_MS = 250;

function setup() {
  const root = tmpDir();
  const logs = join(root, 'logs');
  const data = join(root, 'data');
  mkdirSync(logs, { recursive: true });
  return { root, logs, data, file: join(logs, 'app.log') };
}

function watch(s: ReturnType<typeof setup>): WatchProcess {
  return startWatch({ paths: [s.logs], dataDir: s.data, poll: `${POLL_MS}ms` });
}

describe('file ingest faults (cheap cases)', () => {
  it('#6 truncate in place, then one new line: it arrives within two poll intervals', async () => {
    const s = setup();
    const w = new LineWriter({ path: s.file, src: 't6' });
    w.write(1000);
    // Multi-line grouping holds a file's last line for parse.multiline.flushTimeout (it might be continued):
    // this case measures how fast a truncation is noticed, so lines are taken one by one.
    const config = writeConfig(s.root, { parse: { multiline: { enabled: false } } });
    const p = startWatch({ paths: [s.logs], dataDir: s.data, poll: `${POLL_MS}ms`, config });
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 20_000, watch: p });

    // Visibility is observed through a read-only SQLite handle polled every 10 ms (a CLI call costs
    // ~0.4 s of Node start-up, too coarse to measure two 250 ms polls).
    const db = new Database(join(s.data, 'logradar.db'), { readonly: true, fileMustExist: true });
    try {
      const find = db.prepare("SELECT raw FROM event_blocks WHERE instr(raw, 'seq=1000 ') > 0");
      expect(find.get()).toBeUndefined();
      w.truncate();
      const wrote = Date.now();
      w.write(1);
      await waitFor(() => find.get() !== undefined, { timeoutMs: 10_000, intervalMs: 10, what: 'the line written after the truncation', describe: () => p.stderr });
      const latency = Date.now() - wrote;
      // Two polls, plus slack for scheduling two processes on a loaded 2-core machine.
      expect(latency, `visible ${latency} ms after the write`).toBeLessThanOrEqual(2 * POLL_MS + 300);
    } finally {
      db.close();
    }

    expect((await p.stop()).code).toBe(0);
    const r = await oracle(s.data, { t6: w.written });
    expect(r.missing, summarize(r)).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);
    expect(fileCounters(await status(s.data)).dropped.file_truncated).toBe(1);
    w.close();
  });

  describe('#7 changes while watch is stopped: new content is read from the start', () => {
    const cases: { name: string; stop: 'term' | 'kill'; change: (w: LineWriter, s: ReturnType<typeof setup>) => LineWriter }[] = [
      {
        // Same inode, longer than the stale offset: only the fingerprint tells the content changed.
        name: 'truncate, then more bytes than the old offset',
        stop: 'term',
        change: (w) => {
          w.truncate();
          w.write(3000);
          return w;
        },
      },
      {
        name: 'truncate, then fewer bytes than the old offset',
        stop: 'kill',
        change: (w) => {
          w.truncate();
          w.write(10);
          return w;
        },
      },
      {
        // Lines written before the rotation were never read: they must come from app.log.1.
        name: 'rename + create (with unread lines in the rotated file)',
        stop: 'kill',
        change: (w) => {
          w.write(500);
          w.rotateRename();
          w.write(300);
          return w;
        },
      },
      {
        // Delete and recreate: the filesystem may hand the same inode to the new file (#8).
        name: 'delete and recreate with new content',
        stop: 'term',
        change: (w, s) => {
          w.close();
          rmSync(s.file);
          const n = new LineWriter({ path: s.file, src: 't7', startSeq: w.seq });
          n.write(2000);
          return n;
        },
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const s = setup();
        const w = new LineWriter({ path: s.file, src: 't7' });
        w.write(1000);
        let p = watch(s);
        await waitCaughtUp(s.data, [s.logs], { timeoutMs: 20_000, watch: p });
        if (c.stop === 'term') expect((await p.stop()).code).toBe(0);
        else await p.kill9();

        const w2 = c.change(w, s);
        p = watch(s);
        await waitCaughtUp(s.data, [s.logs], { timeoutMs: 20_000, watch: p });
        expect((await p.stop()).code).toBe(0);
        const r = await oracle(s.data, { t7: { from: 0, to: w2.seq } });
        expect(r.missing, summarize(r)).toBe(0);
        expect(r.duplicated, summarize(r)).toBe(0);
        expect(r.corrupted, summarize(r)).toBe(0);
        expect(r.bySrc.t7.received).toBe(w2.seq);
        w2.close();
      });
    }
  });

  it('#8 delete and recreate at once while watch runs (descriptor closed, so the inode can be reused): read from 0', async () => {
    const s = setup();
    const config = writeConfig(s.root, { files: { closeInactive: '500ms' } });
    let w = new LineWriter({ path: s.file, src: 't8', keepOpen: false });
    w.write(1000);
    const p = startWatch({ paths: [s.logs], dataDir: s.data, poll: `${POLL_MS}ms`, config });
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 20_000, watch: p });
    // Longer than the old offset (only the fingerprint tells), then shorter (the size tells).
    const reused: boolean[] = [];
    for (const n of [1500, 300]) {
      await sleep(1000); // idle past closeInactive: the descriptor is closed
      const ino = statSync(s.file).ino;
      rmSync(s.file);
      w = new LineWriter({ path: s.file, src: 't8', startSeq: w.seq, keepOpen: false });
      w.write(n);
      await waitCaughtUp(s.data, [s.logs], { timeoutMs: 20_000, watch: p });
      reused.push(statSync(s.file).ino === ino);
    }
    expect((await p.stop()).code).toBe(0);
    const r = await oracle(s.data, { t8: { from: 0, to: w.seq } });
    expect(r.missing, `${summarize(r)}\ninode reused: ${reused}`).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);
  });

  it('#9 partial line: "abc", pause, "def\\n" gives one event, also across a kill -9', async () => {
    const s = setup();
    const w = new LineWriter({ path: s.file, src: 't9' });
    w.write(10);
    let p = watch(s);
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 20_000, watch: p });

    // Without a kill: the held partial line is completed by the next write (pause < partialLineTimeout 5s).
    w.writeRaw('abc');
    await sleep(4 * POLL_MS);
    w.writeRaw('def\n');
    w.write(10);
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 20_000, watch: p });

    // With a kill -9 while the partial line is held: the checkpoint stays at its start.
    w.writeRaw('ghi');
    await sleep(4 * POLL_MS);
    await p.kill9();
    w.writeRaw('jkl\n');
    w.write(10);
    p = watch(s);
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 20_000, watch: p });
    expect((await p.stop()).code).toBe(0);

    const events = await readEvents(s.data);
    const others = events.filter((e) => !e.raw.startsWith('seq=')).map((e) => e.raw);
    expect(others).toEqual(['abcdef', 'ghijkl']);
    const r = checkEvents(events, { t9: w.written });
    expect(r.missing, summarize(r)).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);
    w.close();
  });

  it('#10/#11 a 5 MiB line, an exactly 1 MiB line and 1 MiB of random bytes among good lines', async () => {
    const s = setup();
    const MiB = 1024 * 1024;
    const w = new LineWriter({ path: s.file, src: 't10' });
    const rng = new Rng(1011);
    w.write(1000);
    // 3-byte characters: a byte cut at 1 MiB falls inside one (1 MiB is not a multiple of 3).
    w.writeRaw(`LONG ${'€'.repeat(Math.ceil((5 * MiB) / 3))}\n`);
    w.write(1000);
    w.writeRaw(`EXACT ${'a'.repeat(MiB - 6)}\n`);
    w.write(1000);
    const garbage = Buffer.alloc(MiB);
    for (let i = 0; i < MiB; i++) garbage[i] = rng.int(256);
    for (let i = 0; i < 64; i++) {
      const at = rng.int(MiB - 100);
      garbage.fill(0, at, at + 1 + rng.int(50)); // runs of NULs
    }
    garbage.fill(0, 1000, 1100);
    w.writeRaw(Buffer.concat([garbage, Buffer.from('\n')]));
    w.write(1000);
    w.writeRaw(Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xc3, 0x28, 0x0a])); // NUL, invalid UTF-8, CR, ANSI escape
    w.write(1000);

    const run = await watchOnce({ paths: [s.logs], dataDir: s.data });
    expect(run.code, run.stderr).toBe(0);

    const events = await readEvents(s.data);
    const r = checkEvents(events, { t10: w.written });
    expect(r.missing, summarize(r)).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);

    const long = events.filter((e) => e.raw.startsWith('LONG '));
    expect(long).toHaveLength(1);
    const longBytes = Buffer.byteLength(long[0].raw, 'utf8');
    expect(longBytes).toBeLessThanOrEqual(MiB);
    expect(longBytes).toBeGreaterThan(MiB - 4);
    expect(long[0].raw.includes('\ufffd'), 'no replacement character from a cut multi-byte character').toBe(false);
    const exact = events.filter((e) => e.raw.startsWith('EXACT '));
    expect(exact).toHaveLength(1);
    expect(exact[0].raw.length).toBe(MiB);

    const st = await status(s.data);
    expect(fileCounters(st).dropped.truncated).toBe(1);
    expect(st.files[0].offset).toBe(st.files[0].size);
    w.close();
  });

  it('small rename+create rotation (every 1000 lines) with a kill -9 in the middle', async () => {
    const s = setup();
    const w = new LineWriter({ path: s.file, src: 'rot', rotateEvery: 1000, rotation: 'rename' });
    let p = watch(s);
    await w.run({ lines: 3500, rate: 5000 });
    await p.kill9();
    w.write(1200); // rotates once more while watch is down
    p = watch(s);
    await w.run({ lines: 2500, rate: 5000 });
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 30_000, watch: p });
    expect((await p.stop()).code).toBe(0);
    const r = await oracle(s.data, { rot: w.written });
    expect(r.missing, summarize(r)).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);
    expect(w.rotations.length).toBe(7);
    w.close();
  });

  it('a file renamed out of the watched directory is read to its end through the open descriptor', async () => {
    const s = setup();
    const outside = join(s.root, 'archive');
    mkdirSync(outside);
    const w = new LineWriter({ path: s.file, src: 'out' });
    w.write(1000);
    const p = watch(s);
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 20_000, watch: p });
    w.write(500);
    w.close();
    renameSync(s.file, join(outside, 'app.log.1'));
    writeFileSync(s.file, '');
    const w2 = new LineWriter({ path: s.file, src: 'out', startSeq: w.seq });
    w2.write(100);
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 20_000, watch: p, outside: [outside] });
    expect((await p.stop()).code).toBe(0);
    const r = await oracle(s.data, { out: { from: 0, to: w2.seq } });
    // The descriptor opened before the rename still reaches the 500 lines written just before it.
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);
    expect(r.missing, summarize(r)).toBe(0);
    w2.close();
  });
});
