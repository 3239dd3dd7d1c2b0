import { describe, expect, it } from 'vitest';
import { DEFAULT_RANGE, parseRange, parseTime, rangeBounds, rangeParams, toDateInput } from './timerange.js';

const now = Date.UTC(2026, 10, 21, 12, 0, 0);

describe('time ranges', () => {
  it('reads presets and custom ranges from the page query, falling back to the default', () => {
    expect(parseRange(new URLSearchParams('range=24h'))).toEqual({ kind: 'preset', preset: '24h' });
    expect(parseRange(new URLSearchParams('range=all'))).toEqual({ kind: 'preset', preset: 'all' });
    expect(parseRange(new URLSearchParams('range=3y'))).toEqual(DEFAULT_RANGE);
    expect(parseRange(new URLSearchParams(''))).toEqual(DEFAULT_RANGE);
    expect(parseRange(new URLSearchParams('from=1000&to=2000'))).toEqual({ kind: 'custom', from: 1000, to: 2000 });
    expect(parseRange(new URLSearchParams('from=2026-11-21T10:00:00Z&to=2026-11-21T11:00:00Z'))).toEqual({
      kind: 'custom',
      from: Date.UTC(2026, 10, 21, 10),
      to: Date.UTC(2026, 10, 21, 11),
    });
    // reversed or half-given custom ranges are not ranges
    expect(parseRange(new URLSearchParams('from=2000&to=1000&range=15m'))).toEqual({ kind: 'preset', preset: '15m' });
    expect(parseRange(new URLSearchParams('from=1000'))).toEqual(DEFAULT_RANGE);
  });

  it('round-trips through the query', () => {
    for (const r of [{ kind: 'preset', preset: '7d' }, { kind: 'custom', from: 5, to: 9 }] as const) {
      expect(parseRange(new URLSearchParams(rangeParams(r)))).toEqual(r);
    }
  });

  it('turns a range into since/until at a given now', () => {
    expect(rangeBounds({ kind: 'preset', preset: '15m' }, now)).toEqual({ since: now - 900_000, live: true });
    expect(rangeBounds({ kind: 'preset', preset: '7d' }, now)).toEqual({ since: now - 7 * 86_400_000, live: true });
    expect(rangeBounds({ kind: 'preset', preset: 'all' }, now)).toEqual({ live: true });
    expect(rangeBounds({ kind: 'custom', from: 1, to: 2 }, now)).toEqual({ since: 1, until: 2, live: false });
    expect(rangeBounds({ kind: 'custom', from: 1, to: now + 1 }, now).live).toBe(true);
  });

  it('parses epoch ms, ISO 8601 and datetime-local values, and rejects the rest', () => {
    expect(parseTime('1700000000000')).toBe(1_700_000_000_000);
    expect(parseTime('2026-11-21T10:00:00Z')).toBe(Date.UTC(2026, 10, 21, 10));
    expect(parseTime('2026-11-21T10:00')).toBe(new Date(2026, 10, 21, 10, 0).getTime());
    expect(parseTime(toDateInput(new Date(2026, 0, 2, 3, 4).getTime()))).toBe(new Date(2026, 0, 2, 3, 4).getTime());
    for (const bad of ['', '  ', 'yesterday', '24h', '2026-13-45T99:99', null, undefined]) expect(parseTime(bad)).toBeUndefined();
  });
});
