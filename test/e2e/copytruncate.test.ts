/**
 * #5b copytruncate with the copy inside the watched directory (`cp app.log app.log.1; : > app.log`):
 * the copy is recognised by the fingerprint of its first bytes and read on from the offset already read,
 * so every line is stored once. Cheap cases; the long one at 4k lines/s is test/fault/copytruncate.test.ts.
 */
import { appendFileSync, copyFileSync, mkdirSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach, startWatch, tmpDir, waitCaughtUp, writeConfig } from '../helpers/cli.js';
import { LineWriter, makeLine } from '../helpers/linegen.js';
import { fileCounters, oracle, status, summarize } from '../helpers/oracle.js';

cleanupAfterEach();

function setup() {
  const root = tmpDir();
  const logs = join(root, 'logs');
  mkdirSync(logs);
  // one line, one record: a held multi-line record would only delay the checks
  const config = writeConfig(root, { parse: { multiline: { enabled: false } } });
  return { root, logs, data: join(root, 'data'), file: join(logs, 'app.log'), config };
}

describe('#5b copytruncate, copy inside the watched directory', () => {
  it('5,001 lines, cp + truncate, one new line: 5,002 events, each once; the truncation counted, nothing lost', async () => {
    const s = setup();
    const w = new LineWriter({ path: s.file, src: 'ct' });
    w.write(5001);
    const p = startWatch({ paths: [s.logs], dataDir: s.data, poll: '100ms', config: s.config });
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 30_000, watch: p });
    // lines the watcher has not seen yet when the copy is made: only the copy holds them afterwards
    w.write(200);
    copyFileSync(s.file, `${s.file}.1`);
    truncateSync(s.file, 0);
    // shorter than the fingerprint: read at once all the same
    appendFileSync(s.file, makeLine(w.seq++, 'ct') + '\n');
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 30_000, watch: p });
    expect((await p.stop()).code, p.stderr).toBe(0);
    const r = await oracle(s.data, { ct: { from: 0, to: w.seq } });
    expect(r.events, summarize(r)).toBe(5202);
    expect(r.missing, summarize(r)).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    const dropped = fileCounters(await status(s.data)).dropped;
    expect(dropped.file_truncated).toBe(1);
    expect(dropped.unread_bytes_lost ?? 0).toBe(0);
    w.close();
  });

  it('a poll between the copy and the truncate, lines appended in between, and a restart: each line once', async () => {
    const s = setup();
    const w = new LineWriter({ path: s.file, src: 'cb' });
    w.write(3000);
    let p = startWatch({ paths: [s.logs], dataDir: s.data, poll: '100ms', config: s.config });
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 30_000, watch: p });
    w.write(100);
    copyFileSync(s.file, `${s.file}.1`);
    await sleep(500); // several polls see the copy beside the untruncated original
    w.write(100); // read from the original, not in the copy
    await sleep(500);
    truncateSync(s.file, 0);
    w.write(10);
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 30_000, watch: p });
    expect((await p.stop()).code, p.stderr).toBe(0);
    // copytruncate while stopped: the next start recognises the copy
    w.write(50);
    copyFileSync(s.file, `${s.file}.2`);
    truncateSync(s.file, 0);
    w.write(5);
    p = startWatch({ paths: [s.logs], dataDir: s.data, poll: '100ms', config: s.config });
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 30_000, watch: p });
    expect((await p.stop()).code, p.stderr).toBe(0);
    const r = await oracle(s.data, { cb: { from: 0, to: w.seq } });
    expect(r.missing, summarize(r)).toBe(0);
    expect(r.duplicated, summarize(r)).toBe(0);
    w.close();
  });

  it('a new file that only starts like another (a shared banner) is still read in full', async () => {
    const s = setup();
    const banner = Array.from({ length: 40 }, (_, i) => `banner line ${i} of the application, version 1.2.3`).join('\n') + '\n';
    appendFileSync(s.file, banner + Array.from({ length: 50 }, (_, i) => `first run ${i}`).join('\n') + '\n');
    const p = startWatch({ paths: [s.logs], dataDir: s.data, poll: '100ms', config: s.config });
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 30_000, watch: p });
    appendFileSync(join(s.logs, 'other.log'), banner + Array.from({ length: 30 }, (_, i) => `second run ${i}`).join('\n') + '\n');
    await waitCaughtUp(s.data, [s.logs], { timeoutMs: 30_000, watch: p });
    expect((await p.stop()).code, p.stderr).toBe(0);
    const st = await status(s.data);
    expect(st.files.find((f) => f.path.endsWith('other.log'))?.line).toBe(70);
  });
});
