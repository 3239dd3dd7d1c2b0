/** Grades (0..1, an anomaly from detect.threshold, 0.7 by default) as colour levels and per-bucket maxima. */

/** 0 below the alarm threshold, then 1..4 from mild to severe; the CSS colours `.grade-N` and `.heat-N`. */
export function gradeLevel(grade: number | null | undefined): number {
  if (grade === null || grade === undefined || !Number.isFinite(grade) || grade < 0.7) return 0;
  if (grade < 0.8) return 1;
  if (grade < 0.9) return 2;
  if (grade < 0.97) return 3;
  return 4;
}

export function gradeText(grade: number): string {
  return Number.isFinite(grade) ? grade.toFixed(2) : '?';
}

/**
 * The highest grade per time bucket over [since, until) cut into `n` equal buckets (null: no anomaly);
 * anomalies outside the span are ignored.
 */
export function heatBuckets(items: ReadonlyArray<{ ts: number; grade: number }>, since: number, until: number, n: number): Array<number | null> {
  const out: Array<number | null> = new Array<number | null>(Math.max(0, n)).fill(null);
  const span = until - since;
  if (n <= 0 || !(span > 0)) return out;
  for (const a of items) {
    if (!(a.ts >= since && a.ts < until)) continue;
    const i = Math.min(n - 1, Math.floor(((a.ts - since) / span) * n));
    const cur = out[i];
    if (cur === null || a.grade > cur) out[i] = a.grade;
  }
  return out;
}
