import { describe, expect, it } from 'vitest';
import type { ParsedRecord } from '../model/record.js';
import { recordCtx } from '../../test/helpers/detector-harness.js';
import type { Finding } from './contract.js';
import { SeverityDetector } from './severity.js';

function rec(level: unknown, message = 'kernel panic 3'): ParsedRecord {
  return { source: 's', offset: 0, line: 1, ts: 0, tsFromRecord: false, raw: message, message, fields: level === undefined ? {} : { level }, truncated: false, templateId: 3, template: 'kernel panic <*>', params: [], change: 'none' };
}

/** The record as the `count`-th of its template among `total` records of its source. */
const counted = (count: number, total: number) => recordCtx({ count, total });

/** The one finding of a score. */
function one(fs: Finding[]): Finding {
  expect(fs).toHaveLength(1);
  return fs[0];
}

describe('SeverityDetector', () => {
  const d = new SeverityDetector({ enabled: true, fatalGrade: 0.8, errorGrade: 0.5, routineShare: 0.05 });

  it('grades fatal-class levels at fatalGrade and error-class at errorGrade, case-insensitively', () => {
    expect(one(d.score(rec('FATAL'), counted(1, 1000))).grade).toBe(0.8);
    expect(one(d.score(rec('crit'), counted(1, 1000))).grade).toBe(0.8);
    expect(one(d.score(rec('Error'), counted(1, 1000))).grade).toBe(0.5);
    expect(one(d.score(rec('FATAL'), counted(1, 1000))).reason).toMatch(/^FATAL line: kernel panic/);
  });

  it('ignores other levels and records without one', () => {
    expect(d.score(rec('INFO'), counted(1, 1000))).toEqual([]);
    expect(d.score(rec(undefined), counted(1, 1000))).toEqual([]);
    expect(d.score(rec(42), counted(1, 1000))).toEqual([]);
  });

  it('fades a template that is routine in its source', () => {
    const g = one(d.score(rec('FATAL'), counted(200, 1000)));
    expect(g.grade).toBeLessThan(0.7);
    expect(g.reason).toMatch(/routine/);
    expect(new SeverityDetector({ enabled: false, fatalGrade: 0.8, errorGrade: 0.5, routineShare: 0.05 }).score(rec('FATAL'), counted(1, 10))).toEqual([]);
  });

  it('grades a fatal detail line (one register and its value) as an error line: context of its headline, not an event', () => {
    for (const m of ['instruction address: 0x00004ed8', 'machine check enable..............0', 'problem state (0=sup,1=usr).......1', 'exception syndrome register: 0x00800000']) {
      const f = one(d.score(rec('FATAL', m), counted(1, 1000)));
      expect(f.grade, m).toBe(0.5);
      expect(f.reason).toMatch(/^FATAL detail line/);
    }
    for (const m of ['data TLB error interrupt', 'rts: kernel terminated for reason 1004', 'Lustre mount FAILED : bglio11 : point /p/gb1', 'Error: out of memory', 'java.lang.OutOfMemoryError: 12']) {
      expect(one(d.score(rec('FATAL', m), counted(1, 1000))).grade, m).toBe(0.8);
    }
  });
});
