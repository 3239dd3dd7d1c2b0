/** Hash routes: `#/`, `#/anomalies`, `#/anomaly/:id`, `#/templates`, `#/sources`, each with an optional `?query`. */

export interface Route {
  page: 'overview' | 'anomalies' | 'anomaly' | 'templates' | 'sources' | 'notfound';
  /** The `:id` of `#/anomaly/:id`, decoded. */
  id?: string;
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#/, '') || '/';
  const q = h.indexOf('?');
  const path = q < 0 ? h : h.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : h.slice(q + 1));
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return { page: 'overview', query };
  if (parts.length === 1 && (parts[0] === 'anomalies' || parts[0] === 'templates' || parts[0] === 'sources')) return { page: parts[0], query };
  if (parts.length === 2 && parts[0] === 'anomaly') {
    try {
      return { page: 'anomaly', id: decodeURIComponent(parts[1]), query };
    } catch {
      return { page: 'notfound', query };
    }
  }
  return { page: 'notfound', query };
}

/** The hash for a page and query (empty values left out). */
export function hashOf(path: string, query: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export function anomalyHash(id: string | number): string {
  return `#/anomaly/${encodeURIComponent(String(id))}`;
}
