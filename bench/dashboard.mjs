/**
 * bench:dashboard — how long an anomaly written to a watched file takes to appear in the dashboard's
 * list in real Chromium (no reload), against the same run's baseline: the time until the server's live
 * stream (/api/stream) delivers it to a plain HTTP client. Also the overview's load time.
 * Target (issue 5): typically ≤ 3 s from append to the list. Options: --rounds N (default 15).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const args = process.argv.slice(2);
const ROUNDS = Number(args[args.indexOf('--rounds') + 1] || 15) || 15;
if (!existsSync('/usr/bin/chromium')) {
  console.log('bench:dashboard skipped: /usr/bin/chromium is absent (apt-get install -y chromium)');
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'logradar-bench-dash-'));
const logs = join(dir, 'logs');
mkdirSync(logs);
const file = join(logs, 'app.log');
const t0 = Date.now() - 600_000;
writeFileSync(file, Array.from({ length: 600 }, (_, i) => JSON.stringify({ timestamp: new Date(t0 + i * 1000).toISOString(), level: 'INFO', message: `request ${i} served in ${10 + (i % 7)} ms` })).join('\n') + '\n');

const child = spawn(process.execPath, [MAIN, 'watch', logs, '--ui', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'data'), '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOGRADAR_TOKEN: '', LOGRADAR_CONFIG: '' } });
let err = '';
const url = await new Promise((res, rej) => {
  child.stderr.on('data', (d) => {
    err += d;
    const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(err);
    if (m) res(m[1]);
  });
  child.on('exit', (c) => rej(new Error(`watch exited ${c}: ${err}`)));
});
// wait until the initial lines are stored
for (let i = 0; i < 200; i++) {
  const s = await (await fetch(`${url}/api/sources`)).json();
  if (s.items.some((x) => x.lines >= 600)) break;
  await new Promise((r) => setTimeout(r, 100));
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
const loadStart = Date.now();
await page.goto(`${url}/#/`);
await page.locator('[data-testid="live-status"][data-state="live"]').waitFor();
await page.locator('[data-testid="chart"]').first().waitFor();
const loadMs = Date.now() - loadStart;

/** A plain SSE reader: resolves with the arrival time of the first anomaly whose raw contains `text`. */
async function streamArrival(text) {
  const res = await fetch(`${url}/api/stream`);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  return {
    arrived: (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buf += dec.decode(value, { stream: true });
        if (buf.includes(text)) {
          const at = Date.now();
          await reader.cancel();
          return at;
        }
      }
    })(),
  };
}

const toList = [];
const toStream = [];
for (let r = 0; r < ROUNDS; r++) {
  const marker = `storage controller ${String.fromCharCode(97 + (r % 26))}${r} lost its write cache`;
  const s = await streamArrival(marker);
  const start = Date.now();
  appendFileSync(file, JSON.stringify({ timestamp: new Date().toISOString(), level: 'FATAL', message: marker }) + '\n');
  // the list shows the reason (template text) and file:line; the line number identifies this round's anomaly
  await page.locator('[data-testid="anomaly-item"]', { hasText: `app.log:${601 + r}` }).first().waitFor({ timeout: 15_000 });
  toList.push(Date.now() - start);
  toStream.push((await s.arrived) - start);
  await new Promise((res) => setTimeout(res, 300));
}
await browser.close();
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
rmSync(dir, { recursive: true, force: true });

const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
console.log(`bench:dashboard: ${ROUNDS} anomalies appended one at a time to a watched file (poll interval: the default)`);
console.log(`  overview load (navigation → live stream open and first chart drawn): ${loadMs} ms`);
console.log(`  append → on the live stream (baseline, plain HTTP client): median ${q(toStream, 0.5)} ms, p90 ${q(toStream, 0.9)} ms`);
console.log(`  append → in the dashboard's list (Chromium, no reload):   median ${q(toList, 0.5)} ms, p90 ${q(toList, 0.9)} ms (target typically ≤ 3,000 ms)`);
console.log(`  the page adds ${q(toList, 0.5) - q(toStream, 0.5)} ms at the median over the stream (ratio ${(q(toList, 0.5) / Math.max(1, q(toStream, 0.5))).toFixed(2)}×)`);
