import { describe, expect, it } from 'vitest';
import { newParamNoveltyState, ParamNoveltyDetector, paramNoveltyFromJson, paramNoveltyToJson } from './param-novelty.js';

const OPTS = { enabled: true, warmup: 100, maxDistinct: 50, fullSurprise: 4 };
const T = 'link <*> is <*> on port <*>';

function trained(n = 5000) {
  const d = new ParamNoveltyDetector(OPTS);
  const st = newParamNoveltyState();
  // position 1: two interfaces; position 2: up/down; position 3: free-form numbers
  for (let i = 0; i < n; i++) d.learn(7, [i % 2 ? 'eth0' : 'eth1', i % 3 ? 'up' : 'down', String(1000 + i)], st);
  return { d, st };
}

describe('ParamNoveltyDetector', () => {
  it('flags a new value at a position that rarely sees new ones, and names the nearest known value', () => {
    const { d, st } = trained();
    const f = d.score(7, T, ['eth0', 'flapping', '99999'], st)!;
    expect(f.grade).toBeGreaterThanOrEqual(0.7);
    expect(f.explain).toMatchObject({ position: 1, value: 'flapping', distinct: 2 });
    expect(['up', 'down']).toContain(f.explain.nearestNormal);
    expect(f.reason).toMatch(/new value "flapping" at parameter 2/);
  });

  it('never judges free-form positions, and grades a close new value lower than a distant one', () => {
    const { d, st } = trained();
    expect(d.score(7, T, ['eth0', 'up', 'abc'], st)).toBeUndefined();
    const close = d.score(7, T, ['eth2', 'up', '1'], st)!;
    const far = d.score(7, T, ['/dev/sdz9', 'up', '1'], st)!;
    expect(close.grade).toBeLessThan(far.grade);
  });

  it('is quiet during warm-up and for known values; a template with only free-form positions is skipped before extraction', () => {
    const { d, st } = trained(50);
    expect(d.score(7, T, ['eth9', 'up', '1'], st)).toBeUndefined();
    const t = trained();
    expect(t.d.score(7, T, ['eth0', 'down', '5'], t.st)).toBeUndefined();
    const free = newParamNoveltyState();
    for (let i = 0; i < 100; i++) d.learn(9, [`req-${i}`], free);
    expect(d.wants(9, free)).toBe(false);
    expect(d.wants(7, t.st)).toBe(true);
  });

  it('fewer distinct values over more records make a new value more surprising', () => {
    const a = trained(500);
    const b = trained(50_000);
    expect(b.d.score(7, T, ['eth0', 'xx', '1'], b.st)!.grade).toBeGreaterThan(a.d.score(7, T, ['eth0', 'xx', '1'], a.st)!.grade);
  });

  it('round-trips through JSON', () => {
    const { d, st } = trained();
    const r = paramNoveltyFromJson(JSON.parse(JSON.stringify(paramNoveltyToJson(st))));
    expect(d.score(7, T, ['eth0', 'flapping', '1'], r)!.grade).toBe(d.score(7, T, ['eth0', 'flapping', '1'], st)!.grade);
  });
});
