import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/helpers/shared-data.js';
import { detectTimestamp, timeFromValue } from './timestamp.js';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const LOGHUB = sharedData('loghub-2k').path;

describe('detectTimestamp', () => {
  it('reads ISO 8601 with Z, offsets and fractions', () => {
    expect(detectTimestamp('2026-11-21T10:00:00Z rest', NOW)).toEqual({ ts: Date.UTC(2026, 10, 21, 10), end: 20 });
    expect(detectTimestamp('2026-11-21T10:00:00.123Z x', NOW)?.ts).toBe(Date.UTC(2026, 10, 21, 10, 0, 0, 123));
    expect(detectTimestamp('2026-11-21T10:00:00+01:00 x', NOW)?.ts).toBe(Date.UTC(2026, 10, 21, 9));
    expect(detectTimestamp('2026-11-21T10:00:00-0230 x', NOW)?.ts).toBe(Date.UTC(2026, 10, 21, 12, 30));
    expect(detectTimestamp('2026-11-21T10:00:00.123456789Z', NOW)?.ts).toBe(Date.UTC(2026, 10, 21, 10, 0, 0, 123));
  });

  it('reads ISO with a space and comma millis (log4j) as UTC', () => {
    expect(detectTimestamp('2015-10-18 18:01:47,978 INFO [main] x', NOW)).toEqual({ ts: Date.UTC(2015, 9, 18, 18, 1, 47, 978), end: 23 });
    expect(detectTimestamp('2015-10-18 18:01:47,9 x', NOW)?.ts).toBe(Date.UTC(2015, 9, 18, 18, 1, 47, 900));
  });

  it('reads syslog times with the year taken from now', () => {
    expect(detectTimestamp('Nov 21 10:00:00 host sshd[1]: hi', NOW)).toEqual({ ts: Date.UTC(2026, 10, 21, 10), end: 15, syslog: true });
    expect(detectTimestamp('Jun  4 01:02:03 host x', NOW)?.ts).toBe(Date.UTC(2026, 5, 4, 1, 2, 3));
  });

  it('puts a December syslog line read in January in the previous year', () => {
    const jan2 = Date.UTC(2027, 0, 2, 8, 0, 0);
    expect(detectTimestamp('Dec 31 23:59:59 host x', jan2)?.ts).toBe(Date.UTC(2026, 11, 31, 23, 59, 59));
    // one day of clock skew ahead is still this year
    expect(detectTimestamp('Jan  3 07:00:00 host x', jan2)?.ts).toBe(Date.UTC(2027, 0, 3, 7));
  });

  it('reads the common log format after a client address', () => {
    const line = '192.168.1.20 - - [21/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 512';
    const found = detectTimestamp(line, NOW);
    expect(found?.ts).toBe(Date.UTC(2026, 10, 21, 9));
    expect(line.slice(found!.end)).toBe(' "GET / HTTP/1.1" 200 512');
    expect(detectTimestamp('[21/Nov/2026:10:00:00 +0000] x', NOW)?.ts).toBe(Date.UTC(2026, 10, 21, 10));
  });

  it('reads the Apache error log format', () => {
    expect(detectTimestamp('[Sun Dec 04 04:47:44 2005] [notice] ok', NOW)).toEqual({ ts: Date.UTC(2005, 11, 4, 4, 47, 44), end: 26 });
    expect(detectTimestamp('[Sun Dec 04 04:47:44.123456 2005] [error] x', NOW)?.ts).toBe(Date.UTC(2005, 11, 4, 4, 47, 44));
  });

  it('reads HDFS compact and Spark slashed times', () => {
    expect(detectTimestamp('081109 203615 148 INFO dfs.DataNode', NOW)).toEqual({ ts: Date.UTC(2008, 10, 9, 20, 36, 15), end: 13 });
    expect(detectTimestamp('17/06/09 20:10:40 INFO executor', NOW)).toEqual({ ts: Date.UTC(2017, 5, 9, 20, 10, 40), end: 17 });
    expect(detectTimestamp('2026/11/21 10:00:00 x', NOW)?.ts).toBe(Date.UTC(2026, 10, 21, 10));
  });

  it('returns undefined for lines without a leading time', () => {
    for (const text of ['', 'hello world', '12345 apples', '- 1117838570 2005.06.03 R02', '[notice] x', 'Foo 21 10:00:00 x', '081309 203615 month 13', 'user 2026-11-21T10:00:00Z'])
      expect(detectTimestamp(text, NOW), text).toBeUndefined();
  });

  it.skipIf(!fs.existsSync(LOGHUB))('reads the first line of Loghub samples (needs ../shared/data/loghub-2k)', () => {
    const first = (name: string) => fs.readFileSync(path.join(LOGHUB, name, `${name}_2k.log`), 'utf8').split('\n')[0];
    const expected: Record<string, number | undefined> = {
      Apache: Date.UTC(2005, 11, 4, 4, 47, 44),
      HDFS: Date.UTC(2008, 10, 9, 20, 36, 15),
      Hadoop: Date.UTC(2015, 9, 18, 18, 1, 47, 978),
      Spark: Date.UTC(2017, 5, 9, 20, 10, 40),
      Zookeeper: Date.UTC(2015, 6, 29, 17, 41, 44, 747),
      Linux: Date.UTC(2026, 5, 14, 15, 16, 1),
      OpenSSH: Date.UTC(2025, 11, 10, 6, 55, 46),
      BGL: undefined,
    };
    for (const [name, ts] of Object.entries(expected)) expect(detectTimestamp(first(name), NOW)?.ts, name).toBe(ts);
  });
});

