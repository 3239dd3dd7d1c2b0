/**
 * #10 memory with over-long lines: a 100 MiB line under the default 1 MiB limit is truncated and
 * counted, and the peak RSS of `watch --once` does not grow with the line's length: compared with the
 * same input whose long line is 5 MiB (stored as the same 1 MiB head), it grows by less than 10 × the
 * limit. (What one stored 1 MiB record costs downstream — decoding, mining, an anomaly with its
 * explanation — is measured and printed, not asserted here.) The cheap correctness half of #10/#11 is
 * in test/e2e/ingest-faults.test.ts.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach, tmpDir, WatchProcess } from '../helpers/cli.js';
import { LineWriter } from '../helpers/linegen.js';
import { fileCounters, oracle, status, summarize } from '../helpers/oracle.js';

cleanupAfterEach();

const MiB = 1024 * 1024;

/** Runs `watch --once` and samples its peak RSS (VmHWM, kB) from /proc until it exits. */
async function peakRss(logs: string, data: string): Promise<{ code: number | null; hwmKb: number; stderr: string }> {
  const w = new WatchProcess({ paths: [logs], dataDir: data, once: true });
  let hwmKb = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${w.pid}/status`, 'utf8'));
      if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
    } catch {
      // exited
    }
  };
  const timer = setInterval(sample, 5);
  const r = await w.exited;
  clearInterval(timer);
  return { code: r.code, hwmKb, stderr: w.stderr };
}

function input(root: string, longLineBytes: number): { logs: string; data: string; w: LineWriter } {
  const logs = join(root, 'logs');
  mkdirSync(logs);
  const w = new LineWriter({ path: join(logs, 'app.log'), src: 'mem' });
  w.write(1000);
  w.writeRaw(`KEPT ${'k'.repeat(MiB - 5)}\n`); // exactly the limit: kept whole
  w.write(1000);
  if (longLineBytes > 0) {
    const chunk = Buffer.alloc(MiB, 'y');
    w.writeRaw('LONG ');
    for (let i = 0; i < longLineBytes / MiB; i++) w.writeRaw(chunk);
    w.writeRaw('\n');
  }
  w.write(1000);
  w.close();
  return { logs, data: join(root, 'data'), w };
}

describe('#10 over-long lines and memory', () => {
  it.skipIf(!existsSync('/proc/self/status'))('a 100 MiB line is truncated and counted; peak RSS does not grow with its length', async () => {
    const none = input(tmpDir(), 0);
    const base = input(tmpDir(), 5 * MiB);
    const big = input(tmpDir(), 100 * MiB);
    const n = await peakRss(none.logs, none.data);
    const a = await peakRss(base.logs, base.data);
    const b = await peakRss(big.logs, big.data);
    for (const r of [n, a, b]) expect(r.code, r.stderr).toBe(0);
    const growthKb = b.hwmKb - a.hwmKb;
    console.log(`#10 peak RSS: no long line ${n.hwmKb} kB, a 5 MiB line ${a.hwmKb} kB, a 100 MiB line ${b.hwmKb} kB (5 → 100 MiB: ${growthKb} kB; limit 1 MiB)`);
    expect(a.hwmKb).toBeGreaterThan(0);
    expect(growthKb).toBeLessThan((10 * MiB) / 1024);

    const r = await oracle(big.data, { mem: big.w.written });
    expect(r.missing, summarize(r)).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    expect(r.corrupted, summarize(r)).toBe(0);
    expect(r.other).toBe(2); // KEPT and the head of LONG
    const st = await status(big.data);
    expect(fileCounters(st).dropped.truncated).toBe(1);
  });
});
