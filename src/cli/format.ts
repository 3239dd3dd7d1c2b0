/** How anomalies and events look on a terminal and as NDJSON. Log text is never passed through raw. */
import pc from 'picocolors';
import type { Anomaly } from '../model/record.js';
import type { StoredEvent } from '../model/store.js';
import type { Incident } from '../model/incident.js';
import { isoTime } from '../util/units.js';

/** Control characters (ANSI escapes, CR, bidi overrides) would act on the terminal: show them escaped. */
export function safeText(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\n/g, '\\n');
}

export function anomalyJson(a: Anomaly & { id?: number; file?: string }): Record<string, unknown> {
  const file = a.file ?? (a.explain?.file as string | undefined);
  return {
    ...(a.id !== undefined ? { id: a.id } : {}),
    ts: isoTime(a.ts),
    kind: a.kind,
    source: a.source,
    ...(file ? { file } : {}),
    ...(a.line !== undefined ? { line: a.line, offset: a.offset } : {}),
    ...(a.window ? { window: { start: isoTime(a.window.start), end: isoTime(a.window.end) } } : {}),
    ...(a.session !== undefined ? { session: a.session } : {}),
    grade: round(a.grade),
    detector: a.detector,
    detectors: a.detectors.map((d) => ({ detector: d.detector, grade: round(d.grade) })),
    reason: a.reason,
    ...(a.templateId !== undefined ? { templateId: a.templateId } : {}),
    ...(a.incident !== undefined ? { incident: a.incident } : {}),
    ...(a.status !== undefined ? { status: a.status } : {}),
    ...(a.raw !== undefined ? { raw: a.raw } : {}),
    ...(a.explain ? { explain: a.explain } : {}),
  };
}

export function anomalyLine(a: Anomaly & { file?: string }, color: boolean): string {
  const c = color ? pc : pc.createColors(false);
  const file = a.file ?? (a.explain?.file as string | undefined);
  const where = file ? `${file}${a.line !== undefined ? ':' + a.line : ''}` : a.source;
  const g = a.grade.toFixed(2);
  const grade = a.grade >= 0.9 ? c.red(g) : a.grade >= 0.8 ? c.yellow(g) : g;
  const id = a.id !== undefined ? `#${a.id} ` : '';
  const status = a.status && a.status !== 'new' ? ` [${a.status.replace('_', ' ')}]` : '';
  return `${id}${c.dim(isoTime(a.ts))} ${grade} ${c.cyan(a.kind)} ${where} ${safeText(a.reason)}${status}`;
}

/** An incident as NDJSON (§6): times as ISO 8601, grades rounded. */
export function incidentJson(i: Incident): Record<string, unknown> {
  return {
    id: i.id,
    start: isoTime(i.start),
    end: isoTime(i.end),
    sources: i.sources,
    grade: round(i.grade),
    anomalies: i.anomalies,
    summary: i.summary,
    status: i.status,
    kinds: i.kinds,
    detectors: i.detectors.map((d) => ({ detector: d.detector, grade: round(d.grade) })),
  };
}

export function incidentLine(i: Incident, color: boolean): string {
  const c = color ? pc : pc.createColors(false);
  const g = i.grade.toFixed(2);
  const grade = i.grade >= 0.9 ? c.red(g) : i.grade >= 0.8 ? c.yellow(g) : g;
  return `#${i.id} ${c.dim(isoTime(i.start))} → ${c.dim(isoTime(i.end))} ${grade} ${String(i.anomalies).padStart(5)} ${c.cyan(i.status.padEnd(6))} ${safeText(i.sources.join(','))} ${safeText(i.summary)}`;
}

export function eventJson(e: StoredEvent): Record<string, unknown> {
  return { id: e.id, ts: isoTime(e.ts), source: e.source, file: e.file, line: e.line, offset: e.offset, templateId: e.templateId, raw: e.raw };
}

export function eventLine(e: StoredEvent, color: boolean): string {
  const c = color ? pc : pc.createColors(false);
  return `${c.dim(isoTime(e.ts))} ${e.file ?? e.source}:${e.line} ${c.dim('#' + (e.templateId ?? '-'))} ${safeText(e.raw)}`;
}

/** Grades and scores in output: three decimals. */
export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
