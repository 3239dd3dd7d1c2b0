import { describe, expect, it } from 'vitest';
import { foldFindings } from './pipeline.js';

describe('foldFindings', () => {
  it('folds every finding of one scope and time into one anomaly head, strongest first', () => {
    const findings = [
      { detector: 'rcf', grade: 0.7, reason: 'volume odd', explain: { score: 3, contributions: [{ feature: 'records', value: 900 }] } },
      { detector: 'field-rate', grade: 0.92, reason: 'unknown country spike', explain: { field: 'country', contributions: [{ feature: 'country=XX', value: 40 }] } },
      { detector: 'vae', grade: 0.2, reason: 'fine', explain: {} },
    ];
    const f = foldFindings(findings, [{ feature: 'fallback' }]);
    expect(f.head).toEqual({
      grade: 0.92,
      detector: 'field-rate',
      reason: 'unknown country spike',
      detectors: [
        { detector: 'field-rate', grade: 0.92 },
        { detector: 'rcf', grade: 0.7 },
        { detector: 'vae', grade: 0.2 },
      ],
    });
    expect(f.findings.map((x) => x.detector)).toEqual(['field-rate', 'rcf', 'vae']);
    expect(f.findings[1]).toMatchObject({ detector: 'rcf', grade: 0.7, reason: 'volume odd', score: 3 });
    expect(f.contributions).toEqual([
      { detector: 'field-rate', feature: 'country=XX', value: 40 },
      { detector: 'rcf', feature: 'records', value: 900 },
    ]);
  });

  it('falls back to the given contributions when no finding names any', () => {
    const f = foldFindings([{ detector: 'new-template', grade: 1, reason: 'new', explain: {} }], [{ feature: 'template#3', value: 'x' }]);
    expect(f.contributions).toEqual([{ feature: 'template#3', value: 'x' }]);
  });
});
