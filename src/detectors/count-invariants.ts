/**
 * Count invariants (Invariants Mining, Lou et al., USENIX ATC 2010): in a healthy system the numbers of
 * some messages in a session are tied by small integer relations — as many "PacketResponder … terminating"
 * as "Receiving block …", three "Receiving block" per "allocateBlock", "Receiving" = "Received" +
 * "Received … src". A session that breaks one is anomalous, and the broken relation is the explanation.
 *
 * Learning: the count vector of every learned session goes into a bounded buffer (distinct vectors with
 * weights; past `maxSessions` every weight is halved, so old sessions fade deterministically). `fit()`
 * mines relations of one or two templates against one, a·c(A) = b·c(B) [+ c·c(C)] with coefficients up to
 * `maxCoefficient`, by exhaustive search over the `maxTemplates` commonest templates (what the null space
 * of the count matrix gives at this size, found exactly and without floating point; triples are pruned
 * when a template of the right side occurs without the left one too often). A relation is kept when it
 * holds in at least `support` of the training sessions where one of its templates occurs, measured with
 * Laplace smoothing ((broken + 1) / (sessions + 2)), so a relation seen in few sessions is never kept on
 * thin evidence and anomalous sessions in the training data (a few percent) do not prevent it. A triple
 * is mined only among templates with no kept pair between them (otherwise it restates the pairs).
 * Relations of one template, c(X) = 0, are measured over all training sessions (a template almost no
 * session has, as a zero column of the count matrix gives in Invariants Mining); a template no training
 * session had breaks c(X) = 0 in all of them.
 *
 * Scoring: a session is judged on the relations whose templates it has; each broken one is graded by
 * its smoothed break rate r in training: the threshold at r = 1 − support (the weakest relation kept), 1
 * at a hundredth of that, log-linear between (a relation that held in 5,000 of 5,000 sessions weighs more
 * than one that held in 50 of 50); each further broken relation takes a quarter of the rest to 1.
 * Grades come from the support directly, with no calibrator: every kept relation is by construction one
 * that at most 1 − support of training sessions break, the same tail `session-signature` alarms at.
 * Learned (batch-fitted by `fit()` at the end of `train`, and refitted every `refitEvery` sessions learned
 * while watching), so it is kept in model versions.
 */
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import type { OpenSession } from '../features/sessions.js';
import { checkDetectorSnapshot, plainCopy, type Detector, type DetectorFactory, type DetectorSnapshot, type Finding, type SessionContext } from './contract.js';
import { templateCounts } from './session-signature.js';

export const countInvariantsOptions = z.object({
  enabled: z.boolean(),
  /** A relation is kept when it holds in at least this share of the sessions having one of its templates. */
  support: z.number().min(0.5).max(0.9999),
  /** Templates in a relation: 2 (pairs) or 3 (pairs and triples). */
  maxRelationSize: z.number().int().min(2).max(3),
  /** Largest integer coefficient of a relation. */
  maxCoefficient: z.number().int().min(1).max(6),
  /** Relations are mined among this many of the commonest templates. */
  maxTemplates: z.number().int().min(2).max(200),
  /** Relations kept (the strongest). */
  maxInvariants: z.number().int().min(1),
  /** Sessions learned before relations are mined and the detector reports. */
  warmup: z.number().int().min(0),
  /** While learning online: mine again after this many learned sessions. */
  refitEvery: z.number().int().min(1),
  /** Training sessions kept (in weight): beyond it every weight is halved. */
  maxSessions: z.number().int().min(10),
  /** The detection threshold. */
  threshold: z.number().min(0).max(1),
});
export type CountInvariantsOptions = z.infer<typeof countInvariantsOptions>;

const NAME = 'count-invariants';
const VERSION = 1;

/** k·c(template) */
export type Term = [template: number, k: number];

export interface Invariant {
  /** k·c(A) = Σ rhs */
  lhs: Term;
  rhs: Term[];
  /** Training sessions (weight) having one of its templates, and those among them that broke it. */
  sessions: number;
  broken: number;
}

export interface CountInvariantsState {
  /** Sessions learned. */
  sessions: number;
  /** Sessions learned since the last fit. */
  sinceFit: number;
  /** Count vector ("t:c,t:c", templates ascending) → weight. */
  buffer: Record<string, number>;
  weight: number;
  invariants: Invariant[];
  /** Templates of the training sessions at the last fit: any other breaks c(X) = 0 in all of them. */
  seen: number[];
  /** Training sessions (weight) at the last fit. */
  fittedOn: number;
  fitted: boolean;
}

