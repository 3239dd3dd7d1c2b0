import { describe, expect, it } from 'vitest';
import { gradeLevel, heatBuckets } from './grades.js';
import { addPoint, chartGroups, legendLabel, toAligned, trimBefore, type SeriesKey } from './series.js';

describe('downsampled series → uPlot data', () => {
  it('aligns series on the union of their bucket times, null where a series has none', () => {
    expect(
      toAligned([
        [
          [0, 1],
          [60, 2],
        ],
        [
          [60, 5],
          [120, 7],
        ],
      ]),
    ).toEqual([
      [0, 60, 120],
      [1, 2, null],
      [null, 5, 7],
    ]);
    expect(toAligned([])).toEqual([[]]);
    expect(toAligned([[]])).toEqual([[], []]);
  });

  it('adds live window values into the bucket that holds them, or a new aligned bucket', () => {
    const pts: Array<[number, number]> = [
      [1000, 3],
      [2000, 4],
    ];
    expect(addPoint(pts, 1000, 2500, 2)).toEqual([
      [1000, 3],
      [2000, 6],
    ]);
    expect(addPoint(pts, 1000, 4100, 1)).toEqual([
      [1000, 3],
      [2000, 4],
      [4000, 1],
    ]);
    expect(addPoint(pts, 1000, 500, 1)).toEqual([
      [0, 1],
      [1000, 3],
      [2000, 4],
    ]);
    expect(pts).toEqual([
      [1000, 3],
      [2000, 4],
    ]); // not modified
    expect(addPoint([], 0, 42, 1)).toEqual([[42, 1]]);
    expect(addPoint([[42, 1]], 0, 42, 2)).toEqual([[42, 3]]);
  });

  it('drops points before a sliding range start', () => {
    expect(trimBefore([[1, 1], [5, 2]], 3)).toEqual([[5, 2]]);
    expect(trimBefore([[1, 1]], undefined)).toEqual([[1, 1]]);
  });

  it('groups keys per source: records, one chart per monitored field, unknown values; templates left out', () => {
    const k = (source: string, key: string): SeriesKey => ({ source, key, label: key });
    const groups = chartGroups([
      k('waf', 'unknown:httpRequest.country'),
      k('waf', 'value:httpRequest.status=200'),
      k('waf', 'value:action=BLOCK'),
      k('waf', 'template:7'),
      k('waf', 'value:httpRequest.status=403'),
      k('waf', 'records'),
      k('app', 'records'),
      k('waf', 'value:action=ALLOW'),
      k('waf', 'unknown:action'),
    ]);
    expect(groups.map((g) => [g.source, g.id, g.keys.map(legendLabel)])).toEqual([
      ['app', 'records', ['records']],
      ['waf', 'records', ['records']],
      ['waf', 'value:action', ['BLOCK', 'ALLOW']],
      ['waf', 'value:httpRequest.status', ['200', '403']],
      ['waf', 'unknown', ['httpRequest.country', 'action']],
    ]);
    expect(groups[3].title).toBe('httpRequest.status');
    // a value holding '=' stays whole
    expect(legendLabel(k('s', 'value:query=a=b'))).toBe('a=b');
  });
});

describe('grade heat strip', () => {
  it('keeps the highest grade per bucket and ignores anomalies outside the span', () => {
    const items = [
      { ts: 0, grade: 0.75 },
      { ts: 5, grade: 0.95 },
      { ts: 9, grade: 0.8 },
      { ts: 35, grade: 0.9 },
      { ts: 40, grade: 1 },
      { ts: -1, grade: 1 },
    ];
    expect(heatBuckets(items, 0, 40, 4)).toEqual([0.95, null, null, 0.9]);
    expect(heatBuckets(items, 10, 10, 3)).toEqual([null, null, null]);
    expect(heatBuckets(items, 0, 40, 0)).toEqual([]);
  });

  it('maps grades to colour levels from the alarm threshold up', () => {
    expect([0, 0.69, 0.7, 0.85, 0.95, 0.99, Number.NaN, null].map(gradeLevel)).toEqual([0, 0, 1, 2, 3, 4, 0, 0]);
  });
});
