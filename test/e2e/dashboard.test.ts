/**
 * The dashboard in real Chromium (Debian `chromium` through playwright-core) against the built CLI on a
 * real socket: live anomalies without a reload, the anomaly page and its raw line, a false positive that
 * persists and suppresses the next anomaly of the same signature, history through the time-range picker
 * over a pre-filled store, and hostile log text shown literally with no dialog and no CSP violation.
 * Screenshots go to $LOGRADAR_SCREENSHOT_DIR (`npm run screenshots` sets docs/img), else a temp dir.
 * Needs `npm run build` (npm test does it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, watchedPage, type WatchedPage } from '../helpers/browser.js';

const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'logradar-dash-'));
const shots = resolve(process.env.LOGRADAR_SCREENSHOT_DIR || join(dir, 'img'));
const children: ChildProcess[] = [];
const skip = chromiumMissing();
if (skip) console.warn(`dashboard e2e skipped: ${skip}`);

let browser: Browser;
beforeAll(async () => {
  if (!skip) browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the CLI and resolves with the URL it prints once it listens. */
async function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN, ...args, '--listen', '127.0.0.1:0', '--log-level', 'warn'], { env: { ...process.env, LOGRADAR_CONFIG: '', LOGRADAR_TOKEN: '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no URL printed: ${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    child.on('exit', (code) => rej(new Error(`exited ${code}: ${err}`)));
  });
  return { child, url };
}

const stop = async (c: ChildProcess) => {
  c.kill('SIGTERM');
  if (c.exitCode === null) await new Promise((r) => c.on('exit', r));
};

/** JSON lines of an ordinary service, one a second ending `endMs` ago. */
function normalLines(n: number, endMs = Date.now()): string {
  const t0 = endMs - n * 1000;
  return Array.from({ length: n }, (_, i) => JSON.stringify({ timestamp: new Date(t0 + i * 1000).toISOString(), level: 'INFO', message: `request ${i} served in ${10 + (i % 7)} ms` })).join('\n') + '\n';
}

const fatal = (message: string, ts = Date.now()) => JSON.stringify({ timestamp: new Date(ts).toISOString(), level: 'FATAL', message }) + '\n';

async function api<T>(url: string): Promise<T> {
  return (await fetch(url)).json() as Promise<T>;
}

function expectClean(w: WatchedPage, where: string): void {
  expect(w.dialogs, `dialogs on ${where}`).toEqual([]);
  expect(w.cspViolations, `CSP violations on ${where}`).toEqual([]);
  expect(w.errors, `page errors on ${where}`).toEqual([]);
}

