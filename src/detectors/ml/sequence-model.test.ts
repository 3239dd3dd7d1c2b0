import { describe, expect, it } from 'vitest';
import { auc } from '../../../test/helpers/conformance.js';
import { hdfsSessions, sessionFixture } from '../../../test/helpers/session-fixture.js';
import type { ModelSnapshot } from '../model.js';
import { restoreSequenceModel, SequenceModel, sessionCounts } from './sequence-model.js';

/** A login flow: open, auth (maybe retried), work a few times, close. */
function normalSessions(n: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const s = [1, 2];
    if (i % 5 === 0) s.push(2);
    for (let k = 0; k < 1 + (i % 3); k++) s.push(3);
    s.push(4);
    out.push(s);
  }
  return out;
}

function trained(opts: ConstructorParameters<typeof SequenceModel>[0] = {}): SequenceModel {
  const m = new SequenceModel(opts);
  for (const s of normalSessions(200)) m.learn(s);
  return m;
}

describe('SequenceModel', () => {
  it('scores 0 and is not ready during warm-up', () => {
    const m = new SequenceModel({ warmupSessions: 3 });
    m.learn([1, 2, 3]);
    m.learn([1, 2, 3]);
    expect(m.ready()).toBe(false);
    expect(m.score([9, 9, 9])).toBe(0);
    expect(m.explain([9, 9, 9], 3)).toEqual([]);
    m.learn([1, 2, 3]);
    expect(m.ready()).toBe(true);
    expect(m.score([9, 9, 9])).toBeGreaterThan(0);
  });

  it('a session with a transition never seen scores higher than a normal one', () => {
    const m = trained();
    const normal = m.score([1, 2, 3, 3, 4]);
    const swapped = m.score([1, 3, 2, 3, 4]);
    expect(swapped).toBeGreaterThan(normal + 1);
    const why = m.explain([1, 3, 2, 3, 4], 2).map((c) => c.feature);
    expect(why).toContain('after [START,T1]: T3');
  });

  it('a session cut before its usual end scores higher, and the explanation names the missing END', () => {
    const m = trained();
    expect(m.score([1, 2, 3])).toBeGreaterThan(m.score([1, 2, 3, 4]) + 1);
    expect(m.explain([1, 2, 3], 1)[0].feature).toBe('after [T2,T3]: END');
  });

  it('an event never seen at all counts more than a known event in an odd place', () => {
    const m = trained();
    const odd = m.score([1, 2, 3, 1, 4]);
    const unseen = m.score([1, 2, 3, 77, 4]);
    expect(unseen).toBeGreaterThan(odd);
    expect(m.steps([1, 2, 3, 77, 4]).find((s) => s.event === 77)).toMatchObject({ unseen: true, miss: true, position: 3 });
  });

  it('ranks a rare but seen continuation between the usual one and a never-seen one', () => {
    const m = new SequenceModel({ warmupSessions: 1 });
    for (let i = 0; i < 100; i++) m.learn(i % 25 === 0 ? [1, 5] : [1, 2]);
    const usual = m.score([1, 2]);
    const rare = m.score([1, 5]);
    const never = m.score([1, 6]);
    expect(rare).toBeGreaterThan(usual);
    expect(never).toBeGreaterThan(rare);
    // within the top k, the rare step is no miss: only its surprisal raises the score
    expect(rare).toBeLessThan(1);
  });

  it('backs off to a shorter history when the long one is too rarely seen', () => {
    const m = new SequenceModel({ order: 2, minCount: 5, warmupSessions: 1 });
    for (let i = 0; i < 50; i++) m.learn([1, 2, 3]);
    m.learn([7, 2, 3]); // [7,2] seen once: below minCount
    const step = m.steps([7, 2, 3]).find((s) => s.event === 3);
    expect(step?.history).toEqual([2]);
    expect(step?.miss).toBe(false);
  });

  it('top-k is DeepLog\'s g: a continuation ranked beyond k is a miss', () => {
    const m = new SequenceModel({ order: 1, topK: 2, warmupSessions: 1 });
    for (const [next, times] of [[2, 30], [3, 20], [4, 10]] as const) for (let i = 0; i < times; i++) m.learn([1, next]);
    const rank = (e: number): number | undefined => m.steps([1, e]).find((s) => s.event === e)?.rank;
    expect([rank(2), rank(3), rank(4)]).toEqual([1, 2, 3]);
    expect(m.steps([1, 4])[1].miss).toBe(true);
    expect(m.steps([1, 3])[1].miss).toBe(false);
  });

  it('does not learn sessions with invalid ids, and scores them without throwing', () => {
    const m = trained();
    const before = JSON.stringify(m.snapshot());
    m.learn([1, -4, 2]);
    m.learn([1, 2.5]);
    expect(m.snapshot()).toMatchObject({ skipped: 2 });
    expect(JSON.stringify({ ...m.snapshot(), skipped: 0 })).toBe(before);
    expect(m.score([1, Number.NaN, 4])).toBeGreaterThan(m.score([1, 2, 3, 4]));
  });

  it('restores from JSON exactly and rejects corrupt tries', () => {
    const m = trained({ order: 3, topK: 4 });
    const snap = JSON.parse(JSON.stringify(m.snapshot())) as ModelSnapshot;
    const r = restoreSequenceModel(snap);
    expect(r.snapshot()).toEqual(m.snapshot());
    expect(r.steps([1, 3, 2, 4])).toEqual(m.steps([1, 3, 2, 4]));
    expect(() => restoreSequenceModel({ ...snap, trie: [1, 'x', []] })).toThrow(/snapshot/);
    expect(() => restoreSequenceModel({ ...snap, version: 2 })).toThrow(/snapshot/);
    expect(() => restoreSequenceModel({ ...snap, options: { ...(snap.options as object), order: 'x' } })).toThrow(/snapshot/);
  });

  it('counts template ids as features for the vector models', () => {
    expect(sessionCounts([5, 5, 3, -1])).toEqual({ 't:5': 2, 't:3': 1, 't:invalid': 1 });
    expect(sessionCounts([])).toEqual({});
  });

  it('on the whole HDFS train split (trained on its first 60 %) it keeps its AUC', (ctx) => {
    const fx = sessionFixture();
    if (!fx) return ctx.skip();
    const m = new SequenceModel();
    for (const x of fx.train) m.learn(x);
    const all = hdfsSessions().filter((s) => s.split === 'session_train');
    const a = auc(
      all.map((s) => m.score(s.events)),
      all.map((s) => s.anomalous),
    );
    console.log(`sequence: AUC ${a.toFixed(3)} on the whole HDFS train split (${all.length} sessions)`);
    expect(a).toBeGreaterThan(0.7);
  });
});
