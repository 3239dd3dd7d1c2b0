/**
 * Alerting against real local receivers (HTTP on 127.0.0.1:0, an in-process SMTP server), with a fake
 * clock: incidents, alert-once and resolve, storms, cooldown, quiet hours, rate limits, retries.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../model/errors.js';
import { MetricsRegistry } from '../model/metrics.js';
import type { Anomaly } from '../model/record.js';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../../test/helpers/receivers.js';
import { startAlerts, type Alerts, type AnomalyFeed } from './service.js';

const T0 = Date.parse('2026-11-21T10:00:00Z');
const MIN = 60_000;

/** A pipeline stand-in: the real one is exercised in alerts-pipeline.test.ts. */
class Feed implements AnomalyFeed {
  private anomalyFns: Array<(a: Anomaly) => void> = [];
  private suppressedFns: Array<(a: Anomaly) => void> = [];
  onAnomaly(fn: (a: Anomaly) => void) {
    this.anomalyFns.push(fn);
  }
  onSuppressed(fn: (a: Anomaly) => void) {
    this.suppressedFns.push(fn);
  }
  emit(a: Anomaly) {
    for (const f of this.anomalyFns) f(a);
  }
}

const anomaly = (i: number, over: Partial<Anomaly> = {}): Anomaly => ({
  kind: 'record',
  source: 'app',
  ts: T0 + i,
  grade: 0.9,
  detector: 'severity',
  detectors: [{ detector: 'severity', grade: 0.9 }],
  reason: 'FATAL line',
  raw: `<script>alert(1)</script> disk & controller on fire #${i}`,
  line: i + 1,
  templateId: 7,
  id: 1000 + i,
  ...over,
});

interface Harness {
  feed: Feed;
  alerts: Alerts;
  metrics: MetricsRegistry;
  clock: { t: number };
  sleeps: number[];
  logs: string[];
  stdout: string[];
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function receiver(): Promise<HttpReceiver> {
  const r = await startHttpReceiver();
  closers.push(() => r.close());
  return r;
}

async function smtpReceiver(): Promise<SmtpReceiver> {
  const r = await startSmtpReceiver();
  closers.push(() => r.close());
  return r;
}

function harness(alerts: Record<string, unknown>): Harness {
  const config = loadConfig({ overrides: { logLevel: 'silent', alerts }, env: {} });
  const clock = { t: T0 };
  const sleeps: number[] = [];
  const logs: string[] = [];
  const stdout: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (c: Buffer, _e, cb) => (logs.push(c.toString()), cb()) }));
  const out = new Writable({ write: (c: Buffer, _e, cb) => (stdout.push(c.toString()), cb()) });
  const feed = new Feed();
  const metrics = new MetricsRegistry();
  const a = startAlerts(config, feed, metrics, log, { now: () => clock.t, sleep: async (ms) => void sleeps.push(ms), stdout: out, tickMs: 0 });
  if (!a) throw new Error('alerting did not start');
  closers.push(() => a.close(1000));
  return { feed, alerts: a, metrics, clock, sleeps, logs, stdout };
}

/** Sends what is due and waits until the receivers have it. */
async function settle(h: Harness): Promise<void> {
  h.alerts.tick(h.clock.t);
  await h.alerts.delivery.idle();
}

const bodies = (r: HttpReceiver) => r.requests.map((q) => JSON.parse(q.body) as Record<string, unknown>);

