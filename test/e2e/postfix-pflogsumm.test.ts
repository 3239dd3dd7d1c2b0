/**
 * Parity with Debian's pflogsumm: a generated week of Postfix logs (fixed seed, one incident of each
 * type) is summarised by `pflogsumm` and by src/report/postfix-totals.ts; the grand totals, the per-day
 * table, the full sender and recipient lists and the SASL failures must agree. Skipped (with a message)
 * when pflogsumm is not installed (`apt-get install pflogsumm`).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daySpan, planIncidents } from '../../src/generators/postfix.js';
import { runPostfix } from '../../src/generators/postfix-run.js';
import { postfixTotalsOfLines, type PostfixTotals } from '../../src/report/postfix-totals.js';

const PFLOGSUMM = ['/usr/sbin/pflogsumm', '/usr/bin/pflogsumm'].find((p) => fs.existsSync(p));
if (!PFLOGSUMM) console.warn('postfix-pflogsumm: SKIPPED — pflogsumm is not installed (apt-get install -y pflogsumm)');

const END = Date.parse('2026-11-21T18:00:00Z');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** pflogsumm's adj_int_units: above 512k a count is shown in k (truncated), above 512m in m. */
function units(n: number): string {
  if (n > 536_870_912) return `${Math.trunc(n / 1_048_576)}m`;
  if (n > 524_288) return `${Math.trunc(n / 1024)}k`;
  return String(n);
}

/** The `count  label` rows of a pflogsumm section, up to the next blank line. */
function section(out: string, title: string): Map<string, string> {
  const lines = out.split('\n');
  const at = lines.findIndex((l) => l === title);
  expect(at, `pflogsumm section "${title}"`).toBeGreaterThanOrEqual(0);
  const rows = new Map<string, string>();
  for (let i = at + 2; i < lines.length && lines[i].trim() !== ''; i++) {
    const m = /^\s*(\d+)([km ])\s+(.*)$/.exec(lines[i]);
    if (m) rows.set(m[3], m[1] + m[2].trim());
  }
  return rows;
}

describe.skipIf(!PFLOGSUMM)('pflogsumm parity on a generated week', () => {
  let dir: string;
  let files: string[];
  let lines: string[];
  let ours: PostfixTotals;
  let theirs: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logradar-pflogsumm-'));
    const span = daySpan(END, 7);
    const incidents = planIncidents(
      [
        { type: 'delivery-failures', day: 4 },
        { type: 'sasl-bruteforce', day: 5 },
        { type: 'spam-relay', day: 6 },
        { type: 'queue-backlog', day: 7 },
      ],
      span,
      11,
    );
    const run = await runPostfix({ outDir: dir, seed: 11, start: span.start, end: span.end, incidents });
    files = run.files;
    lines = files.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean));
    ours = postfixTotalsOfLines(lines, END, 1_000_000);
    const r = spawnSync(PFLOGSUMM!, files, { encoding: 'utf8', maxBuffer: 256 << 20 });
    expect(r.status, r.stderr).toBe(0);
    theirs = r.stdout;
  }, 120_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('grand totals are equal', () => {
    const g = theirs.slice(theirs.indexOf('Grand Totals'), theirs.indexOf('Per-Day Traffic Summary'));
    const row = (label: string) => new RegExp(`^\\s*(\\d+[km]?)\\s+${label}\\b`, 'm').exec(g)?.[1];
    const table = {
      received: ours.received,
      delivered: ours.delivered,
      forwarded: ours.forwarded,
      deferred: ours.deferred,
      bounced: ours.bounced,
      rejected: ours.rejected,
      'bytes received': ours.bytesReceived,
      'bytes delivered': ours.bytesDelivered,
      senders: ours.senders,
      'sending hosts/domains': ours.sendingDomains,
      recipients: ours.recipients,
      'recipient hosts/domains': ours.recipientDomains,
    };
    for (const [label, n] of Object.entries(table)) expect(row(label.replace('/', '\\/')), label).toBe(units(n));
    expect(/\((\d+[km]?)\s+deferrals\)/.exec(g)?.[1]).toBe(units(ours.deferrals));
    // a week with incidents: every total is exercised
    for (const k of ['received', 'delivered', 'forwarded', 'deferred', 'bounced', 'rejected'] as const) expect(ours[k], k).toBeGreaterThan(0);
    console.log(`postfix-pflogsumm: ${lines.length} lines; ${Object.entries(table).map(([k, v]) => `${k} ${v}`).join(', ')}, deferrals ${ours.deferrals}, SASL failures ${ours.saslFailures}`);
  });

  it('the per-day table is equal (its deferred column counts deferral lines)', () => {
    const rows = theirs.split('\n').filter((l) => /^\s+[A-Z][a-z]{2}\s+\d+ \d{4}(\s+\d+[km]?){5}\s*$/.test(l));
    expect(rows).toHaveLength(Object.keys(ours.perDay).length);
    for (const [day, t] of Object.entries(ours.perDay)) {
      const [, mo, d] = day.split('-').map(Number);
      const row = rows.find((l) => new RegExp(`^\\s+${MONTHS[mo - 1]}\\s+${d} \\d{4}\\s`).test(l));
      expect(row, day).toBeDefined();
      expect(row!.trim().split(/\s+/).slice(3), day).toEqual([t.received, t.delivered, t.deferred, t.bounced, t.rejected].map(units));
    }
  });

  it('senders and recipients by message count are equal, every one of them', () => {
    const senders = section(theirs, 'Senders by message count');
    const recipients = section(theirs, 'Recipients by message count');
    expect(new Map(ours.topSenders.map((r) => [r.key, units(r.count)]))).toEqual(senders);
    expect(new Map(ours.topRecipients.map((r) => [r.key, units(r.count)]))).toEqual(recipients);
  });

  it('SASL failures equal the SASL lines among pflogsumm\'s smtpd warnings', () => {
    const lines = theirs.split('\n');
    const at = lines.findIndex((l) => /^\s+smtpd \(total: \d+\)$/.test(l));
    expect(at).toBeGreaterThan(0);
    let sasl = 0;
    let other = 0;
    for (let i = at + 1; i < lines.length && /^\s{4,}\d/.test(lines[i]); i++) {
      const m = /^\s+(\d+)\s+(.*)$/.exec(lines[i])!;
      if (/SASL \w+ authentication failed/.test(m[2])) sasl += Number(m[1]);
      else other += Number(m[1]);
    }
    expect(sasl).toBe(ours.saslFailures);
    // pflogsumm's smtpd warnings also hold other warnings (unresolvable client names): not SASL failures
    expect(other).toBeGreaterThan(0);
    expect(ours.saslFailures).toBeGreaterThan(500);
  });

  it('definitions, as pflogsumm has them: received ≠ cleanup lines, deferred counts messages, delivered counts recipients', () => {
    const cleanup = lines.filter((l) => / postfix\/cleanup\[\d+\]: [0-9A-F]+: message-id=/.test(l)).length;
    const notices = lines.filter((l) => / sender non-delivery notification: /.test(l)).length;
    // every message passes cleanup, also a forwarded copy and a bounce notice, which pflogsumm does not count as received
    expect(cleanup).toBe(ours.received + ours.forwarded + notices);
    expect(ours.deferred).toBeLessThan(ours.deferrals);
    const deliveredIds = new Set(lines.filter((l) => / status=sent \((?!forwarded as)/.test(l)).map((l) => /: ([0-9A-F]{10}): to=/.exec(l)![1]));
    expect(ours.delivered).toBeGreaterThan(deliveredIds.size);
  });
});
