import { describe, expect, it } from 'vitest';
import { session, sessionCtx } from '../../test/helpers/detector-harness.js';
import { loadConfig } from '../config/load.js';
import type { DetectorSnapshot } from './contract.js';
import { CountInvariantsDetector, countInvariantsFactory, relationText } from './count-invariants.js';
import { detectorOptions } from './registry.js';

const NAMES: Record<number, string> = { 1: 'open connection', 2: 'read row', 3: 'close connection', 4: 'auth ok', 9: 'disk error' };
const ctx = sessionCtx((id) => NAMES[id] ?? `template ${id}`);
const OPTS = { ...detectorOptions(countInvariantsFactory, loadConfig({ env: {} })), warmup: 50 };

/** n sessions: k connections opened and closed (1..3), one auth, a few reads; every 100th session forgot a close (the training data's anomalies). */
function trained(n = 400, opts = OPTS) {
  const d = new CountInvariantsDetector(opts);
  for (let i = 0; i < n; i++) {
    const k = 1 + (i % 3);
    const ev = [4];
    for (let j = 0; j < k; j++) ev.push(1, 2, 2);
    for (let j = 0; j < k - (i % 100 === 99 ? 1 : 0); j++) ev.push(3);
    d.learn(session(ev));
  }
  d.fit();
  return d;
}
const grade = (d: CountInvariantsDetector, ev: number[]) => d.score(session(ev), ctx).reduce((g, f) => Math.max(g, f.grade), 0);

describe('CountInvariantsDetector', () => {
  it('learns c(open) = c(close) and 2·c(open) = c(read) despite a few anomalous training sessions', () => {
    const rel = trained().invariants().map(relationText);
    expect(rel).toContain('c(#1) = c(#3)');
    expect(rel).toContain('2·c(#1) = c(#2)');
    // auth is once per session whatever the connections: no relation ties it to them
    expect(rel.some((r) => /#4/.test(r) && /#1|#3/.test(r))).toBe(false);
  });

  it('flags open × 3 with close × 2, naming both templates and counts', () => {
    const [f] = trained().score(session([4, 1, 2, 2, 1, 2, 2, 1, 2, 2, 3, 3]), ctx);
    expect(f.grade).toBeGreaterThanOrEqual(0.7);
    expect(f.reason).toMatch(/3 × 'open connection'/);
    expect(f.reason).toMatch(/2 × 'close connection'/);
    expect(f.reason).toMatch(/c\(#1\) = c\(#3\)/);
  });

  it('leaves normal sessions at 0, and flags a template no training session had', () => {
    const d = trained();
    expect(grade(d, [4, 1, 2, 2, 3])).toBe(0);
    expect(grade(d, [4, 1, 2, 2, 1, 2, 2, 3, 3])).toBe(0);
    const [f] = d.score(session([4, 1, 2, 2, 3, 9]), ctx);
    expect(f.grade).toBeGreaterThanOrEqual(0.7);
    expect(f.reason).toMatch(/1 × 'disk error': never in 400 training sessions/);
  });

  it('grades a relation by its evidence: the same break weighs more after more sessions', () => {
    const broken = [4, 1, 2, 2, 1, 2, 2, 3];
    expect(grade(trained(4000), broken)).toBeGreaterThan(grade(trained(400), broken));
  });

  it('does not report before its warm-up, and mines while learning online', () => {
    const d = new CountInvariantsDetector({ ...OPTS, warmup: 100, refitEvery: 50 });
    for (let i = 0; i < 99; i++) d.learn(session([1, 3]));
    expect(d.ready()).toBe(false);
    expect(d.score(session([1, 1, 3]), ctx)).toEqual([]);
    d.learn(session([1, 3]));
    expect(d.ready()).toBe(true);
    expect(grade(d, [1, 1, 3])).toBeGreaterThanOrEqual(0.7);
  });

  it('keeps a bounded buffer and restores to the same grades', () => {
    const d = trained(400, { ...OPTS, maxSessions: 100 });
    const snap = JSON.parse(JSON.stringify(d.snapshot())) as DetectorSnapshot & { state: { weight: number } };
    expect(snap.state.weight).toBeLessThanOrEqual(100);
    const r = new CountInvariantsDetector({ ...OPTS, maxSessions: 100 });
    r.restore(snap);
    for (const ev of [[4, 1, 2, 2, 3], [4, 1, 1, 3], [9]]) expect(grade(r, ev)).toBe(grade(d, ev));
  });
});
