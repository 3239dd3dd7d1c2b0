import { describe, expect, it } from 'vitest';
import { anomalyHash, hashOf, parseHash } from './router.js';

describe('hash routes', () => {
  it('maps hashes to pages with their query', () => {
    expect(parseHash('').page).toBe('overview');
    expect(parseHash('#/').page).toBe('overview');
    const r = parseHash('#/?range=24h');
    expect([r.page, r.query.get('range')]).toEqual(['overview', '24h']);
    expect(parseHash('#/anomalies?status=all').query.get('status')).toBe('all');
    expect(parseHash('#/templates').page).toBe('templates');
    expect(parseHash('#/sources').page).toBe('sources');
    expect(parseHash('#/nope').page).toBe('notfound');
    expect(parseHash('#/anomaly/%E0%A4%A').page).toBe('notfound');
  });

  it('round-trips anomaly ids, whatever characters they hold', () => {
    for (const id of ['42', 'a/b?c#d', '<script>']) {
      const r = parseHash(anomalyHash(id));
      expect([r.page, r.id]).toEqual(['anomaly', id]);
    }
  });

  it('builds hashes without empty query values', () => {
    expect(hashOf('/anomalies', { source: 'waf', detector: '', minGrade: undefined })).toBe('#/anomalies?source=waf');
    expect(hashOf('/')).toBe('#/');
  });
});
