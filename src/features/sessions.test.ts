import { describe, expect, it } from 'vitest';
import type { ParsedRecord } from '../model/record.js';
import { SessionTracker, type SessionOptions } from './sessions.js';

const OPTS: SessionOptions = { key: 'blk_-?\\d+', idleTimeout: 60_000, maxEvents: 100, maxOpen: 1000 };

function rec(raw: string, ts: number, templateId = 1, line = 1): ParsedRecord {
  return { source: 's', offset: line * 10, line, ts, tsFromRecord: true, raw, message: raw, fields: {}, truncated: false, templateId, template: '', params: [], change: 'none' };
}

describe('SessionTracker', () => {
  it('groups lines by the first match of the key regex and keeps events in order', () => {
    const t = new SessionTracker(OPTS);
    t.add(rec('open blk_1 and blk_2', 0, 1, 1));
    t.add(rec('write blk_2', 10, 2, 2));
    t.add(rec('close blk_1', 20, 3, 3));
    const all = t.drain();
    expect(all.map((s) => [s.key, s.events, s.lines.map((l) => l.line)])).toEqual([
      ['blk_1', [1, 3], [1, 3]],
      ['blk_2', [2], [2]],
    ]);
  });

  it('ends a session after the idle timeout in log time, not wall time', () => {
    const t = new SessionTracker(OPTS);
    expect(t.add(rec('a blk_1', 0))).toEqual([]);
    expect(t.add(rec('b blk_2', 30_000))).toEqual([]);
    const ended = t.add(rec('c blk_3', 70_001));
    expect(ended.map((s) => s.key)).toEqual(['blk_1']);
    expect(t.size).toBe(2);
  });

  it('ends a session on its end marker', () => {
    const t = new SessionTracker({ ...OPTS, end: 'terminating' });
    t.add(rec('start blk_9', 0));
    const ended = t.add(rec('blk_9 terminating', 5, 4));
    expect(ended.map((s) => [s.key, s.events])).toEqual([['blk_9', [1, 4]]]);
    expect(t.size).toBe(0);
  });

  it('ends the oldest session when too many are open, and counts it', () => {
    const t = new SessionTracker({ ...OPTS, maxOpen: 2 });
    t.add(rec('blk_1', 0));
    t.add(rec('blk_2', 1));
    t.add(rec('blk_1', 2));
    const ended = t.add(rec('blk_3', 3));
    expect(ended.map((s) => s.key)).toEqual(['blk_1']);
    expect(t.evicted).toBe(1);
  });

  it('ends every open session when log time jumps back by more than the timeout', () => {
    const t = new SessionTracker(OPTS);
    t.add(rec('blk_1', 1_000_000));
    t.add(rec('blk_2', 1_000_010));
    expect(t.add(rec('blk_1', 1_000_000 - 30_000))).toEqual([]);
    const ended = t.add(rec('blk_1', 0));
    expect(ended.map((s) => s.key).sort()).toEqual(['blk_1', 'blk_2']);
    expect(t.size).toBe(1);
  });

  it('uses a field as the key when no regex is set, and ignores records without one', () => {
    const t = new SessionTracker({ ...OPTS, key: undefined, field: 'queueId' });
    const r = rec('x', 0);
    r.fields.queueId = 'ABC123';
    t.add(r);
    t.add(rec('no queue id', 1));
    expect(t.drain().map((s) => s.key)).toEqual(['ABC123']);
    expect(new SessionTracker({ ...OPTS, key: undefined }).enabled).toBe(false);
  });

  it('caps the events kept per session but counts them all; snapshot/restore keeps open sessions', () => {
    const t = new SessionTracker({ ...OPTS, maxEvents: 3 });
    for (let i = 0; i < 5; i++) t.add(rec('blk_7', i, i));
    const u = new SessionTracker(OPTS);
    u.restore(JSON.parse(JSON.stringify(t.snapshot())));
    const [s] = u.drain();
    expect(s.events).toEqual([0, 1, 2]);
    expect(s.total).toBe(5);
  });
});
