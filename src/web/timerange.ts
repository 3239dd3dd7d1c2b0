/** The time-range picker's state: presets that follow "now" (live) or a fixed custom from/to. */

export const PRESETS = ['15m', '1h', '24h', '7d', 'all'] as const;
export type Preset = (typeof PRESETS)[number];

export type TimeRange = { kind: 'preset'; preset: Preset } | { kind: 'custom'; from: number; to: number };

export const DEFAULT_RANGE: TimeRange = { kind: 'preset', preset: '1h' };

const PRESET_MS: Record<Exclude<Preset, 'all'>, number> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
};

export interface Bounds {
  /** Undefined: from the oldest record in the store. */
  since?: number;
  /** Undefined: up to now and on (live). */
  until?: number;
  /** Whether live points and anomalies belong in this range. */
  live: boolean;
}

function isPreset(s: string | null): s is Preset {
  return s !== null && (PRESETS as readonly string[]).includes(s);
}

/**
 * A time given by the user or the URL: ms since the epoch, ISO 8601, or the `YYYY-MM-DDTHH:MM` of a
 * datetime-local input (local time, as the browser shows it).
 */
export function parseTime(s: string | null | undefined): number | undefined {
  if (s === null || s === undefined) return undefined;
  const t = s.trim();
  if (t === '') return undefined;
  if (/^\d+$/.test(t)) return Number(t);
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The value a datetime-local input shows for a time (local time, minutes). */
export function toDateInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The range a page's query names (`range=24h`, or `from=…&to=…`); anything unreadable gives the default. */
export function parseRange(q: URLSearchParams): TimeRange {
  const from = parseTime(q.get('from'));
  const to = parseTime(q.get('to'));
  if (from !== undefined && to !== undefined && to > from) return { kind: 'custom', from, to };
  const preset = q.get('range');
  return isPreset(preset) ? { kind: 'preset', preset } : DEFAULT_RANGE;
}

/** The query that names a range, the inverse of parseRange. */
export function rangeParams(r: TimeRange): Record<string, string> {
  return r.kind === 'custom' ? { from: String(r.from), to: String(r.to) } : { range: r.preset };
}

/** The since/until to ask the API for, at time `now`. */
export function rangeBounds(r: TimeRange, now: number): Bounds {
  if (r.kind === 'custom') return { since: r.from, until: r.to, live: r.to >= now };
  if (r.preset === 'all') return { live: true };
  return { since: now - PRESET_MS[r.preset], live: true };
}

export function rangeLabel(r: TimeRange): string {
  if (r.kind === 'preset') return r.preset === 'all' ? 'everything' : `last ${r.preset}`;
  return `${new Date(r.from).toLocaleString()} – ${new Date(r.to).toLocaleString()}`;
}
