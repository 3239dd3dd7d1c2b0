import { describe, expect, it } from 'vitest';
import { highlights } from './highlights.js';

describe('highlights', () => {
  it('marks the named values where they occur as whole tokens', () => {
    const raw = '{"country":"XX","n":11,"action":"BLOCK","note":"XXL"}';
    const r = highlights(raw, { explain: { contributions: [{ feature: 'httpRequest.country=XX' }, { feature: 'param1', value: 'BLOCK' }] } });
    expect(r.map((x) => raw.slice(x.start, x.end))).toEqual(['XX', 'BLOCK']);
    expect(r[0].start).toBe(raw.indexOf('XX'));
  });

  it('gives nothing when no value was named or found', () => {
    expect(highlights('plain line', { explain: { contributions: [{ feature: 'records.log2', weight: 1 }] } })).toEqual([]);
    expect(highlights('plain line', {})).toEqual([]);
  });
});