describe('channels against real receivers', () => {
  it('Slack: grade, reason, source, sample line (escaped), dashboard link', async () => {
    const slack = await receiver();
    const h = harness({ rules: [{ name: 'all' }], dashboardUrl: 'https://radar.example.org/', channels: { slack: { url: `${slack.url}/services/T0/B0/tok3n` } } });
    h.feed.emit(anomaly(1, { raw: 'user <!channel> said <http://evil|click> & left' }));
    await settle(h);
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0].path).toBe('/services/T0/B0/tok3n');
    expect(slack.requests[0].headers['content-type']).toBe('application/json');
    const p = bodies(slack)[0] as { text: string; blocks: Array<Record<string, unknown>> };
    expect(p.text).toBe('[logradar] ALERT app: FATAL line <https://radar.example.org/#/anomaly/1001|open>');
    const all = JSON.stringify(p.blocks);
    expect(all).toContain('*grade*\\n0.90');
    expect(all).toContain('*source*\\napp');
    expect(all).toContain('FATAL line');
    // the sample cannot mention @channel or make a link: < > & are escaped
    expect(all).toContain('user &lt;!channel&gt; said &lt;http://evil|click&gt; &amp; left');
    expect(all).not.toContain('<!channel>');
    expect(p.blocks.at(-1)).toEqual({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in logradar' }, url: 'https://radar.example.org/#/anomaly/1001' }] });
  });

  it('generic webhook: JSON body and a verifiable HMAC signature', async () => {
    const hook = await receiver();
    const secret = 'whsec-0123456789';
    const h = harness({ rules: [{ name: 'all', groupWindow: '2m' }], channels: { webhook: { url: `${hook.url}/hook?token=abc123`, secret } } });
    h.feed.emit(anomaly(1));
    await settle(h);
    h.clock.t += 2 * MIN;
    await settle(h);
    expect(hook.requests).toHaveLength(2);
    for (const r of hook.requests) {
      const sig = String(r.headers['x-logradar-signature']);
      expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
      const want = Buffer.from('sha256=' + createHmac('sha256', secret).update(r.body).digest('hex'));
      expect(timingSafeEqual(Buffer.from(sig), want)).toBe(true);
      // a tampered body would not verify
      expect(createHmac('sha256', secret).update(r.body + ' ').digest('hex')).not.toBe(sig.slice(7));
    }
    const [open, resolve] = bodies(hook);
    expect(open).toMatchObject({
      event: 'incident.open',
      incident: { id: 1, rule: 'all', groupBy: 'incident', key: 'app', source: 'app', count: 1, maxGrade: 0.9, resolvedAt: null },
      anomaly: { id: 1001, detector: 'severity', reason: 'FATAL line', source: 'app', line: 2, signature: 'severity|app|7|' },
      link: 'http://127.0.0.1:7420/#/anomaly/1001',
    });
    expect(resolve).toMatchObject({ event: 'incident.resolve', incident: { id: 1, resolvedAt: new Date(T0 + 2 * MIN).toISOString() } });
  });

  it('e-mail: envelope, subject, text and HTML parts, log text escaped in HTML', async () => {
    const smtp = await smtpReceiver();
    const h = harness({ rules: [{ name: 'mail' }], channels: { email: { host: '127.0.0.1', port: smtp.port, user: 'radar', pass: 'smtp-s3cret', from: 'radar@example.org', to: ['ops@example.org'] } } });
    h.feed.emit(anomaly(1));
    await settle(h);
    expect(smtp.mails).toHaveLength(1);
    const m = smtp.mails[0];
    expect(m).toMatchObject({ from: 'radar@example.org', to: ['ops@example.org'], user: 'radar', pass: 'smtp-s3cret' });
    expect(m.data).toMatch(/^Subject: \[logradar\] ALERT app: FATAL line$/m);
    expect(m.data).toMatch(/^From: radar@example\.org$/m);
    const [textPart, htmlPart] = m.data.split(/^Content-Type: text\/html.*$/m);
    expect(textPart).toMatch(/^Content-Type: text\/plain/m);
    expect(textPart).toContain('sample: <script>alert(1)</script> disk & controller on fire #1');
    expect(textPart).toContain('link: http://127.0.0.1:7420/#/anomaly/1001');
    const html = htmlPart.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; disk &amp; controller on fire #1');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<a href="http://127.0.0.1:7420/#/anomaly/1001">');
  });

  it('stdout: one line per message, or JSON', async () => {
    const h = harness({ rules: [{ name: 'all', groupWindow: '1m' }], channels: { stdout: { format: 'json' } } });
    h.feed.emit(anomaly(1));
    h.clock.t += MIN;
    await settle(h);
    expect(h.stdout.map((l) => (JSON.parse(l) as { alert: { event: string } }).alert.event)).toEqual(['incident.open', 'incident.resolve']);
  });
});

