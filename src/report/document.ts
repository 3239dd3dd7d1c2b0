/**
 * A report's figures laid out as titled sections of notes and tables, independent of the output
 * format; render.ts turns it into text, Markdown or HTML. Cells hold plain text (log text included,
 * untrusted): escaping is the renderers' job.
 */
import { anomalyLink, DAY, type ReportData, type VolumeBucket } from './collect.js';
import type { DayTotals, PostfixTotals, Ranked } from './postfix-totals.js';

export interface LinkCell {
  text: string;
  href: string;
}

export type Cell = string | number | LinkCell;

export interface Table {
  columns: string[];
  /** Right-aligned columns (numbers). */
  numeric?: boolean[];
  rows: Cell[][];
}

export interface Section {
  title: string;
  /** Level 2 sections group the level 3 ones after them (one per Postfix source). */
  level?: 2 | 3;
  notes?: string[];
  table?: Table;
}

export interface ReportDocument {
  title: string;
  notes: string[];
  sections: Section[];
}

/** `2026-11-21 07:00` (UTC; the report says so once). */
export function minuteTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

const BAR_WIDTH = 40;

function bar(n: number, max: number): string {
  return max > 0 ? '#'.repeat(Math.ceil((n / max) * BAR_WIDTH)) : '';
}

/** Sources shown as their own columns of the volume table; more would not fit a line. */
const MAX_SOURCE_COLUMNS = 4;

function volumeTable(volume: VolumeBucket[], sources: string[], bucketMs: number): Table {
  const cols = sources.length > 1 && sources.length <= MAX_SOURCE_COLUMNS ? sources : [];
  const max = Math.max(0, ...volume.map((b) => b.total));
  return {
    columns: [bucketMs >= DAY ? 'day' : 'hour', 'lines', ...cols, ''],
    numeric: [false, true, ...cols.map(() => true), false],
    rows: volume.map((b) => [bucketMs >= DAY ? minuteTime(b.start).slice(0, 10) : minuteTime(b.start), b.total, ...cols.map((s) => b.bySource[s] ?? 0), bar(b.total, max)]),
  };
}

function rankedTable(label: string, rows: Ranked[]): Table {
  return { columns: ['count', label], numeric: [true, false], rows: rows.map((r) => [r.count, r.key]) };
}

function postfixSections(source: string, t: PostfixTotals, bucketMs: number): Section[] {
  const totals: Array<[string, number | string]> = [
    ['received', t.received],
    ['delivered', t.delivered],
    ['forwarded', t.forwarded],
    ['deferred', `${t.deferred} (${t.deferrals} deferrals)`],
    ['bounced', t.bounced],
    ['rejected', t.rejected],
    ['bytes received', t.bytesReceived],
    ['bytes delivered', t.bytesDelivered],
    ['senders', t.senders],
    ['sending hosts/domains', t.sendingDomains],
    ['recipients', t.recipients],
    ['recipient hosts/domains', t.recipientDomains],
    ['SASL authentication failures', t.saslFailures],
  ];
  const daily = bucketMs >= DAY;
  const day = (v: DayTotals): Cell[] => [v.received, v.delivered, v.deferred, v.bounced, v.rejected];
  const rows: Cell[][] = daily
    ? Object.entries(t.perDay).map(([d, v]) => [d, ...day(v)])
    : Object.entries(t.perHour).map(([h, v]) => [`${h.replace('T', ' ')}:00`, ...day(v), v.saslFailures]);
  const cols = ['received', 'delivered', 'deferred', 'bounced', 'rejected', ...(daily ? [] : ['SASL failures'])];
  return [
    {
      title: `Postfix: ${source}`,
      level: 2,
      notes: ['Counted as Debian\'s pflogsumm counts: received = messages entering (smtpd client= and pickup lines), delivered = recipients sent to, deferred = messages deferred at least once, bounced = recipients bounced, rejected = smtpd reject lines.'],
      table: { columns: ['', 'total'], numeric: [false, true], rows: totals },
    },
    {
      title: daily ? 'Per-day traffic' : 'Per-hour traffic',
      notes: ['Hours with Postfix activity; the deferred column counts deferral lines, as pflogsumm\'s per-day table does.'],
      table: {
        columns: [daily ? 'day' : 'hour', ...cols],
        numeric: [false, ...cols.map(() => true)],
        rows,
      },
    },
    { title: 'Top senders', table: rankedTable('sender', t.topSenders) },
    { title: 'Top recipients', table: rankedTable('recipient', t.topRecipients) },
    { title: 'Top relays', notes: ['Delivered recipients by the relay they went to.'], table: rankedTable('relay', t.topRelays) },
    { title: 'SASL authentication failures by client', table: rankedTable('client address', t.topSaslClients) },
  ];
}

