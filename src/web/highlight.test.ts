import { describe, expect, it } from 'vitest';
import { contributionValues, highlightRanges, normaliseRanges, rangesOfValues, segmentsOf } from './highlight.js';

const join = (segs: Array<{ text: string }>) => segs.map((s) => s.text).join('');

describe('highlight ranges → segments', () => {
  it('cuts the text into plain and highlighted segments that rebuild it', () => {
    const text = 'GET /admin 403 from XX';
    const segs = segmentsOf(text, [
      { start: 11, end: 14 },
      { start: 20, end: 22 },
    ]);
    expect(segs).toEqual([
      { text: 'GET /admin ', hit: false },
      { text: '403', hit: true },
      { text: ' from ', hit: false },
      { text: 'XX', hit: true },
    ]);
    expect(join(segs)).toBe(text);
  });

  it('merges overlapping and touching ranges, clamps to the text and drops empty or reversed ones', () => {
    expect(normaliseRanges([{ start: 5, end: 8 }, { start: 0, end: 2 }, { start: 7, end: 12 }, { start: 12, end: 13 }], 100)).toEqual([
      { start: 0, end: 2 },
      { start: 5, end: 13 },
    ]);
    expect(normaliseRanges([{ start: -4, end: 3 }, { start: 8, end: 50 }, { start: 6, end: 6 }, { start: 7, end: 5 }], 10)).toEqual([
      { start: 0, end: 3 },
      { start: 8, end: 10 },
    ]);
    expect(segmentsOf('abc', [{ start: Number.NaN, end: 2 }])).toEqual([{ text: 'abc', hit: false }]);
  });

  it('gives one plain segment for text without ranges, and one for empty text', () => {
    expect(segmentsOf('abc', [])).toEqual([{ text: 'abc', hit: false }]);
    expect(segmentsOf('', [])).toEqual([{ text: '', hit: false }]);
    expect(segmentsOf('abc', [{ start: 0, end: 3 }])).toEqual([{ text: 'abc', hit: true }]);
  });

  it('finds every occurrence of the values, ignoring one-character values', () => {
    expect(rangesOfValues('XX to XX via 1', ['XX', '1'])).toEqual([
      { start: 0, end: 2 },
      { start: 6, end: 8 },
    ]);
  });

  it('takes value, param and the value of field=value features from the contributions', () => {
    const explain = {
      contributions: [{ field: 'country', value: 'XX' }, { feature: 'httpRequest.status=418', weight: 1 }, { param: 'blk_9' }, { value: 7 }, null],
    };
    expect(contributionValues(explain)).toEqual(['XX', '418', 'blk_9', '7']);
    expect(contributionValues(undefined)).toEqual([]);
    expect(contributionValues({ contributions: 'nope' })).toEqual([]);
  });

  it('prefers the explanation\'s own highlight ranges, else highlights where the contributing values occur', () => {
    const raw = '{"country":"XX","status":418}';
    expect(highlightRanges(raw, { highlights: [{ start: 1, end: 8 }], contributions: [{ value: 'XX' }] })).toEqual([{ start: 1, end: 8 }]);
    const segs = segmentsOf(raw, highlightRanges(raw, { contributions: [{ value: 'XX' }, { feature: 'status=418' }] }));
    expect(segs.filter((s) => s.hit).map((s) => s.text)).toEqual(['XX', '418']);
    // a template without parameters is the whole line: not an anomalous token
    expect(highlightRanges('disk full', { contributions: [{ feature: 'template#3', value: 'disk full' }] })).toEqual([]);
  });
});
