/**
 * Session signature rarity: a session is described by how many times each template occurs in it
 * (counts bucketed), plus a zero for every template that most sessions have (so a session that never
 * reached its usual end is visible). Each such (template, count) value has a share: the fraction of
 * learned sessions that had it. A session's score is its rarest value; below `maxShare` it is an anomaly.
 * Interleaving-proof (order is ignored; see the sequence model for order) and explainable: "template
 * #5 occurred 0 times; 98% of sessions have it 3 times".
 */
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import type { OpenSession } from '../features/sessions.js';
import { checkDetectorSnapshot, plainCopy, type Detector, type DetectorFactory, type DetectorSnapshot, type Finding, type SessionContext } from './contract.js';

export const sessionSignatureOptions = z.object({
  enabled: z.boolean(),
  /** A (template, count) value seen in fewer than this share of sessions is anomalous. */
  maxShare: z.number().min(0).max(1),
  /** A template in at least this share of sessions is expected: its absence is a value too. */
  commonShare: z.number().min(0).max(1),
  /** Sessions learned before grading. */
  warmup: z.number().int().min(0),
  /**
   * Which rare values alarm on their own: `any`; `templates` (a template rare or never seen, or a common
   * one missing; a rare count of a template that is not rare is graded just below the threshold, since
   * count mismatches are count-invariants' to judge); `unseen` (only a template never seen, or a common
   * one missing).
   */
  alarmOn: z.enum(['any', 'templates', 'unseen']).default('templates'),
  /** The detection threshold: findings far below it carry no reason text. */
  threshold: z.number().min(0).max(1),
});
export type SessionSignatureOptions = z.infer<typeof sessionSignatureOptions>;

const NAME = 'session-signature';
const VERSION = 1;

export interface SessionSignatureState {
  sessions: number;
  /** "templateId=bucket" → sessions having it (bucket ≥ 1; zeros are sessions − templates[id]). */
  values: Record<string, number>;
  /** templateId → sessions containing it. */
  templates: Record<string, number>;
}

export function newSessionSignatureState(): SessionSignatureState {
  return { sessions: 0, values: Object.create(null) as Record<string, number>, templates: Object.create(null) as Record<string, number> };
}

/** Exact counts up to 8, then powers of two: 9–15 → "≥8", 16–31 → "≥16"… */
export function countBucket(n: number): string {
  return n <= 8 ? String(n) : `≥${2 ** Math.floor(Math.log2(n))}`;
}

export function templateCounts(events: readonly number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const t of events) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

interface Value {
  template: number;
  count: string;
  share: number;
  /** `absent`: a common template missing; `template`: the template itself rare (or unseen); `count`: a rare count of a template that is not. */
  kind: 'absent' | 'template' | 'count';
  grade: number;
}

export class SessionSignatureDetector implements Detector<'session'> {
  readonly name = NAME;
  readonly scope = 'session';
  readonly learned = false;
  readonly state = 'small';
  private readonly threshold: number;
  private st = newSessionSignatureState();

  constructor(private readonly opts: SessionSignatureOptions) {
    this.threshold = opts.threshold;
  }

  ready(): boolean {
    return this.st.sessions >= this.opts.warmup;
  }

  score(s: OpenSession, ctx: SessionContext): Finding[] {
    const f = this.finding(s.events, this.st, (id) => ctx.describe(id));
    return f ? [f] : [];
  }

  learn(s: OpenSession): void {
    this.learnEvents(s.events, this.st);
  }

  snapshot(): DetectorSnapshot {
    return { kind: NAME, version: VERSION, state: plainCopy(this.st) };
  }

  restore(snap: DetectorSnapshot): void {
    checkDetectorSnapshot(snap, NAME, VERSION);
    const s = snap.state as Partial<SessionSignatureState> | undefined;
    const st = newSessionSignatureState();
    // prototype-free maps, as the detector keeps them (keys come from the logs)
    this.st = { sessions: s?.sessions ?? 0, values: Object.assign(st.values, s?.values), templates: Object.assign(st.templates, s?.templates) };
  }

