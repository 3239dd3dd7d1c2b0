/**
 * `logradar watch` with alert rules from a config file: the real process sends the incident alert to a
 * local webhook receiver and the stdout channel; a bad alert config exits 2 naming file, key and reason.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAfterEach, runCli, tmpDir, writeConfig } from '../helpers/cli.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/receivers.js';

cleanupAfterEach();
let hook: HttpReceiver | undefined;
afterEach(async () => {
  await hook?.close();
  hook = undefined;
});

describe('watch with alerts', () => {
  it('sends one incident alert per source to the webhook and prints it on stdout; the URL is not logged', async () => {
    hook = await startHttpReceiver();
    const dir = tmpDir('logradar-alerts-');
    const lines: string[] = [];
    const t0 = Date.parse('2026-11-21T10:00:00Z');
    for (let i = 0; i < 100; i++) lines.push(JSON.stringify({ timestamp: new Date(t0 + i * 1000).toISOString(), level: 'INFO', message: `request ${i} served in ${10 + (i % 7)} ms` }));
    for (let i = 0; i < 3; i++) lines.push(JSON.stringify({ timestamp: new Date(t0 + (100 + i) * 1000).toISOString(), level: 'FATAL', message: `disk controller ${i} on fire` }));
    writeFileSync(join(dir, 'app.log'), lines.join('\n') + '\n');
    const config = writeConfig(dir, {
      logLevel: 'info',
      detect: { warmupRecords: 20 },
      alerts: { rules: [{ name: 'severe', detectors: ['severity'] }], channels: { webhook: { url: `${hook.url}/hooks/tok-e2e-secret` }, stdout: {} } },
    });
    const r = await runCli(['watch', '--once', '--no-status', '--config', config, '--data-dir', join(dir, 'data'), join(dir, 'app.log')]);
    expect(r.code, r.stderr).toBe(0);
    const events = hook.requests.map((q) => JSON.parse(q.body) as { event: string; incident: { source: string; rule: string } });
    expect(events).toEqual([expect.objectContaining({ event: 'incident.open', incident: expect.objectContaining({ rule: 'severe' }) })]);
    const source = events[0].incident.source;
    expect(source).toMatch(/app\.log$/);
    // the anomaly lines of watch, then the alert line of the stdout channel
    expect(r.stdout.split('\n').filter((l) => l.startsWith(`[logradar] ALERT ${source}: FATAL line`))).toHaveLength(1);
    expect(r.stderr).toContain('alerting on');
    expect(r.stderr).not.toContain('tok-e2e-secret');
  });

  it('a rule naming an unconfigured channel exits 2 with file, key and reason', async () => {
    const dir = tmpDir('logradar-alerts-');
    const config = writeConfig(dir, { alerts: { rules: [{ name: 'r', channels: ['email'] }], channels: { stdout: {} } } });
    const r = await runCli(['watch', '--once', '--config', config, '--data-dir', join(dir, 'data'), dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${config}: alerts.rules.0.channels: channel "email" is not configured under alerts.channels`);
  });
});
