/**
 * End to end through the real pipeline and SQLite store (HTTP ingest of a test server) to a local
 * webhook receiver: an anomaly alerts once with a link to its stored id, resolves, a muted signature
 * alerts no more, and /healthz and /metrics show the channel's counters.
 */
import { createHmac } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ndjson, startTestServer, type TestServer } from '../../test/helpers/server.js';
import { startHttpReceiver, type HttpReceiver } from '../../test/helpers/receivers.js';
import { startAlerts } from './service.js';

const line = (level: string, message: string, t: string) => JSON.stringify({ timestamp: t, level, message });
const FATAL = (t: string) => line('FATAL', 'disk controller on fire, shutting down now', t);

let s: TestServer | undefined;
let hook: HttpReceiver | undefined;
afterEach(async () => {
  await s?.close();
  await hook?.close();
  s = hook = undefined;
});

async function ingest(body: string): Promise<void> {
  const r = await s!.app.inject({ method: 'POST', url: '/api/ingest?source=app', headers: { 'content-type': 'application/x-ndjson' }, payload: body });
  expect(r.statusCode, r.body).toBe(200);
}

describe('alerts through the pipeline', () => {
  it('alerts once, resolves, stays silent for a muted signature; counters on /healthz and /metrics', async () => {
    hook = await startHttpReceiver();
    const secret = 'e2e-hmac-secret';
    s = await startTestServer({
      alerts: { rules: [{ name: 'severe', detectors: ['severity'], groupWindow: '5m' }], dashboardUrl: 'https://radar.example.org', channels: { webhook: { url: `${hook.url}/in`, secret } } },
    });
    const clock = { t: Date.parse('2026-11-21T12:00:00Z') };
    const alerts = startAlerts(s.config, s.runner.pipeline, s.runner.metrics, pino({ level: 'silent' }), { now: () => clock.t, tickMs: 0 })!;
    const settle = async () => {
      alerts.tick();
      await alerts.delivery.idle();
    };
    const events = () => hook!.requests.map((r) => JSON.parse(r.body) as { event: string; anomaly: { id: number; signature: string; raw: string }; link: string; incident: { count: number } });

    await ingest(ndjson(100, [FATAL('2026-11-21T10:02:00Z'), FATAL('2026-11-21T10:02:01Z')]));
    await settle();
    const stored = (await s.app.inject({ url: '/api/anomalies?source=app' })).json().items as Array<{ id: number; signature: string; detector: string }>;
    expect(stored.map((a) => a.detector)).toEqual(['severity', 'severity']);
    const [open] = events();
    expect(events().map((e) => e.event)).toEqual(['incident.open']);
    expect(open.anomaly.id).toBe(stored[1].id);
    expect(open.link).toBe(`https://radar.example.org/#/anomaly/${stored[1].id}`);
    expect(open.anomaly.raw).toBe(FATAL('2026-11-21T10:02:00Z'));
    const req = hook.requests[0];
    expect(req.headers['x-logradar-signature']).toBe('sha256=' + createHmac('sha256', secret).update(req.body).digest('hex'));

    clock.t += 5 * 60_000;
    await settle();
    expect(events().map((e) => [e.event, e.incident.count])).toEqual([
      ['incident.open', 1],
      ['incident.resolve', 2],
    ]);

    // mute the signature through the API, as a user would
    const fb = await s.app.inject({ method: 'POST', url: `/api/anomalies/${stored[0].id}/feedback`, payload: { action: 'mute', hours: 24 } });
    expect(fb.statusCode, fb.body).toBe(201);
    clock.t += 60 * 60_000;
    await ingest(FATAL('2026-11-21T10:03:00Z'));
    await ingest(FATAL('2026-11-21T10:03:10Z'));
    await settle();
    expect(hook.requests).toHaveLength(2);
    const suppressed = (await s.app.inject({ url: '/api/anomalies?source=app&status=suppressed' })).json().items as unknown[];
    expect(suppressed).toHaveLength(2);
    expect(s.runner.metrics.get('alerts').dropped.suppressed).toBe(2);

    // another signature still alerts
    await ingest(line('EMERG', 'power supply lost on rack 7', '2026-11-21T10:03:20Z'));
    await settle();
    expect(events().map((e) => e.event)).toEqual(['incident.open', 'incident.resolve', 'incident.open']);
    expect(events()[2].anomaly.raw).toContain('power supply lost');

    const health = (await s.app.inject({ url: '/healthz' })).json();
    expect(health.alerts).toEqual({ incidents: 2, channels: [{ channel: 'webhook', sent: 3, failed: 0, dropped: 0 }] });
    const metrics = (await s.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^logradar_alert_sends_total\{channel="webhook"\} 3$/m);
    expect(metrics).toMatch(/^logradar_alert_failures_total\{channel="webhook"\} 0$/m);
    await alerts.close();
  });
});
