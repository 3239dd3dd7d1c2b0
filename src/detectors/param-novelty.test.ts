import { describe, expect, it } from 'vitest';
import type { ParsedRecord } from '../model/record.js';
import { record, recordCtx } from '../../test/helpers/detector-harness.js';
import type { Finding } from './contract.js';
import { ParamNoveltyDetector } from './param-novelty.js';

const OPTS = { enabled: true, warmup: 100, maxDistinct: 50, fullSurprise: 4 };
const T = 'link <*> is <*> on port <*>';

/** A record of `templateId` with these parameters (the context extracts them). */
const rec = (templateId: number, params: string[]): ParsedRecord => record({ templateId, template: templateId === 7 ? T : 'request <*>', params });
const learn = (d: ParamNoveltyDetector, templateId: number, params: string[]) => {
  const r = rec(templateId, params);
  d.learn(r, recordCtx({}, r));
};
const score = (d: ParamNoveltyDetector, params: string[], templateId = 7): Finding[] => {
  const r = rec(templateId, params);
  return d.score(r, recordCtx({}, r));
};
/** The one finding of a score. */
function one(fs: Finding[]): Finding {
  expect(fs).toHaveLength(1);
  return fs[0];
}

function trained(n = 5000) {
  const d = new ParamNoveltyDetector(OPTS);
  // position 1: two interfaces; position 2: up/down; position 3: free-form numbers
  for (let i = 0; i < n; i++) learn(d, 7, [i % 2 ? 'eth0' : 'eth1', i % 3 ? 'up' : 'down', String(1000 + i)]);
  return d;
}

describe('ParamNoveltyDetector', () => {
  it('flags a new value at a position that rarely sees new ones, and names the nearest known value', () => {
    const d = trained();
    const f = one(score(d, ['eth0', 'flapping', '99999']));
    expect(f.grade).toBeGreaterThanOrEqual(0.7);
    expect(f.detector).toBe('param-novelty');
    expect(f.explain).toMatchObject({ position: 1, value: 'flapping', distinct: 2 });
    expect(['up', 'down']).toContain(f.explain.nearestNormal);
    expect(f.reason).toMatch(/new value "flapping" at parameter 2/);
  });

  it('never judges free-form positions, and grades a close new value lower than a distant one', () => {
    const d = trained();
    expect(score(d, ['eth0', 'up', 'abc'])).toEqual([]);
    const close = one(score(d, ['eth2', 'up', '1']));
    const far = one(score(d, ['/dev/sdz9', 'up', '1']));
    expect(close.grade).toBeLessThan(far.grade);
  });

  it('is quiet during warm-up and for known values; a template with only free-form positions is skipped before extraction', () => {
    const young = trained(50);
    expect(young.ready()).toBe(false);
    expect(score(young, ['eth9', 'up', '1'])).toEqual([]);
    const d = trained();
    expect(d.ready()).toBe(true);
    expect(score(d, ['eth0', 'down', '5'])).toEqual([]);

    for (let i = 0; i < 100; i++) learn(d, 9, [`req-${i}`]);
    // parameters are extracted (ctx.params()) only for templates still judged
    let extracted = 0;
    const ctx = (params: string[]) => recordCtx({ params: () => (extracted++, params) });
    expect(d.score(rec(9, []), ctx(['req-x']))).toEqual([]);
    d.learn(rec(9, []), ctx(['req-y']));
    expect(extracted).toBe(0);
    d.score(rec(7, []), ctx(['eth0', 'up', '1']));
    expect(extracted).toBe(1);
  });

  it('fewer distinct values over more records make a new value more surprising', () => {
    const a = trained(500);
    const b = trained(50_000);
    expect(one(score(b, ['eth0', 'xx', '1'])).grade).toBeGreaterThan(one(score(a, ['eth0', 'xx', '1'])).grade);
  });

  it('round-trips through its JSON snapshot', () => {
    const d = trained();
    const r = new ParamNoveltyDetector(OPTS);
    r.restore(JSON.parse(JSON.stringify(d.snapshot())));
    expect(r.snapshot()).toEqual(d.snapshot());
    expect(one(score(r, ['eth0', 'flapping', '1'])).grade).toBe(one(score(d, ['eth0', 'flapping', '1'])).grade);
  });

  it('score is pure', () => {
    const d = trained(200);
    const before = JSON.stringify(d.snapshot());
    score(d, ['eth7', 'sideways', '1']);
    expect(JSON.stringify(d.snapshot())).toBe(before);
  });
});