export function newCountInvariantsState(): CountInvariantsState {
  return { sessions: 0, sinceFit: 0, buffer: Object.create(null) as Record<string, number>, weight: 0, invariants: [], seen: [], fittedOn: 0, fitted: false };
}

export function vectorKey(counts: Map<number, number>): string {
  return [...counts]
    .sort((a, b) => a[0] - b[0])
    .map(([t, c]) => `${t}:${c}`)
    .join(',');
}

function parseKey(key: string): Map<number, number> {
  const m = new Map<number, number>();
  if (key === '') return m;
  for (const part of key.split(',')) {
    const i = part.lastIndexOf(':');
    m.set(Number(part.slice(0, i)), Number(part.slice(i + 1)));
  }
  return m;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The smoothed share of sessions that broke a relation. */
export const breakRate = (inv: Pick<Invariant, 'sessions' | 'broken'>): number => (inv.broken + 1) / (inv.sessions + 2);

interface Vec {
  c: Map<number, number>;
  w: number;
}

const at = (v: Vec, t: number): number => v.c.get(t) ?? 0;

/** Mines the relations of a weighted set of count vectors (pure, deterministic). */
export function mineInvariants(vectors: Vec[], o: Pick<CountInvariantsOptions, 'support' | 'maxRelationSize' | 'maxCoefficient' | 'maxTemplates' | 'maxInvariants'>): Invariant[] {
  const maxRate = 1 - o.support;
  const freq = new Map<number, number>();
  for (const v of vectors) for (const t of v.c.keys()) freq.set(t, (freq.get(t) ?? 0) + v.w);
  // a relation needs (0 + 1) / (n + 2) ≤ 1 − support: templates in fewer sessions cannot be in one
  const minSessions = 1 / maxRate - 2;
  const templates = [...freq]
    .filter(([, n]) => n >= minSessions)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, o.maxTemplates)
    .map(([t]) => t);
  const keep = (inv: Invariant) => breakRate(inv) <= maxRate;
  const out: Invariant[] = [];
  const paired = new Set<string>();
  const pairKey = (a: number, b: number) => (a < b ? `${a},${b}` : `${b},${a}`);

  // pairs: the commonest reduced ratio c(A) : c(B) over the sessions having either
  for (let i = 0; i < templates.length; i++)
    for (let j = i + 1; j < templates.length; j++) {
      const [a, b] = [templates[i], templates[j]];
      let sessions = 0;
      const ratios = new Map<string, number>();
      for (const v of vectors) {
        const ca = at(v, a);
        const cb = at(v, b);
        if (ca === 0 && cb === 0) continue;
        sessions += v.w;
        if (ca === 0 || cb === 0) continue;
        const g = gcd(ca, cb);
        const r = `${ca / g}:${cb / g}`;
        ratios.set(r, (ratios.get(r) ?? 0) + v.w);
      }
      let best: [string, number] | undefined;
      for (const e of ratios) if (!best || e[1] > best[1] || (e[1] === best[1] && e[0] < best[0])) best = e;
      if (!best) continue;
      const [p, q] = best[0].split(':').map(Number);
      if (p > o.maxCoefficient || q > o.maxCoefficient) continue;
      // c(A)/c(B) = p/q  ⇔  q·c(A) = p·c(B)
      const inv: Invariant = { lhs: [a, q], rhs: [[b, p]], sessions, broken: sessions - best[1] };
      if (keep(inv)) {
        out.push(inv);
        paired.add(pairKey(a, b));
      }
    }

  if (o.maxRelationSize >= 3) {
    // weight of sessions having B but not A, for pruning
    const without = new Map<string, number>();
    for (const v of vectors)
      for (const b of v.c.keys()) for (const a of templates) if (!v.c.has(a)) without.set(`${b}-${a}`, (without.get(`${b}-${a}`) ?? 0) + v.w);
    const wo = (b: number, a: number) => without.get(`${b}-${a}`) ?? 0;
    const K = o.maxCoefficient;
    for (const a of templates)
      for (let j = 0; j < templates.length; j++)
        for (let k = j + 1; k < templates.length; k++) {
          const [b, c] = [templates[j], templates[k]];
          if (b === a || c === a || paired.has(pairKey(a, b)) || paired.has(pairKey(a, c)) || paired.has(pairKey(b, c))) continue;
          // every session with B or C but no A breaks k·c(A) = …: bound the break rate from below
          const lower = (Math.max(wo(b, a), wo(c, a)) + 1) / ((freq.get(a) ?? 0) + wo(b, a) + wo(c, a) + 2);
          if (lower > maxRate) continue;
          const dom: Vec[] = [];
          let sessions = 0;
          for (const v of vectors)
            if (v.c.has(a) || v.c.has(b) || v.c.has(c)) {
              dom.push(v);
              sessions += v.w;
            }
          const allowed = maxRate * (sessions + 2) - 1;
          let found: Invariant | undefined;
          for (let ka = 1; ka <= K && !found; ka++)
            for (let kb = 1; kb <= K && !found; kb++)
              for (let kc = 1; kc <= K && !found; kc++) {
                if (gcd(gcd(ka, kb), kc) !== 1) continue;
                let broken = 0;
                for (const v of dom) {
                  if (ka * at(v, a) !== kb * at(v, b) + kc * at(v, c)) broken += v.w;
                  if (broken > allowed) break;
                }
                if (broken <= allowed) found = { lhs: [a, ka], rhs: [[b, kb], [c, kc]], sessions, broken };
              }
          if (found && keep(found)) out.push(found);
        }
  }
  // the strongest first; ties in a fixed order
  const order = (x: Invariant, y: Invariant) => breakRate(x) - breakRate(y) || relationText(x).localeCompare(relationText(y));
  out.sort(order);
  // relations of one template: c(X) = 0 over all sessions (a template almost no session has); not capped
  let total = 0;
  for (const v of vectors) total += v.w;
  const zeros: Invariant[] = [];
  for (const [t, n] of freq) {
    const inv: Invariant = { lhs: [t, 1], rhs: [], sessions: total, broken: n };
    if (keep(inv)) zeros.push(inv);
  }
  return [...out.slice(0, o.maxInvariants), ...zeros].sort(order);
}

