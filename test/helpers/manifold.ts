/**
 * Synthetic inputs for the vector models' behaviour tests: 8 features that are noisy linear mixtures of
 * two hidden factors (a plane in 8-D), and outliers that leave the plane along one feature.
 */
import type { Features } from '../../src/detectors/model.js';
import { gaussian } from '../../src/detectors/ml/feature-space.js';
import { Rng } from '../../src/util/rng.js';

export const MANIFOLD_FEATURES = Array.from({ length: 8 }, (_, j) => `f${j}`);

/** `n` inputs; `shift` moves feature `shifted` off the plane by that many units. */
export function manifold(n: number, seed: number, shift = 0, shifted = 'f3'): Features[] {
  const rng = new Rng(seed);
  const out: Features[] = [];
  for (let i = 0; i < n; i++) {
    const a = gaussian(rng);
    const b = gaussian(rng);
    const x: Features = {};
    MANIFOLD_FEATURES.forEach((f, j) => {
      x[f] = Math.sin(j + 1) * a + Math.cos(j + 1) * b + 0.1 * gaussian(rng) + (f === shifted ? shift : 0);
    });
    out.push(x);
  }
  return out;
}
