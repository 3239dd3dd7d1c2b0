/**
 * The one grouping of anomalies into incidents (issue 12), used by the pipeline as anomalies are found;
 * the store keeps its result, and the report, the API, the dashboard and the CLI read that.
 *
 * An anomaly joins the open incident of its source when it starts within `gap(source)` of that
 * incident's end (consecutive anomalous windows, records or sessions are one incident); otherwise it
 * opens a new one. A finding judged over a longer span (a larger window scale, a session) can arrive after
 * the incident its span overlaps was closed: it is counted in that incident, which stays closed and keeps
 * its span (a long span would otherwise chain the next period into it), instead of starting a second one.
 * A cross-source anomaly (the master's, source `*`) joins the incidents of the sources
 * it names, merging them into the oldest when there are several.
 */
import type { Incident } from '../model/incident.js';
import type { Anomaly } from '../model/record.js';

/** The event-time span of an anomaly: a window's or session's start to its end, a record's instant. */
export function anomalySpan(a: Anomaly): { start: number; end: number } {
  const session = a.explain?.session as { start?: number } | undefined;
  const start = a.window?.start ?? (typeof session?.start === 'number' ? session.start : a.ts);
  return { start: Math.min(start, a.ts), end: Math.max(a.window?.end ?? a.ts, a.ts) };
}

/** The sources an anomaly is about: its own, or those a cross-source alarm names. */
export function anomalySources(a: Anomaly): string[] {
  if (a.source !== '*') return [a.source];
  const parts = a.explain?.sources;
  const names = Array.isArray(parts) ? parts.map((p) => (p as { source?: unknown }).source).filter((s): s is string => typeof s === 'string') : [];
  return [...new Set(names)];
}

export class IncidentGrouper {
  /** source → its open incident (an incident merged across sources is listed under each). */
  private readonly bySource = new Map<string, Incident>();
  /** source → its most recently closed incidents (newest last), in which a late, longer-span finding is counted. */
  private readonly closedBySource = new Map<string, Incident[]>();
  private readonly changed = new Map<number, Incident>();
  private merged: Array<{ from: number; into: number }> = [];

  /** `open`: the incidents still open when the store was last written; `lastId`: the highest id given so far. */
  constructor(
    open: Incident[],
    private lastId: number,
    private readonly gap: (source: string) => number,
  ) {
    for (const inc of open) for (const s of inc.sources) this.bySource.set(s, inc);
  }

  /** Places an anomaly in an incident (sets `a.incident`) and returns that incident. */
  add(a: Anomaly): Incident {
    const span = anomalySpan(a);
    const sources = anomalySources(a);
    const joined: Incident[] = [];
    for (const s of sources) {
      const inc = this.bySource.get(s);
      if (!inc || joined.includes(inc)) continue;
      if (span.start <= inc.end + this.gapOf(inc)) joined.push(inc);
      else this.close(inc);
    }
    if (!joined.length) {
      const late = sources.map((s) => this.overlappingClosed(s, span)).find((inc) => inc !== undefined);
      if (late) {
        this.count(late, a);
        this.changed.set(late.id, late);
        a.incident = late.id;
        return late;
      }
    }
    joined.sort((x, y) => x.id - y.id);
    let target = joined[0];
    if (!target) {
      target = { id: ++this.lastId, start: span.start, end: span.end, sources: [], grade: 0, anomalies: 0, summary: '', status: 'open', kinds: [], detectors: [] };
    }
    for (const other of joined.slice(1)) this.absorb(target, other);
    target.start = Math.min(target.start, span.start);
    target.end = Math.max(target.end, span.end);
    for (const s of sources) if (!target.sources.includes(s)) target.sources.push(s);
    this.count(target, a);
    for (const s of target.sources) this.bySource.set(s, target);
    this.changed.set(target.id, target);
    a.incident = target.id;
    return target;
  }

  /** The source's event time reached `now`: its open incident closes once the gap since its end has passed. */
  advance(source: string, now: number): void {
    const inc = this.bySource.get(source);
    if (inc && now > inc.end + this.gapOf(inc)) this.close(inc);
  }

  /** Incidents changed since the last call, and merges, for the store's commit. */
  take(): { incidents: Incident[]; merged: Array<{ from: number; into: number }> } {
    const out = { incidents: [...this.changed.values()].map((i) => ({ ...i, sources: [...i.sources], kinds: [...i.kinds], detectors: i.detectors.map((d) => ({ ...d })) })), merged: this.merged };
    this.changed.clear();
    this.merged = [];
    return out;
  }

  /** Open incidents (tests, status). */
  open(): Incident[] {
    return [...new Set(this.bySource.values())];
  }

  private count(inc: Incident, a: Anomaly): void {
    inc.anomalies++;
    const kind = a.source === '*' ? 'cross-source' : a.kind;
    if (!inc.kinds.includes(kind)) inc.kinds.push(kind);
    mergeDetectors(inc, a.detectors.length ? a.detectors : [{ detector: a.detector, grade: a.grade }]);
    if (a.grade > inc.grade || !inc.summary) {
      inc.grade = Math.max(inc.grade, a.grade);
      inc.summary = a.source === '*' ? a.reason : `${a.source}: ${a.reason}`;
    }
  }

  private gapOf(inc: Incident): number {
    return Math.max(0, ...inc.sources.map((s) => this.gap(s)));
  }

  private close(inc: Incident): void {
    inc.status = 'closed';
    this.changed.set(inc.id, inc);
    for (const s of inc.sources) {
      if (this.bySource.get(s) === inc) this.bySource.delete(s);
      const list = this.closedBySource.get(s) ?? [];
      if (!list.includes(inc)) list.push(inc);
      if (list.length > RECENTLY_CLOSED) list.shift();
      this.closedBySource.set(s, list);
    }
  }

  /** The newest recently closed incident of the source whose span (widened by its gap) overlaps `span`. */
  private overlappingClosed(source: string, span: { start: number; end: number }): Incident | undefined {
    const list = this.closedBySource.get(source) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const inc = list[i]!;
      const gap = this.gapOf(inc);
      if (span.start <= inc.end + gap && span.end >= inc.start - gap) return inc;
    }
    return undefined;
  }

  private absorb(into: Incident, from: Incident): void {
    into.start = Math.min(into.start, from.start);
    into.end = Math.max(into.end, from.end);
    for (const s of from.sources) if (!into.sources.includes(s)) into.sources.push(s);
    for (const k of from.kinds) if (!into.kinds.includes(k)) into.kinds.push(k);
    into.anomalies += from.anomalies;
    mergeDetectors(into, from.detectors);
    if (from.grade > into.grade) Object.assign(into, { grade: from.grade, summary: from.summary });
    for (const s of from.sources) {
      if (this.bySource.get(s) === from) this.bySource.delete(s);
      const closed = this.closedBySource.get(s);
      if (closed?.includes(from)) closed.splice(closed.indexOf(from), 1);
    }
    this.changed.delete(from.id);
    this.merged.push({ from: from.id, into: into.id });
  }
}

/** How many closed incidents per source stay reopenable: a late finding overlaps one of the last few. */
const RECENTLY_CLOSED = 4;

function mergeDetectors(inc: Incident, ds: Array<{ detector: string; grade: number }>): void {
  for (const d of ds) {
    const have = inc.detectors.find((x) => x.detector === d.detector);
    if (have) have.grade = Math.max(have.grade, d.grade);
    else inc.detectors.push({ detector: d.detector, grade: d.grade });
  }
  inc.detectors.sort((x, y) => y.grade - x.grade || x.detector.localeCompare(y.detector));
}