describe('retries', () => {
  it('a receiver failing twice gets the message on the third try, after backoff 1s then 2s', async () => {
    const hook = await receiver();
    hook.failWith = [503, 500];
    const h = harness({ rules: [{ name: 'all' }], channels: { webhook: { url: hook.url } } });
    h.feed.emit(anomaly(1));
    await settle(h);
    expect(hook.requests).toHaveLength(3);
    expect(new Set(hook.requests.map((r) => r.body)).size).toBe(1);
    expect(h.sleeps).toEqual([1000, 2000]);
    expect(h.metrics.get('alert.webhook').toJSON()).toMatchObject({ received: 1, emitted: 1, errors: { retry: 2 } });
    expect(h.alerts.delivery.status()).toEqual([{ channel: 'webhook', sent: 1, failed: 0, dropped: 0, held: 0 }]);
  });

  it('after the last try a failure is counted, and the log names no secret', async () => {
    const hook = await receiver();
    hook.failWith = [500, 500, 500, 500, 500];
    const h = harness({ rules: [{ name: 'all' }], retry: { attempts: 3, initialDelay: '5s', maxDelay: '8s' }, channels: { webhook: { url: `${hook.url}/T/secret-token-xyz`, secret: 'hmac-key-1' } } });
    h.feed.emit(anomaly(1));
    await settle(h);
    expect(hook.requests).toHaveLength(3);
    expect(h.sleeps).toEqual([5000, 8000]);
    expect(h.metrics.get('alert.webhook').toJSON()).toMatchObject({ emitted: 0, errors: { retry: 2, send: 1 } });
    expect(h.alerts.delivery.status()[0]).toMatchObject({ failed: 1, lastError: 'HTTP 500' });
    const logs = h.logs.join('');
    expect(logs).toContain('alert not delivered');
    expect(logs).toContain('[redacted]');
    expect(logs).not.toContain('secret-token-xyz');
    expect(logs).not.toContain('hmac-key-1');
  });

  it('a 404 is not retried (a wrong or revoked webhook does not heal)', async () => {
    const hook = await receiver();
    hook.failWith = [404];
    const h = harness({ rules: [{ name: 'all' }], channels: { slack: { url: hook.url } } });
    h.feed.emit(anomaly(1));
    await settle(h);
    expect(hook.requests).toHaveLength(1);
    expect(h.metrics.get('alert.slack').errors).toEqual({ send: 1 });
  });

  it('a refused connection is retried and counted, the URL not logged', async () => {
    const hook = await receiver();
    const url = `${hook.url}/services/very-secret`;
    await hook.close();
    closers.pop();
    const h = harness({ rules: [{ name: 'all' }], retry: { attempts: 2 }, channels: { slack: { url } } });
    h.feed.emit(anomaly(1));
    await settle(h);
    expect(h.metrics.get('alert.slack').errors).toEqual({ retry: 1, send: 1 });
    expect(h.logs.join('')).toContain('ECONNREFUSED');
    expect(h.logs.join('')).not.toContain('very-secret');
  });
});

