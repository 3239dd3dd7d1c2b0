/**
 * The built CLI's server on a real socket: `serve` refuses a non-loopback bind without a token (exit 2);
 * with a token, records posted to /api/ingest come back as anomalies in /api/anomalies and on the live
 * stream; `watch --ui` streams what a watched file's new lines produce. Needs `npm run build` (npm test does it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'logradar-serve-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const TOKEN = 'e2e-token-with-enough-entropy-42';
const auth = { authorization: `Bearer ${TOKEN}` };

/** Starts the CLI and resolves with the URL it prints once it listens. */
async function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, LOGRADAR_CONFIG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${err}`)), 30_000);
    child.stderr!.on('data', () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  return { child, url, stderr: () => err };
}

/** Reads SSE events from a fetch response until one named `event` whose data passes `match`. */
async function waitForEvent(res: Response, event: string, match: (data: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended');
    buf += dec.decode(value, { stream: true });
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const ev = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (ev === event && data) {
        const d = JSON.parse(data) as Record<string, unknown>;
        if (match(d)) {
          await reader.cancel();
          return d;
        }
      }
    }
  }
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null ? r(c.exitCode) : c.on('exit', r)));

function records(n: number): string {
  const t0 = Date.parse('2026-11-21T10:00:00Z');
  return Array.from({ length: n }, (_, i) => JSON.stringify({ timestamp: new Date(t0 + i * 100).toISOString(), level: 'INFO', message: `request ${i} served in ${10 + (i % 7)} ms` })).join('\n') + '\n';
}

describe('logradar serve', () => {
  it('refuses a non-loopback bind without a token: exit 2, a message naming auth.token and LOGRADAR_TOKEN, nothing created', () => {
    const data = join(dir, 'refused');
    const r = spawnSync(process.execPath, [MAIN, 'serve', '--listen', '0.0.0.0:0', '--data-dir', data], { encoding: 'utf8', env: { ...process.env, LOGRADAR_TOKEN: '', LOGRADAR_CONFIG: '' }, timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('auth.token');
    expect(r.stderr).toContain('LOGRADAR_TOKEN');
    expect(existsSync(data)).toBe(false);
  });

  it('ingest over HTTP → the anomaly in /api/anomalies and on /api/stream; SIGTERM stops it cleanly', async () => {
    const { child, url } = await startCli(['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'serve'), '--log-level', 'warn'], { LOGRADAR_TOKEN: TOKEN });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/api/anomalies`)).status).toBe(401);
    const stream = await fetch(`${url}/api/stream`, { headers: auth });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const fatal = JSON.stringify({ timestamp: '2026-11-21T10:01:00Z', level: 'FATAL', message: 'kernel panic on node 7' });
    const ing = await fetch(`${url}/api/ingest?source=web`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: records(100) + fatal + '\n' });
    expect(await ing.json()).toEqual({ accepted: 101, rejected: 0 });
    const live = await waitForEvent(stream, 'anomaly', (d) => d.raw === fatal);
    expect(live).toMatchObject({ source: 'web', detector: 'severity', status: 'new' });
    const list = (await (await fetch(`${url}/api/anomalies?source=web`, { headers: auth })).json()) as { items: Array<{ id: number; raw: string }> };
    expect(list.items.map((a) => a.raw)).toEqual([fatal]);
    expect(list.items[0].id).toBe(live.id);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });
});

describe('logradar watch --ui', () => {
  it('a line appended to a watched file shows up on the live stream', async () => {
    const logs = join(dir, 'logs');
    rmSync(logs, { recursive: true, force: true });
    const file = join(logs, 'app.log');
    spawnSync('mkdir', ['-p', logs]);
    writeFileSync(file, records(200));
    const { child, url } = await startCli(['watch', logs, '--ui', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'watch'), '--poll', '100ms', '--log-level', 'warn', '--json']);
    const stream = await fetch(`${url}/api/stream`);
    const fatal = JSON.stringify({ timestamp: '2026-11-21T10:02:00Z', level: 'FATAL', message: 'disk array degraded beyond repair' });
    appendFileSync(file, fatal + '\n');
    const live = await waitForEvent(stream, 'anomaly', (d) => d.raw === fatal);
    expect(live).toMatchObject({ kind: 'record', file, line: 201 });
    const detail = (await (await fetch(`${url}/api/anomalies/${live.id}`)).json()) as { context: { before: Array<{ line: number }> } };
    expect(detail.context.before.map((l) => l.line)).toEqual([196, 197, 198, 199, 200]);
    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);
  });
});
