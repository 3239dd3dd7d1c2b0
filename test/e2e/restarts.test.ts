/**
 * What must survive a restart or be found at one: loss counters are kept in the store, a partly corrupt
 * store is reported at start and on /healthz, and an unreadable file is warned about once per change.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { appendFileSync, chmodSync, closeSync, mkdirSync, openSync, statSync, truncateSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BIN, cleanupAfterEach, runCli, startWatch, streamCli, tmpDir, waitCaughtUp, waitFor, writeConfig } from '../helpers/cli.js';
import { LineWriter } from '../helpers/linegen.js';
import { fileCounters, status } from '../helpers/oracle.js';

cleanupAfterEach();

describe('loss counters', () => {
  it('file_truncated adds up across restarts (every counter is kept in the store)', async () => {
    const root = tmpDir();
    const logs = join(root, 'logs');
    mkdirSync(logs);
    const data = join(root, 'data');
    const config = writeConfig(root, { parse: { multiline: { enabled: false } } });
    const w = new LineWriter({ path: join(logs, 'app.log'), src: 'rc' });
    for (let run = 1; run <= 2; run++) {
      w.write(2000);
      const p = startWatch({ paths: [logs], dataDir: data, poll: '100ms', config });
      await waitCaughtUp(data, [logs], { timeoutMs: 30_000, watch: p });
      w.truncate();
      w.write(5);
      await waitCaughtUp(data, [logs], { timeoutMs: 30_000, watch: p });
      expect((await p.stop()).code, p.stderr).toBe(0);
      expect(fileCounters(await status(data)).dropped.file_truncated, `after run ${run}`).toBe(run);
    }
    w.close();
  });
});

/** `serve` on a free port; resolves with its URL once it listens. */
async function serve(data: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--data-dir', data, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const url = await waitFor(() => /serving (http:\/\/[^\s]+)/.exec(err)?.[1], { timeoutMs: 30_000, what: 'serve to listen', describe: () => err });
  return { child, url, stderr: () => err };
}

describe('a partly corrupt store', () => {
  it('is found at start (quick_check): one warning naming the store, /healthz 503 with the problem', async () => {
    const root = tmpDir();
    const data = join(root, 'data');
    const log = join(root, 'big.log');
    writeFileSync(log, Array.from({ length: 20_000 }, (_, i) => `2026-11-21T10:00:00Z request ${i} from 10.0.${i % 255}.${i % 7} served in ${i % 900} ms ${'y'.repeat(i % 50)}`).join('\n') + '\n');
    expect((await runCli(['watch', log, '--once', '--data-dir', data, '--log-level', 'warn'])).code).toBe(0);
    const db = join(data, 'logradar.db');
    // a few pages of event data in the middle: what the start reads (schema, templates, last block) is intact
    const size = statSync(db).size;
    const fd = openSync(db, 'r+');
    for (const at of [0.45, 0.5, 0.55]) writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(size * at) & ~4095);
    closeSync(fd);

    const s = await serve(data);
    try {
      const res = await fetch(`${s.url}/healthz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; store: { ok: boolean; path: string; problems: string[] } };
      expect(body.status).toBe('degraded');
      expect(body.store.ok).toBe(false);
      expect(body.store.path).toBe(db);
      expect(body.store.problems.length).toBeGreaterThan(0);
      const warnings = s.stderr().split('\n').filter((l) => l.includes('quick_check'));
      expect(warnings, s.stderr()).toHaveLength(1);
      expect(warnings[0]).toContain(db);
    } finally {
      s.child.kill('SIGTERM');
    }
  });

  it('an intact store: /healthz 200 with store ok', async () => {
    const s = await serve(join(tmpDir(), 'data'));
    try {
      const res = await fetch(`${s.url}/healthz`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { store: { ok: boolean } }).store.ok).toBe(true);
    } finally {
      s.child.kill('SIGTERM');
    }
  });
});

describe('#18 a corrupt checkpoint or model snapshot', () => {
  it('starts, warns once per broken snapshot, relearns, and re-reads the file rather than skip any of it', async () => {
    const root = tmpDir();
    const log = join(root, 'app.log');
    const data = join(root, 'data');
    writeFileSync(log, Array.from({ length: 3000 }, (_, i) => `2026-11-21T10:00:00Z worker ${i % 3} finished job ${i}`).join('\n') + '\n');
    expect((await runCli(['watch', log, '--once', '--data-dir', data, '--log-level', 'warn'])).code).toBe(0);
    const db = new Database(join(data, 'logradar.db'));
    expect(db.prepare("UPDATE model_state SET value = '{not json'").run().changes).toBe(2);
    db.prepare("UPDATE files SET fp = 'garbage', offset = offset - 5").run();
    db.close();
    appendFileSync(log, 'one more line\n');
    const r = await runCli(['watch', log, '--once', '--data-dir', data, '--log-level', 'warn']);
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.trim().split('\n');
    expect(warnings, r.stderr).toHaveLength(2);
    expect(warnings.every((w) => /unreadable/.test(w))).toBe(true);
    const st = await status(data);
    expect(st.counters.detect.errors.state).toBe(2);
    const lines = new Set<number>();
    await streamCli(['events', '--data-dir', data, '--json'], (l) => lines.add((JSON.parse(l) as { line: number }).line));
    expect(lines.size).toBe(3001);
  });
});

describe('an unreadable file', () => {
  // root reads any file: the watcher then runs as another user (nobody)
  const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

  it('is warned about once, and again when it changes, not at every poll', async () => {
    const root = tmpDir();
    chmodSync(root, 0o777);
    const logs = join(root, 'logs');
    mkdirSync(logs, { mode: 0o777 });
    chmodSync(logs, 0o777);
    writeFileSync(join(logs, 'ok.log'), 'readable line\n');
    const secret = join(logs, 'secret.log');
    writeFileSync(secret, 'not for us\n');
    chmodSync(secret, 0o000);
    const child = spawn(process.execPath, [BIN, 'watch', logs, '--data-dir', join(root, 'data'), '--poll', '100ms', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'], ...asOther });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    const warnings = () => err.split('\n').filter((l) => l.includes('secret.log')).length;
    try {
      await sleep(2000); // 20 polls
      expect(warnings(), err).toBe(1);
      writeFileSync(secret, 'not for us\nstill not\n');
      chmodSync(secret, 0o000);
      utimesSync(secret, new Date(), new Date(Date.now() + 5000));
      await sleep(1500);
      expect(warnings(), err).toBe(2);
    } finally {
      child.kill('SIGTERM');
      truncateSync(secret, 0);
    }
  });
});