describe('incidents', () => {
  it('alert storm: 10,000 anomalies of one signature in one minute make ONE alert and ONE resolve', async () => {
    const hook = await receiver();
    const h = harness({ rules: [{ name: 'storm', groupWindow: '5m' }], channels: { webhook: { url: hook.url } } });
    for (let i = 0; i < 10_000; i++) {
      h.clock.t = T0 + Math.floor((i * MIN) / 10_000);
      h.feed.emit(anomaly(i));
      if (i % 1000 === 0) h.alerts.tick(h.clock.t);
    }
    const last = h.clock.t;
    await settle(h);
    expect(bodies(hook).map((b) => b.event)).toEqual(['incident.open']);
    // still inside the group window after the last anomaly: open
    h.clock.t = last + 5 * MIN - 1;
    await settle(h);
    expect(hook.requests).toHaveLength(1);
    h.clock.t += 1;
    await settle(h);
    const [open, resolve] = bodies(hook);
    expect(hook.requests).toHaveLength(2);
    expect(open).toMatchObject({ event: 'incident.open', incident: { count: 1 } });
    expect(resolve).toMatchObject({ event: 'incident.resolve', incident: { count: 10_000, signatures: 1 } });
    expect(h.metrics.get('alerts').toJSON()).toMatchObject({ received: 10_000, emitted: 1 });
  });

  it('grouping: by source one incident for two signatures; by signature two', async () => {
    const hook = await receiver();
    const h = harness({ rules: [{ name: 'src', groupBy: 'source' }, { name: 'sig', groupBy: 'signature', channels: ['stdout'] }], channels: { webhook: { url: hook.url }, stdout: {} } });
    h.feed.emit(anomaly(1));
    h.feed.emit(anomaly(2, { templateId: 8 }));
    h.feed.emit(anomaly(3, { source: 'db' }));
    await settle(h);
    // rule src (every channel): incidents app and db, on both channels; rule sig: 3 signatures, on stdout
    expect(bodies(hook).map((b) => (b.incident as { key: string }).key)).toEqual(['app', 'db']);
    expect(h.stdout).toHaveLength(2 + 3);
  });

  it('grouping by stored incident (the default): one alert per incident the pipeline made, whatever the signatures', async () => {
    const hook = await receiver();
    const h = harness({ rules: [{ name: 'r', cooldown: 0 }], channels: { webhook: { url: hook.url } } });
    h.feed.emit(anomaly(1, { incident: 4 }));
    h.feed.emit(anomaly(2, { incident: 4, templateId: 8, kind: 'window' }));
    h.feed.emit(anomaly(3, { incident: 4, source: 'db' }));
    h.feed.emit(anomaly(4, { incident: 5 }));
    await settle(h);
    expect(bodies(hook).map((b) => [b.event, (b.incident as { groupBy: string; key: string }).key])).toEqual([
      ['incident.open', '#4'],
      ['incident.open', '#5'],
    ]);
    expect(h.alerts.engine.openIncidents().map((i) => [i.incident, i.count])).toEqual([
      [4, 3],
      [5, 1],
    ]);
  });

  it('alertOnce false: an update per new signature, each signature once (dedup)', async () => {
    const hook = await receiver();
    const h = harness({ rules: [{ name: 'r', alertOnce: false }], channels: { webhook: { url: hook.url } } });
    for (const t of [7, 7, 8, 8, 7, 9]) h.feed.emit(anomaly(t, { templateId: t }));
    await settle(h);
    expect(bodies(hook).map((b) => [b.event, (b.incident as { signatures: number }).signatures])).toEqual([
      ['incident.open', 1],
      ['incident.update', 2],
      ['incident.update', 3],
    ]);
  });

  it('cooldown: an incident reopening within it is tracked silently, one after it alerts', async () => {
    const hook = await receiver();
    const h = harness({ rules: [{ name: 'r', groupWindow: '1m', cooldown: '10m' }], channels: { webhook: { url: hook.url } } });
    h.feed.emit(anomaly(1));
    h.clock.t += MIN;
    await settle(h); // resolved
    h.clock.t += MIN;
    h.feed.emit(anomaly(2)); // within the cooldown: silent
    h.clock.t += MIN;
    await settle(h); // resolves silently
    h.clock.t = T0 + 11 * MIN;
    h.feed.emit(anomaly(3));
    await settle(h);
    expect(bodies(hook).map((b) => [b.event, (b.incident as { id: number }).id])).toEqual([
      ['incident.open', 1],
      ['incident.resolve', 1],
      ['incident.open', 3],
    ]);
    expect(h.metrics.get('alerts').dropped).toEqual({ cooldown: 1 });
  });

  it('an anomaly after the group window ends the old incident before any tick, and opens a new one', async () => {
    const hook = await receiver();
    const h = harness({ rules: [{ name: 'r', groupWindow: '1m', cooldown: 0 }], channels: { webhook: { url: hook.url } } });
    h.feed.emit(anomaly(1));
    h.clock.t += MIN;
    h.feed.emit(anomaly(2));
    await h.alerts.delivery.idle();
    expect(bodies(hook).map((b) => [b.event, (b.incident as { id: number }).id])).toEqual([
      ['incident.open', 1],
      ['incident.resolve', 1],
      ['incident.open', 2],
    ]);
  });

  it('rule filters: grade, sources, detectors, kinds, templates, field values', async () => {
    const h = harness({
      rules: [
        { name: 'grade', minGrade: 0.95, channels: ['stdout'] },
        { name: 'waf-country', sources: ['waf/**'], detectors: ['field-rate'], kinds: ['window'], fields: { 'httpRequest.country': ['XX'] }, channels: ['stdout'] },
        { name: 'tpl', templates: [42], channels: ['stdout'] },
      ],
      channels: { stdout: {} },
    });
    const country = (v: string) => ({ explain: { contributions: [{ detector: 'field-rate', feature: `httpRequest.country=${v}`, count: 9 }] } });
    h.feed.emit(anomaly(1)); // grade 0.9, template 7: no rule
    h.feed.emit(anomaly(2, { source: 'waf/a.log', kind: 'window', detector: 'field-rate', ...country('YY') })); // wrong value
    h.feed.emit(anomaly(3, { source: 'waf/a.log', kind: 'window', detector: 'field-rate', ...country('XX') })); // waf-country
    h.feed.emit(anomaly(4, { source: 'other', kind: 'window', detector: 'field-rate', ...country('XX') })); // wrong source
    h.feed.emit(anomaly(5, { source: 'db', grade: 0.97 })); // grade
    h.feed.emit(anomaly(6, { source: 'web', templateId: 42 })); // tpl
    await settle(h);
    expect(h.stdout.map((l) => l.split(' · ')[0])).toEqual(['[logradar] ALERT waf/a.log: FATAL line', '[logradar] ALERT db: FATAL line', '[logradar] ALERT web: FATAL line']);
    expect(h.metrics.get('alerts').dropped).toEqual({ no_rule: 3 });
  });
});

