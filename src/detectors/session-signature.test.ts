import { describe, expect, it } from 'vitest';
import { countBucket, newSessionSignatureState, SessionSignatureDetector } from './session-signature.js';

const OPTS = { maxShare: 0.02, commonShare: 0.5, warmup: 10 };
const describeT = (id: number) => `template ${id}`;

/** 200 normal sessions: templates 1,2,2,2,3 and, in one of five, template 4. */
function trained() {
  const d = new SessionSignatureDetector(OPTS, 0.7);
  const st = newSessionSignatureState();
  for (let i = 0; i < 200; i++) d.learn(i % 5 === 0 ? [1, 2, 2, 2, 3, 4] : [1, 2, 2, 2, 3], st);
  return { d, st };
}

describe('SessionSignatureDetector', () => {
  it('grades normal sessions below the threshold, including the common variant', () => {
    const { d, st } = trained();
    expect(d.score([1, 2, 2, 2, 3], st, describeT)!.grade).toBeLessThan(0.7);
    expect(d.score([3, 2, 1, 2, 2, 4], st, describeT)!.grade).toBeLessThan(0.7);
  });

  it('flags a session missing a template every session has (cut short) and says which', () => {
    const { d, st } = trained();
    const f = d.score([1, 2, 2, 2], st, describeT)!;
    expect(f.grade).toBeGreaterThanOrEqual(0.7);
    expect(f.reason).toMatch(/template #3 occurred 0 times.*usually 1/);
  });

  it('flags an unseen template or an unusual count, the unseen one at 1', () => {
    const { d, st } = trained();
    expect(d.score([1, 2, 2, 2, 3, 99], st, describeT)!.grade).toBe(1);
    const f = d.score([1, 2, 3], st, describeT)!;
    expect(f.grade).toBeGreaterThanOrEqual(0.7);
    expect(f.explain.rarest).toContainEqual(expect.objectContaining({ templateId: 2, count: '1' }));
  });

  it('is quiet during warm-up and pure when scoring', () => {
    const d = new SessionSignatureDetector(OPTS, 0.7);
    const st = newSessionSignatureState();
    d.learn([1], st);
    expect(d.score([5], st, describeT)).toBeUndefined();
    const t = trained();
    const before = JSON.stringify(t.st);
    t.d.score([7, 7, 7], t.st, describeT);
    expect(JSON.stringify(t.st)).toBe(before);
  });

  it('maps share to grade monotonically with the threshold at maxShare', () => {
    const d = new SessionSignatureDetector(OPTS, 0.7);
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
});