const termText = ([t, k]: Term) => (k === 1 ? `c(#${t})` : `${k}·c(#${t})`);

export function relationText(inv: Invariant): string {
  return `${termText(inv.lhs)} = ${inv.rhs.length ? inv.rhs.map(termText).join(' + ') : '0'}`;
}

export function holds(inv: Invariant, counts: Map<number, number>): boolean {
  const c = (t: number) => counts.get(t) ?? 0;
  return inv.lhs[1] * c(inv.lhs[0]) === inv.rhs.reduce((s, [t, k]) => s + k * c(t), 0);
}

/** Whether a session has one of the relation's templates (the relation speaks about it). */
function applies(inv: Invariant, counts: Map<number, number>): boolean {
  return counts.has(inv.lhs[0]) || inv.rhs.some(([t]) => counts.has(t));
}

const shorten = (s: string, n = 80) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export class CountInvariantsDetector implements Detector<'session'> {
  readonly name = NAME;
  readonly scope = 'session';
  readonly learned = true;
  readonly state = 'large';
  private st = newCountInvariantsState();

  constructor(private readonly opts: CountInvariantsOptions) {}

  ready(): boolean {
    return this.st.fitted && this.st.sessions >= this.opts.warmup;
  }

  score(s: OpenSession, ctx: SessionContext): Finding[] {
    if (!this.ready()) return [];
    const counts = templateCounts(s.events);
    const seen = new Set(this.st.seen);
    // a template no training session had: c(X) = 0 held in all of them (the strongest relation there is)
    const unseen: Invariant[] = [...counts.keys()].filter((t) => !seen.has(t)).map((t) => ({ lhs: [t, 1], rhs: [], sessions: this.st.fittedOn, broken: 0 }));
    const broken = [...unseen, ...this.st.invariants.filter((inv) => applies(inv, counts) && !holds(inv, counts))];
    if (broken.length === 0) return [{ detector: this.name, grade: 0, reason: '', explain: { invariants: this.st.invariants.length, sessions: this.st.sessions } }];
    // invariants are kept strongest first: the first broken one is the strongest
    const top = broken[0];
    const grade = 1 - (1 - this.gradeOf(breakRate(top))) * 0.75 ** (broken.length - 1);
    const c = (t: number) => counts.get(t) ?? 0;
    const said = (t: number) => `${c(t)} × '${shorten(ctx.describe(t))}'`;
    const [lhs, ...rhs] = [top.lhs[0], ...top.rhs.map(([t]) => t)];
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    const more = broken.length > 1 ? `; ${broken.length - 1} more relation${broken.length > 2 ? 's' : ''} broken` : '';
    const n = Math.round(top.sessions);
    const reason =
      rhs.length === 0
        ? `${said(lhs)}: ${top.broken === 0 ? `never in ${n} training sessions` : `c(#${lhs}) = 0 held in ${pct(1 - top.broken / top.sessions)} of ${n} training sessions`}${more}`
        : `${said(lhs)} but ${rhs.map(said).join(' and ')}: ${relationText(top)} held in ${pct(1 - top.broken / top.sessions)} of ${n} training sessions with these templates${more}`;
    const describeInv = (inv: Invariant) => ({
      relation: relationText(inv),
      counts: Object.fromEntries([inv.lhs, ...inv.rhs].map(([t]) => [`#${t}`, c(t)])),
      templates: Object.fromEntries([inv.lhs, ...inv.rhs].map(([t]) => [`#${t}`, ctx.describe(t)])),
      held: 1 - inv.broken / inv.sessions,
      sessions: inv.sessions,
    });
    return [
      {
        detector: this.name,
        grade,
        reason,
        explain: {
          broken: broken.slice(0, 3).map(describeInv),
          brokenCount: broken.length,
          invariants: this.st.invariants.length,
          sessions: this.st.sessions,
          contributions: broken.slice(0, 3).map((inv) => ({ feature: relationText(inv), template: ctx.describe(inv.lhs[0]), weight: this.gradeOf(breakRate(inv)) })),
        },
      },
    ];
  }

  learn(s: OpenSession): void {
    const st = this.st;
    const key = vectorKey(templateCounts(s.events));
    st.buffer[key] = (st.buffer[key] ?? 0) + 1;
    st.weight++;
    st.sessions++;
    st.sinceFit++;
    if (st.weight > this.opts.maxSessions) {
      // old sessions fade: halve every weight, forget vectors down to a quarter of a session
      st.weight = 0;
      for (const k of Object.keys(st.buffer)) {
        const w = st.buffer[k] / 2;
        if (w < 0.25) delete st.buffer[k];
        else {
          st.buffer[k] = w;
          st.weight += w;
        }
      }
    }
    // learning online mines at the end of the warm-up, then now and then; `train` also fits at the end of its pass
    if ((!st.fitted && st.sessions >= this.opts.warmup) || st.sinceFit >= this.opts.refitEvery) this.fit();
  }

  fit(): void {
    const st = this.st;
    st.sinceFit = 0;
    if (st.sessions < this.opts.warmup) return;
    const vectors = Object.keys(st.buffer)
      .sort()
      .map((k) => ({ c: parseKey(k), w: st.buffer[k] }));
    st.invariants = mineInvariants(vectors, this.opts);
    st.seen = [...new Set(vectors.flatMap((v) => [...v.c.keys()]))].sort((a, b) => a - b);
    st.fittedOn = vectors.reduce((n, v) => n + v.w, 0);
    st.fitted = true;
  }

  /** Break rate in training → grade: the threshold at 1 − support, 1 at a hundredth of it. */
  gradeOf(rate: number): number {
    const t = this.opts.threshold;
    const max = 1 - this.opts.support;
    return Math.min(1, t + (1 - t) * Math.max(0, Math.min(1, Math.log(max / rate) / Math.log(100))));
  }

  /** The mined relations (tests, explanations). */
  invariants(): readonly Invariant[] {
    return this.st.invariants;
  }

  snapshot(): DetectorSnapshot {
    return { kind: NAME, version: VERSION, state: plainCopy(this.st) };
  }

  restore(snap: DetectorSnapshot): void {
    checkDetectorSnapshot(snap, NAME, VERSION);
    const s = snap.state as Partial<CountInvariantsState> | undefined;
    const st = newCountInvariantsState();
    this.st = {
      sessions: s?.sessions ?? 0,
      sinceFit: s?.sinceFit ?? 0,
      buffer: Object.assign(st.buffer, s?.buffer),
      weight: s?.weight ?? 0,
      invariants: Array.isArray(s?.invariants) ? s.invariants : [],
      seen: Array.isArray(s?.seen) ? s.seen : [],
      fittedOn: s?.fittedOn ?? 0,
      fitted: s?.fitted === true,
    };
  }
}

export const countInvariantsFactory: DetectorFactory<'session', CountInvariantsOptions> = {
  name: NAME,
  scope: 'session',
  schema: countInvariantsOptions,
  options: (c: Config) => ({ ...c.detect.countInvariants, threshold: c.detect.threshold }),
  enabled: (o) => o.enabled,
  create: (o) => new CountInvariantsDetector(o),
};