describe('quiet hours and rate limits', () => {
  const quiet = { start: '22:00', end: '07:00', timezone: 'Europe/Paris' };
  // 2026-11-21 is winter time: Paris = UTC+1
  const paris = (hhmm: string, day = 21) => Date.parse(`2026-11-${day}T${hhmm}:00+01:00`);

  it('hold: alerts wait until quiet hours end; an incident that opened and ended meanwhile comes as its resolve only', async () => {
    const hook = await receiver();
    const h = harness({ rules: [{ name: 'r', groupWindow: '10m' }], quietHours: quiet, channels: { webhook: { url: hook.url }, stdout: {} } });
    h.clock.t = paris('23:00');
    h.feed.emit(anomaly(1, { source: 'a' })); // opens and ends during the night
    h.clock.t = paris('23:30');
    await settle(h);
    h.clock.t = paris('06:55', 22);
    h.feed.emit(anomaly(2, { source: 'b' })); // still open when the night ends
    await settle(h);
    expect(hook.requests).toHaveLength(0);
    // stdout does not keep quiet hours (the default channels are slack, webhook, email)
    expect(h.stdout).toHaveLength(3);
    expect(h.alerts.delivery.status().find((s) => s.channel === 'webhook')?.held).toBe(2);
    h.clock.t = paris('07:00', 22);
    await settle(h);
    expect(bodies(hook).map((b) => [b.event, (b.incident as { source: string }).source, b.heldOpen])).toEqual([
      ['incident.resolve', 'a', true],
      ['incident.open', 'b', false],
    ]);
    expect((bodies(hook)[0] as { summary: string }).summary).toContain('ALERT (resolved during quiet hours) a:');
    h.clock.t += 10 * MIN;
    await settle(h);
    expect(bodies(hook).map((b) => b.event)).toEqual(['incident.resolve', 'incident.open', 'incident.resolve']);
  });

  it('drop: alerts during quiet hours are discarded and counted, their resolves too', async () => {
    const hook = await receiver();
    const h = harness({ rules: [{ name: 'r', groupWindow: '10m' }], quietHours: { ...quiet, action: 'drop' }, channels: { webhook: { url: hook.url } } });
    h.clock.t = paris('06:55');
    h.feed.emit(anomaly(1));
    h.clock.t = paris('07:10');
    await settle(h);
    expect(hook.requests).toHaveLength(0);
    expect(h.metrics.get('alert.webhook').dropped).toEqual({ quiet_hours: 1, not_announced: 1 });
  });

  it('rate limit per channel: beyond max per window messages are dropped; resolves of sent alerts still go', async () => {
    const hook = await receiver();
    const h = harness({ rules: [{ name: 'r', groupWindow: '5m' }], channels: { webhook: { url: hook.url, rateLimit: { max: 2, window: '1h' } }, stdout: { rateLimit: { max: 0 } } } });
    for (const s of ['a', 'b', 'c', 'd']) h.feed.emit(anomaly(1, { source: s }));
    h.clock.t += 5 * MIN;
    await settle(h);
    expect(bodies(hook).map((b) => `${b.event as string} ${(b.incident as { source: string }).source}`)).toEqual(['incident.open a', 'incident.open b', 'incident.resolve a', 'incident.resolve b']);
    expect(h.metrics.get('alert.webhook').dropped).toEqual({ rate_limited: 2, not_announced: 2 });
    expect(h.stdout).toHaveLength(8);
    // the window slides: an hour after the first two, alerts go again
    h.clock.t = T0 + 61 * MIN;
    h.feed.emit(anomaly(2, { source: 'e' }));
    await settle(h);
    expect(bodies(hook).at(-1)).toMatchObject({ event: 'incident.open', incident: { source: 'e' } });
  });
});

