/** A false positive told to a calibrator moves its alarm boundary past that score. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../util/rng.js';
import { Calibrator } from './calibrate.js';

describe('Calibrator.observeNormal', () => {
  for (const alarmRate of [0.01, 0.001, 0]) {
    it(`a score marked normal no longer alarms (alarmRate ${alarmRate}); a higher one still does`, () => {
      const c = new Calibrator({ threshold: 0.7, alarmRate, warmup: 100 });
      const r = new Rng(3);
      for (let i = 0; i < 5000; i++) c.observe(r.exponential(1));
      const fp = 12;
      expect(c.grade(fp)).toBeGreaterThanOrEqual(0.7);
      c.observeNormal(fp);
      expect(c.grade(fp)).toBeLessThan(0.7);
      expect(c.grade(fp * 3)).toBeGreaterThanOrEqual(0.7);
      // an ordinary score is graded as before
      expect(c.grade(0.5)).toBeLessThan(0.7);
    });
  }
});
