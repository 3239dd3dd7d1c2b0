/** Parsing of human durations, sizes and times used by config and CLI flags. */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `500ms`, `30s`, `15m`, `24h`, `400d`, `1w` (or a bare number of ms) → milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * DURATION_UNITS[m[2] ?? 'ms']);
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** `64KiB`, `1MiB`, `1GiB`, `10MB` (or a bare number of bytes) → bytes. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = SIZE_UNITS[(m[2] || 'b').toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.round(Number(m[1]) * unit);
}

/**
 * A point in time for `--since`/`--until`: a duration back from `now` (`24h`) or an ISO 8601 time.
 * Returns ms since epoch, or undefined when the text is neither.
 */
export function parseTimeSpec(text: string, now = Date.now()): number | undefined {
  const d = parseDuration(text);
  if (d !== undefined && /[a-z]$/i.test(text.trim())) return now - d;
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const t = Date.parse(text);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** ISO 8601 in UTC with a `Z` offset, the form every JSON output uses. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
