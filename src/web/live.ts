/**
 * One Server-Sent Events connection to /api/stream shared by every page; pages subscribe while shown.
 * EventSource reconnects by itself; the cookie carries auth (it cannot send an Authorization header).
 */
import type { Anomaly, SeriesEvent } from './api.js';

export interface LiveHandlers {
  anomaly?: (a: Anomaly) => void;
  series?: (p: SeriesEvent) => void;
  /** The stream came back after a break: events of the gap are not replayed, so reload what is shown. */
  reconnected?: () => void;
}

type State = 'connecting' | 'live' | 'offline';

const subscribers = new Set<LiveHandlers>();
const stateListeners = new Set<(s: State) => void>();
let source: EventSource | undefined;
let state: State = 'offline';
let wasLive = false;

function setState(s: State): void {
  state = s;
  for (const fn of stateListeners) fn(s);
}

function parse<T>(e: MessageEvent): T | undefined {
  try {
    return JSON.parse(String(e.data)) as T;
  } catch {
    return undefined; // a malformed event is skipped, the stream goes on
  }
}

export function startLive(): void {
  if (source) return;
  setState('connecting');
  source = new EventSource('/api/stream');
  source.onopen = () => {
    setState('live');
    if (wasLive) for (const s of subscribers) s.reconnected?.();
    wasLive = true;
  };
  source.onerror = () => setState(source?.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
  source.addEventListener('anomaly', (e) => {
    const a = parse<Anomaly>(e);
    if (a) for (const s of subscribers) s.anomaly?.(a);
  });
  source.addEventListener('series', (e) => {
    const p = parse<SeriesEvent>(e);
    if (p) for (const s of subscribers) s.series?.(p);
  });
}

export function stopLive(): void {
  source?.close();
  source = undefined;
  wasLive = false;
  setState('offline');
}

/** Subscribes until the returned function is called. */
export function subscribe(h: LiveHandlers): () => void {
  subscribers.add(h);
  return () => subscribers.delete(h);
}

export function onLiveState(fn: (s: State) => void): void {
  stateListeners.add(fn);
  fn(state);
}
