import { describe, expect, it } from 'vitest';
import type { ParsedRecord } from '../model/record.js';
import { recordCtx } from '../../test/helpers/detector-harness.js';
import { RareTemplateDetector } from './rare-template.js';

const REC: ParsedRecord = {
  source: 's',
  offset: 0,
  line: 1,
  ts: 0,
  tsFromRecord: false,
  raw: 'kernel panic',
  message: 'kernel panic',
  fields: {},
  truncated: false,
  templateId: 7,
  template: 'kernel panic',
  params: [],
  change: 'none',
};

/** The record as the `count`-th of its template among `total` records of its source. */
const counted = (count: number, total: number) => recordCtx({ count, total });

describe('RareTemplateDetector', () => {
  const d = new RareTemplateDetector({ enabled: true, maxShare: 0.001, warmupRecords: 1000 });

  it('stays quiet during warm-up', () => {
    const w = new RareTemplateDetector({ enabled: true, maxShare: 0.001, warmupRecords: 5000 });
    expect(w.score(REC, counted(1, 4999))).toEqual([]);
    const [f, ...rest] = w.score(REC, counted(1, 5000));
    expect(rest).toEqual([]);
    expect(f.grade).toBeCloseTo(1, 12);
  });

  it('grades a template seen once in a large source 1.0', () => {
    const [f, ...rest] = d.score(REC, counted(1, 100_000));
    expect(rest).toEqual([]);
    expect(f.grade).toBeCloseTo(1, 12);
    expect(f.detector).toBe('rare-template');
    expect(f.reason).toBe('rare template #7 (1 of 100000 records): kernel panic');
    expect(f.explain).toEqual({ template: 'kernel panic', templateId: 7, count: 1, total: 100_000, share: 0.00001 });
  });

  it('starts at 0.5 just below maxShare and reports nothing at or above it', () => {
    expect(d.score(REC, counted(100, 100_000))).toEqual([]); // share = maxShare
    expect(d.score(REC, counted(5000, 100_000))).toEqual([]);
    const g = d.score(REC, counted(99, 100_000))[0].grade;
    expect(g).toBeGreaterThan(0.5);
    expect(g).toBeLessThan(0.505);
  });

  it('keeps grades in [0.5, 1], rising as the template gets rarer', () => {
    const grades = [99, 50, 10, 2, 1].map((c) => d.score(REC, counted(c, 100_000))[0].grade);
    for (const g of grades) {
      expect(g).toBeGreaterThanOrEqual(0.5);
      expect(g).toBeLessThanOrEqual(1);
    }
    for (let i = 1; i < grades.length; i++) expect(grades[i]).toBeGreaterThan(grades[i - 1]);
    // log scale: 10 of 100000 is halfway (in log) between 1 and 100
    expect(grades[2]).toBeCloseTo(0.75, 12);
  });

  it('does nothing when disabled', () => {
    expect(new RareTemplateDetector({ enabled: false, maxShare: 0.5, warmupRecords: 0 }).score(REC, counted(1, 1000))).toEqual([]);
  });

  it('a rare template seen in `recurring` distinct windows recurs and is no longer rare; a burst in one window is', () => {
    const r = new RareTemplateDetector({ enabled: true, maxShare: 0.001, warmupRecords: 0, recurring: 3, window: 3_600_000 });
    const at = (h: number, m = 0): ParsedRecord => ({ ...REC, ts: h * 3_600_000 + m * 60_000 });
    // ten occurrences inside one hour: still rare at every one
    for (let m = 0; m < 10; m++) {
      expect(r.score(at(5, m), counted(m + 1, 100_000))).toHaveLength(1);
      r.learn(at(5, m), counted(m + 1, 100_000));
    }
    r.learn(at(9), counted(11, 100_000));
    expect(r.score(at(12), counted(12, 100_000))).toHaveLength(1);
    r.learn(at(12), counted(12, 100_000));
    // seen in hours 5, 9 and 12: recurring
    expect(r.score(at(13), counted(13, 100_000))).toEqual([]);
    // the state survives a snapshot
    const copy = new RareTemplateDetector({ enabled: true, maxShare: 0.001, warmupRecords: 0, recurring: 3, window: 3_600_000 });
    copy.restore(JSON.parse(JSON.stringify(r.snapshot())));
    expect(copy.score(at(14), counted(14, 100_000))).toEqual([]);
    expect(copy.score({ ...at(14), templateId: 8 }, counted(1, 100_000))).toHaveLength(1);
  });
});