function counts(m: Record<string, number>): string {
  const e = Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return e.length ? e.map(([k, n]) => `${k} ${n}`).join(', ') : 'none';
}

export function reportDocument(d: ReportData): ReportDocument {
  const sourceNames = d.sources.map((s) => s.name);
  const grade = (g: number) => g.toFixed(2);
  const sections: Section[] = [
    {
      title: 'Sources',
      table: {
        columns: ['source', 'lines', 'first', 'last', 'templates', 'error lines', 'anomalies', 'incidents'],
        numeric: [false, true, false, false, true, true, true, true],
        rows: d.sources.map((s) => [s.name, s.lines, minuteTime(s.first), minuteTime(s.last), s.templates, s.errorLines, s.anomalies, s.incidents]),
      },
    },
    {
      title: 'Incidents',
      notes: [
        `${d.incidents.length} incidents, ${d.anomalies} anomalies in the period (an incident: anomalies of one source while they follow each other within a window length or so, merged across sources by a cross-source alarm; \`logradar incidents\` lists the same)${d.dismissed ? `; ${d.dismissed} more suppressed, muted or marked false positive are not counted` : ''}.`,
      ],
      table: {
        columns: ['first', 'last', 'source', 'kind', 'detectors', 'max grade', 'anomalies', 'reason', 'link'],
        numeric: [false, false, false, false, false, true, true, false, false],
        rows: d.incidents.map((i) => [minuteTime(i.first), minuteTime(i.last), i.source, i.kind, i.detectors.join(', '), grade(i.maxGrade), i.count, i.reason, { text: `#${i.anomalyId}`, href: anomalyLink(d.dashboardUrl, i.anomalyId) }]),
      },
    },
    { title: d.bucketMs >= DAY ? 'Lines per day' : 'Lines per hour', table: volumeTable(d.volume, sourceNames, d.bucketMs) },
    {
      title: 'Top templates',
      table: { columns: ['lines', 'source', 'template'], numeric: [true, false, false], rows: d.topTemplates.map((t) => [t.count, t.source, t.template]) },
    },
    {
      title: 'New templates',
      notes: [`${d.newTemplateCount} templates first seen in the period${d.newTemplateCount > d.newTemplates.length ? `; the first ${d.newTemplates.length} are listed` : ''}.`],
      table: { columns: ['first seen', 'lines', 'source', 'template'], numeric: [false, true, false, false], rows: d.newTemplates.map((t) => [minuteTime(t.firstSeen), t.count, t.source, t.template]) },
    },
    {
      title: 'Errors',
      notes: [`Lines by level: ${counts(d.errorLevels)}.`, `Lines not readable as their format (kept as text): ${counts(d.parseErrors)}.`, `Errors and drops of the last watch/serve run: ${counts(d.runErrors)}.`],
      table: {
        columns: ['lines', 'level', 'last', 'source', 'template', 'last line'],
        numeric: [true, false, false, false, false, false],
        rows: d.errors.map((e) => [e.count, e.level, minuteTime(e.last), e.source, e.template, e.sample]),
      },
    },
  ];
  for (const p of d.postfix) sections.push(...postfixSections(p.source, p.totals, d.bucketMs));
  return {
    title: `logradar report ${minuteTime(d.since)} – ${minuteTime(d.until)} UTC`,
    notes: [
      `${d.lines} lines from ${d.sources.length} sources, ${d.incidents.length} incidents, ${Object.values(d.errorLevels).reduce((a, b) => a + b, 0)} error lines, ${d.newTemplateCount} new templates.`,
      `Made ${minuteTime(d.generated)} UTC; times are UTC. Dashboard: ${d.dashboardUrl}/`,
    ],
    sections,
  };
}
