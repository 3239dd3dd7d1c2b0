import { describe, expect, it } from 'vitest';
import { session, sessionCtx } from '../../test/helpers/detector-harness.js';
import type { Finding } from './contract.js';
import { countBucket, SessionSignatureDetector, type SessionSignatureState } from './session-signature.js';

const OPTS = { enabled: true, maxShare: 0.02, commonShare: 0.5, warmup: 10, alarmOn: 'any' as const, threshold: 0.7 };
const ctx = sessionCtx((id) => `template ${id}`);

const score = (d: SessionSignatureDetector, events: number[]) => d.score(session(events), ctx);
const learn = (d: SessionSignatureDetector, events: number[]) => d.learn(session(events));
/** The one finding of a score. */
function one(fs: Finding[]): Finding {
  expect(fs).toHaveLength(1);
  return fs[0];
}

/** 200 normal sessions: templates 1,2,2,2,3 and, in one of five, template 4. */
function trained() {
  const d = new SessionSignatureDetector(OPTS);
  for (let i = 0; i < 200; i++) learn(d, i % 5 === 0 ? [1, 2, 2, 2, 3, 4] : [1, 2, 2, 2, 3]);
  return d;
}

describe('SessionSignatureDetector', () => {
  it('grades normal sessions below the threshold, including the common variant', () => {
    const d = trained();
    expect(one(score(d, [1, 2, 2, 2, 3])).grade).toBeLessThan(0.7);
    expect(one(score(d, [3, 2, 1, 2, 2, 4])).grade).toBeLessThan(0.7);
  });

  it('flags a session missing a template every session has (cut short) and says which', () => {
    const f = one(score(trained(), [1, 2, 2, 2]));
    expect(f.grade).toBeGreaterThanOrEqual(0.7);
    expect(f.reason).toMatch(/template #3 occurred 0 times.*usually 1.*: template 3$/);
  });

  it('flags an unseen template or an unusual count, the unseen one at 1', () => {
    const d = trained();
    expect(one(score(d, [1, 2, 2, 2, 3, 99])).grade).toBe(1);
    const f = one(score(d, [1, 2, 3]));
    expect(f.grade).toBeGreaterThanOrEqual(0.7);
    expect(f.explain.rarest).toContainEqual(expect.objectContaining({ templateId: 2, count: '1', template: 'template 2' }));
  });

  it('is quiet during warm-up and pure when scoring', () => {
    const d = new SessionSignatureDetector(OPTS);
    learn(d, [1]);
    expect(d.ready()).toBe(false);
    expect(score(d, [5])).toEqual([]);
    const t = trained();
    expect(t.ready()).toBe(true);
    const before = JSON.stringify(t.snapshot());
    score(t, [7, 7, 7]);
    expect(JSON.stringify(t.snapshot())).toBe(before);
  });

  it('round-trips through its JSON snapshot with identical findings', () => {
    const d = trained();
    const r = new SessionSignatureDetector(OPTS);
    r.restore(JSON.parse(JSON.stringify(d.snapshot())));
    expect((r.snapshot().state as SessionSignatureState).sessions).toBe(200);
    for (const events of [[1, 2, 2, 2, 3], [1, 2, 2, 2], [1, 2, 3], [9]]) expect(score(r, events)).toEqual(score(d, events));
  });

  it('maps share to grade monotonically with the threshold at maxShare', () => {
    const d = new SessionSignatureDetector(OPTS);
    expect(d.gradeOf(0.02, 1000)).toBeLessThan(0.7);
    expect(d.gradeOf(0.0199, 1000)).toBeGreaterThanOrEqual(0.7);
    expect(d.gradeOf(0.5, 1000)).toBeLessThan(d.gradeOf(0.1, 1000));
    expect(d.gradeOf(0.01, 1000)).toBeLessThan(d.gradeOf(0.001, 1000));
    expect(d.gradeOf(0, 1000)).toBe(1);
    expect(d.gradeOf(1, 1000)).toBe(0);
  });

  it('buckets large counts by powers of two', () => {
    expect([1, 8, 9, 15, 16, 40].map(countBucket)).toEqual(['1', '8', '≥8', '≥8', '≥16', '≥32']);
  });

  it("alarmOn 'templates': a rare count of a common template stays below the threshold; a rare or unseen template and a missing one alarm", () => {
    const d = new SessionSignatureDetector({ ...OPTS, alarmOn: 'templates' });
    for (let i = 0; i < 200; i++) learn(d, i % 5 === 0 ? [1, 2, 2, 2, 3, 4] : [1, 2, 2, 2, 3]);
    learn(d, [1, 2, 2, 2, 3, 5]); // template 5 in one session of 201
    const g = (ev: number[]) => one(score(d, ev)).grade;
    expect(g([1, 2, 2, 2, 2, 2, 3])).toBeLessThan(0.7); // 5 × template 2: a count for count-invariants
    expect(g([1, 2, 2, 2, 3, 5])).toBeGreaterThanOrEqual(0.7); // a rare template
    expect(g([1, 2, 2, 2, 3, 9])).toBeGreaterThanOrEqual(0.7); // never seen
    expect(g([1, 2, 2, 2])).toBeGreaterThanOrEqual(0.7); // template 3 missing
  });
});
