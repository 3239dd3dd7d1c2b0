/**
 * What detectors produce. Detectors score (pure) and learn (state change) separately, keep their
 * state in plain JSON-able objects owned by the caller (one per source), and never look at other sources.
 */
export interface Finding {
  detector: string;
  /** 0..1; at or above the configured threshold it is an anomaly. */
  grade: number;
  reason: string;
  explain: Record<string, unknown>;
}

/** Maps a surprise (e.g. -log10 of a tail probability) to a grade in 0..1, 0.5 at `scale`. */
export function surpriseToGrade(surprise: number, scale: number): number {
  if (!(surprise > 0)) return 0;
  return surprise / (surprise + scale);
}

/** Shortens text for a one-line reason. */
export function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}
