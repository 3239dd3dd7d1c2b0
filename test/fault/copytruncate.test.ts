/**
 * #5b copytruncate with the copy inside the watched directory: the copy is recognised by its first
 * bytes and read on from the offset already read: nothing missing, nothing twice.
 *
 * #5a copytruncate with the copy outside the watched directory. The copy takes a while (modelled as a
 * window of lines written between the start of the copy and the truncate); a tailer that keeps up can
 * only lose lines from those windows, and each truncation must be noticed and counted.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach, startWatch, tmpDir, waitCaughtUp } from '../helpers/cli.js';
import { inWindows, LineWriter } from '../helpers/linegen.js';
import { fileCounters, oracle, ranges, status, summarize } from '../helpers/oracle.js';

cleanupAfterEach();

describe('#5a copytruncate, rotated copy outside the watched directory', () => {
  it('losses only inside copy→truncate windows, every truncation counted', async () => {
    const root = tmpDir();
    const logs = join(root, 'logs');
    const archive = join(root, 'archive');
    mkdirSync(logs);
    const data = join(root, 'data');
    // 4k lines/s; the copy starts 2000 lines (0.5 s, two polls) before the truncate.
    const w = new LineWriter({ path: join(logs, 'app.log'), src: 'ct', rotateEvery: 10_000, rotation: 'copytruncate', rotateDir: archive, copyWindowLines: 2000 });
    const p = startWatch({ paths: [logs], dataDir: data });
    await sleep(700);
    await w.run({ lines: 60_000, rate: 4000 });
    await waitCaughtUp(data, [logs], { timeoutMs: 60_000, watch: p });
    expect((await p.stop()).code, p.stderr).toBe(0);

    const r = await oracle(data, { ct: w.written });
    const st = await status(data);
    const dropped = fileCounters(st).dropped;
    const missing = r.bySrc.ct.missing;
    const outside = missing.filter((seq) => !inWindows(seq, w.rotations));
    const windows = w.rotations.map((x) => `${x.window!.from}-${x.window!.to - 1}`).join(',');
    console.log(`#5a truncations=${w.rotations.length} windows=${windows} missing=${missing.length} ${missing.length ? ranges(missing) : ''} dropped=${JSON.stringify(dropped)}`);
    expect(w.rotations.length).toBe(6);
    expect(outside, `missing outside the copy windows: ${ranges(outside)}`).toEqual([]);
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);
    // The file is truncated from ~300 KB to 0 and refilled at ~30 KB per poll: each truncation is seen
    // as one (size below the read position).
    expect(dropped.file_truncated ?? 0).toBeGreaterThanOrEqual(w.rotations.length);
    // The lines lost were written after the last read and before the truncate: never seen by a poll, so
    // they cannot be counted in bytes (`unread_bytes_lost` only counts bytes a poll saw but did not read);
    // the truncation itself is what is counted.
    w.close();
  });
});

describe('#5b copytruncate, rotated copy inside the watched directory', () => {
  it('missing 0, duplicated 0, every truncation counted, nothing counted as lost', async () => {
    const root = tmpDir();
    const logs = join(root, 'logs');
    mkdirSync(logs);
    const data = join(root, 'data');
    const w = new LineWriter({ path: join(logs, 'app.log'), src: 'ci', rotateEvery: 10_000, rotation: 'copytruncate', copyWindowLines: 2000 });
    const p = startWatch({ paths: [logs], dataDir: data });
    await sleep(700);
    await w.run({ lines: 60_000, rate: 4000 });
    await waitCaughtUp(data, [logs], { timeoutMs: 60_000, watch: p });
    expect((await p.stop()).code, p.stderr).toBe(0);

    const r = await oracle(data, { ci: w.written });
    const dropped = fileCounters(await status(data)).dropped;
    console.log(`#5b truncations=${w.rotations.length} ${summarize(r)} dropped=${JSON.stringify(dropped)}`);
    expect(w.rotations.length).toBe(6);
    expect(r.missing, summarize(r)).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);
    expect(dropped.file_truncated ?? 0).toBeGreaterThanOrEqual(w.rotations.length);
    expect(dropped.unread_bytes_lost ?? 0).toBe(0);
    w.close();
  });
});