describe.skipIf(!!skip)('dashboard in Chromium', () => {
  it('a burst appended to a watched file appears in the list and on the chart without a reload; its page shows the raw line; a false positive persists and suppresses the same signature', async () => {
    const logs = join(dir, 'live-logs');
    mkdirSync(logs, { recursive: true });
    const file = join(logs, 'app.log');
    writeFileSync(file, normalLines(300));
    const { child, url } = await startCli(['watch', logs, '--ui', '--data-dir', join(dir, 'live-data'), '--poll', '100ms']);
    // the records series exists once windows closed: wait until the ingest is stored
    await expect.poll(async () => (await api<{ items: unknown[] }>(`${url}/api/series/keys`)).items.length, { timeout: 20_000 }).toBeGreaterThan(0);

    const w = await watchedPage(browser);
    const { page } = w;
    await page.goto(`${url}/#/`);
    await page.locator('[data-testid="live-status"][data-state="live"]').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="chart"]').first().waitFor({ timeout: 10_000 });
    const message = 'disk array degraded beyond repair';
    const t0 = Date.now();
    appendFileSync(file, fatal(message) + fatal(message) + fatal(message));
    const item = page.locator('[data-testid="anomaly-item"]', { hasText: message }).first();
    await item.waitFor({ timeout: 10_000 });
    const delay = Date.now() - t0;
    console.log(`dashboard e2e: appended burst listed after ${delay} ms`);
    await expect.poll(async () => Number(await page.locator('[data-testid="chart"]').first().getAttribute('data-markers')), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(page.url()).toBe(`${url}/#/`); // no reload, no navigation
    // the burst is one incident, listed beside the charts as it arrives; its link lists its anomalies
    const incident = page.locator('[data-testid="incident-item"]', { hasText: message }).first();
    await incident.waitFor({ timeout: 10_000 });
    await expect.poll(async () => incident.textContent(), { timeout: 10_000 }).toMatch(/3 anomalies/);
    const incidentId = await incident.getAttribute('data-id');
    await incident.locator('a').click();
    await page.locator('[data-testid="anomaly-item"]', { hasText: message }).first().waitFor({ timeout: 10_000 });
    expect(page.url()).toContain(`incident=${incidentId}`);
    expect(await page.locator('[data-testid="anomaly-item"]').count()).toBe(3);
    await page.goto(`${url}/#/`);
    await page.locator('[data-testid="anomaly-item"]', { hasText: message }).first().waitFor({ timeout: 10_000 });
    mkdirSync(shots, { recursive: true });

    // the anomaly page: the raw line, the feedback buttons
    const id = await item.getAttribute('data-id');
    await page.goto(`${url}/#/anomaly/${id}`);
    const raw = page.locator('[data-testid="raw-line"]');
    await raw.waitFor();
    expect(await raw.textContent()).toContain(message);
    await page.locator('[data-testid="feedback-false-positive"]').click();
    await page.locator('[data-testid="feedback-entry"]').first().waitFor();
    await page.reload();
    await page.locator('[data-testid="raw-line"]').waitFor();
    expect(await page.locator('[data-testid="anomaly-page"] [data-testid="status"]').first().textContent()).toMatch(/false positive/);
    expect(await page.locator('[data-testid="feedback-entry"]').count()).toBe(1);
    expectClean(w, 'the live overview and the anomaly page');

    // the same signature again: stored as suppressed, not listed as new
    const before = (await api<{ items: Array<{ id: number }> }>(`${url}/api/anomalies`)).items.length;
    appendFileSync(file, fatal(message));
    await expect
      .poll(async () => (await api<{ items: Array<{ status: string; raw: string }> }>(`${url}/api/anomalies?status=suppressed`)).items.length, { timeout: 10_000 })
      .toBe(1);
    expect((await api<{ items: unknown[] }>(`${url}/api/anomalies`)).items.length).toBe(before);
    await page.goto(`${url}/#/anomalies`);
    await page.locator('[data-testid="anomaly-list"]').waitFor();
    await expect.poll(() => page.locator('[data-testid="anomaly-item"][data-status="suppressed"]').count()).toBe(0);
    await stop(child);
  });

  it('the time-range picker shows history from a pre-filled store; screenshots of the overview and the anomaly page', async () => {
    // four hours of mock WAF traffic ending two hours ago, with one anomaly period an hour before its end
    const logs = join(dir, 'waf');
    const end = Date.now() - 2 * 3_600_000;
    const startMs = end - 4 * 3_600_000;
    const start = new Date(startMs).toISOString();
    const gen = spawnSync(process.execPath, [MAIN, 'generate', 'waf', '--out', logs, '--duration', '4h', '--start', start, '--anomaly', 'httpRequest.country=XX', '--anomaly-after', '3h', '--anomaly-length', '20m', '--rate', '5'], { encoding: 'utf8' });
    expect(gen.status, gen.stderr).toBe(0);
    const data = join(dir, 'waf-data');
    const once = spawnSync(process.execPath, [MAIN, 'watch', logs, '--once', '--data-dir', data, '--log-level', 'warn', '--json'], { encoding: 'utf8', env: { ...process.env, LOGRADAR_CONFIG: '' } });
    expect(once.status, once.stderr).toBe(0);
    const stored = once.stdout.trim().split('\n').filter(Boolean).length;
    expect(stored).toBeGreaterThan(0);
    const { child, url } = await startCli(['serve', '--data-dir', data]);

    const w = await watchedPage(browser);
    const { page } = w;
    await page.goto(`${url}/#/?range=1h`);
    await page.locator('[data-testid="time-range"]').waitFor();
    await page.locator('[data-testid="anomaly-list"]').waitFor();
    expect(await page.locator('[data-testid="anomaly-item"]').count()).toBe(0); // nothing in the last hour
    await page.locator('[data-testid="range-24h"]').click();
    await page.locator('[data-testid="anomaly-item"]').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="anomaly-item"]').count()).toBeGreaterThan(0);
    await page.locator('[data-testid="chart"]').first().waitFor();
    await expect.poll(async () => Number(await page.locator('[data-testid="chart"]').first().getAttribute('data-markers')), { timeout: 10_000 }).toBeGreaterThan(0);
    // the stored span exactly, for the picture
    await page.goto(`${url}/#/?from=${startMs}&to=${end}`);
    await page.locator('[data-testid="anomaly-item"]').first().waitFor({ timeout: 10_000 });
    await page.waitForTimeout(500); // let the charts draw before the picture
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'overview.png'), fullPage: false });

    const windowAnomaly = (await api<{ items: Array<{ id: number; kind: string }> }>(`${url}/api/anomalies?since=0`)).items.find((a) => a.kind === 'window');
    expect(windowAnomaly).toBeDefined();
    await page.goto(`${url}/#/anomaly/${windowAnomaly!.id}`);
    await page.locator('[data-testid="anomaly-page"]').waitFor();
    await page.locator('[data-testid="reason"]').waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(shots, 'anomaly.png'), fullPage: true });
    for (const f of ['overview.png', 'anomaly.png']) expect(readFileSync(join(shots, f)).subarray(1, 4).toString()).toBe('PNG');
    expectClean(w, 'history and the anomaly page');
    await stop(child);
  });

  it('50 hostile log lines are shown literally on every page: no dialog, no CSP violation', async () => {
    const payloads = [
      '<script>alert(1)</script>',
      '"><img src=x onerror=alert(1)>',
      '<svg onload=alert(1)>',
      'javascript:alert(1)',
      '\u001b[31mred\u001b[0m \u001b]0;title\u0007',
      'abc\u202Eexe.txt',
      'line1\r\nline2',
    ];
    const logs = join(dir, 'xss-logs');
    mkdirSync(logs, { recursive: true });
    const now = Date.now();
    let text = normalLines(600, now - 60_000);
    for (let i = 0; i < 50; i++) {
      const p = payloads[i % payloads.length];
      text += JSON.stringify({ timestamp: new Date(now - 50_000 + i * 500).toISOString(), level: 'FATAL', message: `${p} case ${i}`, [`field<img src=x onerror=alert(${i})>`]: p, url: 'javascript:alert(document.cookie)' }) + '\n';
    }
    writeFileSync(join(logs, '<svg onload=alert(9)>.log'), text);
    const { child, url } = await startCli(['watch', logs, '--ui', '--data-dir', join(dir, 'xss-data'), '--poll', '100ms']);
    await expect.poll(async () => (await api<{ items: unknown[] }>(`${url}/api/anomalies?since=0`)).items.length, { timeout: 20_000 }).toBeGreaterThan(0);
    const anomalies = (await api<{ items: Array<{ id: number; raw: string }> }>(`${url}/api/anomalies?since=0&limit=200`)).items;

    const w = await watchedPage(browser);
    const { page } = w;
    for (const route of ['#/?range=all', '#/anomalies?range=all', '#/templates', '#/sources']) {
      await page.goto(`${url}/${route}`);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300);
    }
    // the templates page shows the payloads as text
    await page.goto(`${url}/#/templates`);
    await page.locator('[data-testid="template-row"]').first().waitFor();
    const templates = await page.locator('body').innerText();
    expect(templates).toContain('<svg onload=alert(<*>)> case <*>');
    expect(templates).toContain('"><img src=x onerror=alert(<*>)> case <*>');
    // every page of an anomaly with a payload: its raw line shown literally
    const withPayload = anomalies.filter((a) => payloads.slice(0, 4).some((p) => a.raw.includes(p))).slice(0, 8);
    expect(withPayload.length).toBeGreaterThan(0);
    for (const a of withPayload) {
      await page.goto(`${url}/#/anomaly/${a.id}`);
      const raw = page.locator('[data-testid="raw-line"]');
      await raw.waitFor();
      const shown = (await raw.textContent()) ?? '';
      const p = payloads.slice(0, 4).find((x) => a.raw.includes(x))!;
      expect(shown).toContain(p);
    }
    // markup from the log never became elements
    expect(await page.locator('img[src="x"], svg[onload], script:not([src])').count()).toBe(0);
    expectClean(w, 'every page with hostile log text');
    expect(readdirSync(logs)).toHaveLength(1);
    await stop(child);
  });

  it('with a token configured the page asks for it once: a wrong one is refused, the right one opens the dashboard and its live stream (HttpOnly cookie)', async () => {
    const token = 'dashboard-e2e-token-0123456789abcdef';
    const { child, url } = await startCli(['serve', '--data-dir', join(dir, 'auth-data')], { LOGRADAR_TOKEN: token });
    expect((await fetch(`${url}/api/anomalies`)).status).toBe(401);
    const w = await watchedPage(browser);
    const { page } = w;
    await page.goto(`${url}/#/`);
    await page.locator('[data-testid="signin-token"]').fill('not-the-token');
    await page.locator('[data-testid="signin-submit"]').click();
    await expect.poll(async () => ((await page.locator('[data-testid="signin-error"]').textContent()) ?? '').length).toBeGreaterThan(0);
    await page.locator('[data-testid="signin-token"]').fill(token);
    await page.locator('[data-testid="signin-submit"]').click();
    await page.locator('[data-testid="live-status"][data-state="live"]').waitFor({ timeout: 10_000 });
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'logradar_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.reload();
    await page.locator('[data-testid="live-status"][data-state="live"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="signin"]').count()).toBe(0); // asked once
    expectClean(w, 'sign-in');
    await stop(child);
  });
});
