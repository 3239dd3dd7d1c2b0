import { describe, expect, it } from 'vitest';
import type { ParsedRecord } from '../model/record.js';
import { recordCtx } from '../../test/helpers/detector-harness.js';
import { clip } from './detector.js';
import { NewTemplateDetector } from './new-template.js';

function rec(change: ParsedRecord['change'], template = 'disk <*> failed'): ParsedRecord {
  return {
    source: 's',
    offset: 0,
    line: 1,
    ts: 0,
    tsFromRecord: false,
    raw: 'disk sda failed',
    message: 'disk sda failed',
    fields: {},
    truncated: false,
    templateId: 42,
    template,
    params: ['sda'],
    change,
  };
}

/** The record after `before` records of its source. */
const after = (before: number) => recordCtx({ before });

describe('NewTemplateDetector', () => {
  const d = new NewTemplateDetector({ enabled: true, grade: 0.75, warmupRecords: 100 });

  it('stays quiet during warm-up', () => {
    expect(d.score(rec('created'), after(0))).toEqual([]);
    expect(d.score(rec('created'), after(99))).toEqual([]);
  });

  it('flags a created template after warm-up with the configured grade', () => {
    expect(d.score(rec('created'), after(100))).toEqual([
      {
        detector: 'new-template',
        grade: 0.75,
        reason: 'new template #42 after 100 records: disk <*> failed',
        explain: { template: 'disk <*> failed', templateId: 42 },
      },
    ]);
  });

  it('ignores known templates, also when they were just generalised', () => {
    expect(d.score(rec('none'), after(5000))).toEqual([]);
    expect(d.score(rec('updated'), after(5000))).toEqual([]);
  });

  it('does nothing when disabled', () => {
    expect(new NewTemplateDetector({ enabled: false, grade: 0.75, warmupRecords: 0 }).score(rec('created'), after(10))).toEqual([]);
  });

  it('clips long templates in the reason', () => {
    const [f] = d.score(rec('created', 'x'.repeat(300)), after(100));
    expect(f.reason).toBe(`new template #42 after 100 records: ${'x'.repeat(119)}…`);
    expect(clip('short', 10)).toBe('short');
    expect(clip('abcdef', 4)).toBe('abc…');
  });
});
