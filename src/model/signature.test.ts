import { describe, expect, it } from 'vitest';
import type { Anomaly } from './record.js';
import { anomalySignature } from './signature.js';

const base: Anomaly = { kind: 'window', source: 'waf', ts: 1, grade: 0.9, detector: 'field-rate', detectors: [{ detector: 'field-rate', grade: 0.9 }], reason: 'r' };

describe('anomalySignature', () => {
  it('names detector, source, template and the firing detector’s field values, sorted', () => {
    const a = { ...base, explain: { contributions: [{ detector: 'field-rate', feature: 'country=ZZ' }, { detector: 'field-rate', feature: 'country=XX' }, { detector: 'window-rcf', feature: 'records.log2' }] } };
    expect(anomalySignature(a)).toBe('field-rate|waf|-|country=XX,country=ZZ');
  });

  it('joins a feature with its scalar value; template ids tell record findings apart', () => {
    const a: Anomaly = { ...base, kind: 'record', detector: 'severity', templateId: 7, explain: { contributions: [{ detector: 'severity', feature: 'level', value: 'FATAL' }] } };
    expect(anomalySignature(a)).toBe('severity|waf|7|level=FATAL');
    expect(anomalySignature({ ...a, templateId: 8 })).not.toBe(anomalySignature(a));
  });

  it('ignores the template fallback (no detector) and survives a missing explanation', () => {
    expect(anomalySignature({ ...base, explain: { contributions: [{ feature: 'template#3', value: 'x <*>' }] } })).toBe('field-rate|waf|-|');
    expect(anomalySignature(base)).toBe('field-rate|waf|-|');
  });
});
