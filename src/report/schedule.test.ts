/** The scheduled report on a fake clock: due times (cron, time zone), the file, the mail, failures counted. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpReceiver, type SmtpReceiver } from '../../test/helpers/receivers.js';
import { configSchema, type Config, type ConfigInput } from '../config/schema.js';
import { ComponentMetrics } from '../model/metrics.js';
import { SqliteStore } from '../store/sqlite/store.js';
import { reportFileName, ReportSchedule } from './schedule.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
let smtp: SmtpReceiver | undefined;
afterEach(async () => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  await smtp?.close();
  smtp = undefined;
});

const log = pino({ level: 'silent' });
const at = (iso: string) => Date.parse(iso);

function setup(report: ConfigInput['report'], email?: { port: number }): { config: Config; store: SqliteStore; metrics: ComponentMetrics } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'logradar-schedule-'));
  dirs.push(dataDir);
  const parsed = configSchema.parse({ dataDir, report });
  // the e-mail channel's settings, as the alerts config section holds them
  const config = (email ? { ...parsed, alerts: { channels: { email: { host: '127.0.0.1', port: email.port, secure: false, from: 'logradar@example.org', to: ['ops@example.org'], timeout: 3000 } } } } : parsed) as Config;
  const store = SqliteStore.open(dataDir);
  stores.push(store);
  store.commit({
    events: [
      { ts: at('2026-11-20T12:00:00Z'), source: 'app', fileId: null, line: 1, offset: 0, templateId: 1, raw: '2026-11-20T12:00:00Z ERROR disk <full> on /var' },
      { ts: at('2026-11-21T06:30:00Z'), source: 'app', fileId: null, line: 2, offset: 0, templateId: 2, raw: 'in the period' },
      { ts: at('2026-11-19T06:30:00Z'), source: 'app', fileId: null, line: 3, offset: 0, templateId: 2, raw: 'before the period' },
    ],
  });
  return { config, store, metrics: new ComponentMetrics('report') };
}

describe('ReportSchedule', () => {
  it('makes the report when it comes due, once, for the period before its due time', async () => {
    const { config, store, metrics } = setup({ schedule: '0 7 * * *', timezone: 'UTC', format: 'markdown' });
    const s = new ReportSchedule(config, store, log, metrics, at('2026-11-21T06:00:00Z'));
    expect(s.next).toBe(at('2026-11-21T07:00:00Z'));
    expect(await s.tick(at('2026-11-21T06:59:59Z'))).toBeUndefined();
    const file = await s.tick(at('2026-11-21T07:00:04Z'));
    expect(file).toBe(path.join(config.dataDir, 'reports', 'report-20261121-0700.md'));
    const md = fs.readFileSync(file!, 'utf8');
    expect(md).toContain('# logradar report 2026-11-20 07:00 – 2026-11-21 07:00 UTC');
    expect(md).toMatch(/^2 lines from 1 sources/m);
    expect(md).toContain('disk \\<full\\> on /var');
    expect(await s.tick(at('2026-11-21T07:00:20Z'))).toBeUndefined();
    expect(s.next).toBe(at('2026-11-22T07:00:00Z'));
    // a process that slept through due times makes one report, for the time that came due
    expect(await s.tick(at('2026-11-24T09:00:00Z'))).toBe(path.join(config.dataDir, 'reports', 'report-20261122-0700.md'));
    expect(s.next).toBe(at('2026-11-25T07:00:00Z'));
    expect([metrics.received, metrics.emitted]).toEqual([2, 2]);
    s.stop();
  });

  it('follows report.timezone', () => {
    const { config, store, metrics } = setup({ schedule: '0 7 * * 1', timezone: 'America/New_York' });
    const s = new ReportSchedule(config, store, log, metrics, at('2026-11-21T06:00:00Z'));
    // Monday 2026-11-23, 07:00 EST = 12:00 UTC
    expect(s.next).toBe(at('2026-11-23T12:00:00Z'));
    s.stop();
  });

  it('mails the report (HTML and text parts) to report.to through the e-mail channel', async () => {
    smtp = await startSmtpReceiver();
    const { config, store, metrics } = setup({ schedule: '30 6 * * *', timezone: 'UTC', mail: true, to: ['boss@example.org'], outDir: path.join(os.tmpdir(), `logradar-reports-${process.pid}`) }, { port: smtp.port });
    dirs.push(config.report.outDir!);
    const s = new ReportSchedule(config, store, log, metrics, at('2026-11-21T06:00:00Z'));
    const file = await s.tick(at('2026-11-21T06:30:00Z'));
    expect(file).toBe(path.join(config.report.outDir!, 'report-20261121-0630.html'));
    expect(fs.readFileSync(file!, 'utf8')).toContain('disk &lt;full&gt; on /var');
    expect(smtp.mails).toHaveLength(1);
    const m = smtp.mails[0];
    expect(m.from).toBe('logradar@example.org');
    expect(m.to).toEqual(['boss@example.org']);
    // headers unfolded, quoted-printable bodies decoded
    const data = m.data.replace(/\r\n[ \t]+/g, ' ').replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    expect(data).toMatch(/^Subject: logradar report 2026-11-21 06:30 UTC: 0 incidents, 1 error lines, 2 lines\r?$/m);
    expect(data).toMatch(/^Content-Type: text\/plain/m);
    expect(data).toMatch(/^Content-Type: text\/html/m);
    expect(data).toContain('<td>2026-11-20T12:00:00Z ERROR disk &lt;full&gt; on /var</td>');
    expect(data).toContain('2026-11-20T12:00:00Z ERROR disk <full> on /var\r\n');
    expect(metrics.errors).toEqual({});
    s.stop();
  });

  it('a mail that cannot be sent is counted; the file is written and the schedule goes on', async () => {
    smtp = await startSmtpReceiver();
    const port = smtp.port;
    await smtp.close();
    smtp = undefined;
    const { config, store, metrics } = setup({ schedule: '0 7 * * *', timezone: 'UTC', mail: true }, { port });
    const s = new ReportSchedule(config, store, log, metrics, at('2026-11-21T06:00:00Z'));
    const file = await s.tick(at('2026-11-21T07:00:00Z'));
    expect(fs.existsSync(file!)).toBe(true);
    expect(metrics.errors).toEqual({ mail: 1 });
    expect(s.next).toBe(at('2026-11-22T07:00:00Z'));
    s.stop();
  });

  it('names files by the UTC time the report ends at', () => {
    expect(reportFileName(at('2026-01-02T03:04:59Z'), 'text')).toBe('report-20260102-0304.txt');
  });
});