describe('timeFromValue', () => {
  it('reads epoch seconds and milliseconds', () => {
    expect(timeFromValue(1_763_719_200)).toBe(1_763_719_200_000);
    expect(timeFromValue(1_763_719_200.5)).toBe(1_763_719_200_500);
    expect(timeFromValue(1_763_719_200_123)).toBe(1_763_719_200_123);
  });

  it('reads digit strings as epoch seconds or milliseconds', () => {
    expect(timeFromValue('1763719200')).toBe(1_763_719_200_000);
    expect(timeFromValue('1763719200123')).toBe(1_763_719_200_123);
    expect(timeFromValue('1763719200.25')).toBe(1_763_719_200_250);
  });

  it('reads ISO strings and other date strings', () => {
    expect(timeFromValue('2026-11-21T10:00:00Z')).toBe(Date.UTC(2026, 10, 21, 10));
    expect(timeFromValue('2026-11-21T10:00:00.5+01:00')).toBe(Date.UTC(2026, 10, 21, 9, 0, 0, 500));
    expect(timeFromValue('Sat, 21 Nov 2026 10:00:00 GMT')).toBe(Date.UTC(2026, 10, 21, 10));
  });

  it('returns undefined for non-times', () => {
    for (const v of [undefined, null, true, {}, [], '', 'hello', 'not a date', Number.NaN, Number.POSITIVE_INFINITY]) expect(timeFromValue(v), String(v)).toBeUndefined();
  });
});