  private values(counts: Map<number, number>, st: SessionSignatureState): Value[] {
    const n = Math.max(1, st.sessions);
    const out: Value[] = [];
    for (const [t, c] of counts) {
      const count = countBucket(c);
      const share = (st.values[`${t}=${count}`] ?? 0) / n;
      const templateShare = (st.templates[t] ?? 0) / n;
      const kind = templateShare < this.opts.maxShare ? 'template' : 'count';
      out.push({ template: t, count, share, kind, grade: this.capped(this.gradeOf(share, st.sessions), kind, templateShare) });
    }
    for (const [t, k] of Object.entries(st.templates)) {
      const id = Number(t);
      if (k / n >= this.opts.commonShare && !counts.has(id)) {
        const share = (n - k) / n;
        out.push({ template: id, count: '0', share, kind: 'absent', grade: this.gradeOf(share, st.sessions) });
      }
    }
    return out;
  }

  /** A value that may not alarm on its own (`alarmOn`) is graded just below the threshold at most. */
  private capped(grade: number, kind: Value['kind'], templateShare: number): number {
    const a = this.opts.alarmOn;
    const free = a === 'any' || kind === 'absent' || (kind === 'template' && (a === 'templates' || templateShare === 0));
    return free ? grade : Math.min(grade, this.threshold * 0.95);
  }

  /** Pure. Undefined during warm-up. A finding far below the threshold has no reason text or contributions. */
  private finding(events: readonly number[], st: SessionSignatureState, describe: (templateId: number) => string): Finding | undefined {
    if (st.sessions < this.opts.warmup) return undefined;
    const counts = templateCounts(events);
    const vals = this.values(counts, st);
    if (vals.length === 0) return undefined;
    // the value graded highest (the rarest unless its kind may not alarm on its own), then the rarest
    vals.sort((a, b) => b.grade - a.grade || a.share - b.share);
    const rarest = vals[0];
    const grade = rarest.grade;
    // most sessions are normal: their finding carries the grade only (no reason text, no template lookups)
    if (grade < this.threshold / 2) return { detector: this.name, grade, reason: '', explain: { sessions: st.sessions } };
    const usual = this.usualCount(rarest.template, st);
    const pct = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)}%`;
    return {
      detector: this.name,
      grade,
      reason:
        `template #${rarest.template} occurred ${rarest.count} times in this session (${pct(rarest.share)} of sessions)` +
        (usual ? `; usually ${usual.count} (${pct(usual.share)})` : '') +
        `: ${describe(rarest.template)}`,
      explain: {
        rarest: vals.slice(0, 3).map((v) => ({ templateId: v.template, template: describe(v.template), count: v.count, share: v.share })),
        usual,
        sessions: st.sessions,
        contributions: vals.slice(0, 3).map((v) => ({ feature: `template#${v.template} × ${v.count}`, template: describe(v.template), share: v.share, weight: 1 - v.share })),
      },
    };
  }

  private learnEvents(events: readonly number[], st: SessionSignatureState): void {
    const counts = templateCounts(events);
    st.sessions++;
    for (const [t, c] of counts) {
      const k = `${t}=${countBucket(c)}`;
      st.values[k] = (st.values[k] ?? 0) + 1;
      st.templates[t] = (st.templates[t] ?? 0) + 1;
    }
  }

  /**
   * Share → grade: the threshold at `maxShare`, 1 for a value never seen, log-linear in between;
   * below the threshold for commoner values (0 for a value every session has).
   */
  gradeOf(share: number, sessions: number): number {
    const t = this.threshold;
    const m = this.opts.maxShare;
    if (share <= 0) return 1;
    if (share >= m) return share >= 1 ? 0 : (t * Math.log(share)) / Math.log(m) * 0.999;
    const span = Math.log(m * sessions);
    return span > 0 ? t + (1 - t) * Math.min(1, Math.log(m / share) / span) : t;
  }

  private usualCount(template: number, st: SessionSignatureState): { count: string; share: number } | undefined {
    const n = Math.max(1, st.sessions);
    // sessions without the template are counted implicitly: sessions − sessions having it
    let best: { count: string; share: number } | undefined = { count: '0', share: (n - (st.templates[template] ?? 0)) / n };
    const prefix = `${template}=`;
    for (const [k, v] of Object.entries(st.values)) {
      if (!k.startsWith(prefix)) continue;
      const share = v / n;
      if (!best || share > best.share) best = { count: k.slice(prefix.length), share };
    }
    return best;
  }
}

export const sessionSignatureFactory: DetectorFactory<'session', SessionSignatureOptions> = {
  name: NAME,
  scope: 'session',
  schema: sessionSignatureOptions,
  options: (c: Config) => ({ ...c.detect.sessionSignature, threshold: c.detect.threshold }),
  enabled: (o) => o.enabled,
  create: (o) => new SessionSignatureDetector(o),
};
