import { describe, expect, it } from 'vitest';
import { mapLimit } from './page.js';
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

describe('mapLimit', () => {
  it('keeps the order of results and never runs more than n at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (x) => {
      running++;
      peak = Math.max(peak, running);
      await Promise.resolve();
      await Promise.resolve();
      running--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
    expect(await mapLimit([], 3, async (x: number) => x)).toEqual([]);
  });
});
