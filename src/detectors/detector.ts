/** Helpers shared by detectors. The contract itself is in contract.ts. */
export type { Finding } from './contract.js';

/** Maps a surprise (e.g. -log10 of a tail probability) to a grade in 0..1, 0.5 at `scale`. */
export function surpriseToGrade(surprise: number, scale: number): number {
  if (!(surprise > 0)) return 0;
  return surprise / (surprise + scale);
}

/** Shortens text for a one-line reason. */
export function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}