describe('config', () => {
  const load = (alerts: Record<string, unknown>) => () => loadConfig({ overrides: { alerts }, env: {} });
  it('bad alert config is a ConfigError naming the key', () => {
    expect(load({ rules: [{ name: 'r', channels: ['slack'] }], channels: { stdout: {} } })).toThrow(/alerts\.rules\.0\.channels: channel "slack" is not configured/);
    expect(load({ rules: [{ name: 'r' }] })).toThrow(/alerts\.channels: rule "r" has no channel/);
    expect(load({ rules: [{ name: 'r' }, { name: 'r' }], channels: { stdout: {} } })).toThrow(/alerts\.rules\.1\.name: duplicate rule name/);
    expect(load({ quietHours: { start: '22:00', end: '7:00' } })).toThrow(/alerts\.quietHours\.end: a time of day/);
    expect(load({ quietHours: { start: '22:00' } })).toThrow(/alerts\.quietHours\.end: quiet hours need both/);
    expect(load({ quietHours: { start: '22:00', end: '07:00', timezone: 'Mars/Olympus' } })).toThrow(/alerts\.quietHours\.timezone: not an IANA time zone/);
    expect(load({ channels: { slack: { url: 'ftp://x' } } })).toThrow(/alerts\.channels\.slack\.url: an http/);
    expect(load({ rules: [{ name: 'r', groupWindow: 'soon' }], channels: { stdout: {} } })).toThrow(ConfigError);
  });
  it('examples/alerts.yaml is a valid config with every channel', () => {
    const c = loadConfig({ file: fileURLToPath(new URL('../../examples/alerts.yaml', import.meta.url)), env: {} });
    expect(c.alerts.rules.map((r) => r.name)).toEqual(['critical', 'waf-countries', 'mail-auth']);
    expect(Object.keys(c.alerts.channels).sort()).toEqual(['email', 'slack', 'stdout', 'webhook']);
    expect(c.alerts.quietHours).toMatchObject({ start: '22:00', end: '07:00', timezone: 'Europe/Paris', action: 'hold' });
  });
  it('no rules: alerting is off', () => {
    const config = loadConfig({ env: {} });
    expect(startAlerts(config, new Feed(), new MetricsRegistry(), pino({ level: 'silent' }))).toBeUndefined();
  });
});