describe('detectTimestamp cache', () => {
  const N = Date.UTC(2026, 10, 21, 12);
  it('does not reuse a cached second for a longer timestamp with the same prefix', () => {
    expect(detectTimestamp('2026-11-21 10:00:00 a', N)).toEqual({ ts: Date.UTC(2026, 10, 21, 10), end: 19 });
    expect(detectTimestamp('2026-11-21 10:00:00.250 b', N)).toEqual({ ts: Date.UTC(2026, 10, 21, 10, 0, 0, 250), end: 23 });
    expect(detectTimestamp('2026-11-21T10:00:00 a', N)?.ts).toBe(Date.UTC(2026, 10, 21, 10));
    expect(detectTimestamp('2026-11-21T10:00:00+05:00 b', N)).toEqual({ ts: Date.UTC(2026, 10, 21, 5), end: 25 });
  });

  it('reads other seconds of a cached minute as the full parse would', () => {
    const lines = [
      '081109 203615 148 INFO a',
      '081109 203659 149 INFO b',
      '081109 203600 x',
      '081109 203660 leap second',
      '081109 203661 no such second',
      '081109 2036',
      '081109 20365',
      '081109 2036xx x',
      '081109 203615.5 x',
      '081109 203616',
      '2026-11-21 10:00:05 a',
      '2026-11-21 10:00:07 b',
      '2026-11-21 10:00:09.5 c',
      '2026-11-21 10:00:09Z d',
      '2026-11-21 10:00:09+01:00 e',
      '2026-11-21 10:00:60 f',
      '2026-11-21 10:00:61 g',
      '2026-11-21 10:00:1 h',
      '17/06/09 20:10:40 INFO x',
      '17/06/09 20:10:41\tINFO y',
      '17/06/09 20:10:99 INFO z',
    ];
    const expected = [
      { ts: Date.UTC(2008, 10, 9, 20, 36, 15), end: 13 },
      { ts: Date.UTC(2008, 10, 9, 20, 36, 59), end: 13 },
      { ts: Date.UTC(2008, 10, 9, 20, 36, 0), end: 13 },
      { ts: Date.UTC(2008, 10, 9, 20, 37, 0), end: 13 },
      undefined,
      undefined,
      undefined,
      undefined,
      { ts: Date.UTC(2008, 10, 9, 20, 36, 15), end: 13 },
      { ts: Date.UTC(2008, 10, 9, 20, 36, 16), end: 13 },
      { ts: Date.UTC(2026, 10, 21, 10, 0, 5), end: 19 },
      { ts: Date.UTC(2026, 10, 21, 10, 0, 7), end: 19 },
      { ts: Date.UTC(2026, 10, 21, 10, 0, 9, 500), end: 21 },
      { ts: Date.UTC(2026, 10, 21, 10, 0, 9), end: 20 },
      { ts: Date.UTC(2026, 10, 21, 9, 0, 9), end: 25 },
      { ts: Date.UTC(2026, 10, 21, 10, 1, 0), end: 19 },
      undefined,
      undefined,
      { ts: Date.UTC(2017, 5, 9, 20, 10, 40), end: 17 },
      { ts: Date.UTC(2017, 5, 9, 20, 10, 41), end: 17 },
      undefined,
    ];
    for (let i = 0; i < lines.length; i++) expect(detectTimestamp(lines[i], N), lines[i]).toEqual(expected[i]);
  });

  it('takes the year of syslog times from now on every call', () => {
    expect(new Date(detectTimestamp('Dec 31 23:59:59 h x', Date.UTC(2026, 10, 21, 12))!.ts).getUTCFullYear()).toBe(2025);
    expect(new Date(detectTimestamp('Dec 31 23:59:59 h y', Date.UTC(2027, 0, 2))!.ts).getUTCFullYear()).toBe(2026);
  });

  it('rejects impossible dates and finds access-log times after IPv6 or host names', () => {
    expect(detectTimestamp('2026-13-01T00:00:00Z x', N)).toBeUndefined();
    expect(detectTimestamp('081132 203615 x', N)).toBeUndefined();
    expect(detectTimestamp('::1 - - [21/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 1', N)?.ts).toBe(Date.UTC(2026, 10, 21, 9));
    expect(detectTimestamp('web-1.example.org - - [21/Nov/2026:10:00:00 +0000] "GET /"', N)?.ts).toBe(Date.UTC(2026, 10, 21, 10));
  });

  it('timeFromValue ignores strings that only Date.parse would read', () => {
    for (const v of ['1', 'foo 12', '404']) expect(timeFromValue(v), v).toBeUndefined();
  });
});
