/** A list of anomalies, newest first; live items are prepended. Each item links to its anomaly page. */
import type { Anomaly } from './api.js';
import { el, fmtTime, gradeBadge, link, logText, statusBadge } from './dom.js';
import { anomalyHash } from './router.js';

export interface AnomalyListView {
  el: HTMLElement;
  /** Replaces the items. */
  set(items: readonly Anomaly[]): void;
  /** Adds older items at the end (next page). */
  append(items: readonly Anomaly[]): void;
  /** Adds a new item on top (live); ignored if already listed. */
  prepend(a: Anomaly): void;
  size(): number;
}

function item(a: Anomaly, fresh: boolean): HTMLLIElement {
  const where = a.file ? `${a.file}${a.line !== undefined ? `:${a.line}` : ''}` : a.session ? `session ${a.session}` : a.kind;
  return el(
    'li',
    { class: `anomaly${fresh ? ' fresh' : ''}`, testid: 'anomaly-item', data: { id: String(a.id), status: a.status, source: a.source, detector: a.detector } },
    link(
      anomalyHash(a.id),
      el('div', { class: 'row1' }, el('span', { class: 'when' }, fmtTime(a.ts)), el('span', { class: 'src' }, logText(a.source)), el('span', { class: 'det' }, a.detector), statusBadge(a.status)),
      el('div', { class: 'row2' }, gradeBadge(a.grade), el('span', { class: 'reason' }, logText(a.reason))),
      el('div', { class: 'where' }, logText(where)),
    ),
  );
}

export function anomalyList(empty = 'No anomalies in this range.'): AnomalyListView {
  const ul = el('ul', { class: 'anomalies', testid: 'anomaly-list' });
  const placeholder = el('li', { class: 'empty', testid: 'anomaly-list-empty' }, empty);
  const ids = new Set<string>();
  const sync = () => {
    if (ids.size === 0 && !placeholder.isConnected) ul.appendChild(placeholder);
    if (ids.size > 0) placeholder.remove();
  };
  sync();
  const view: AnomalyListView = {
    el: ul,
    set(items) {
      ids.clear();
      ul.replaceChildren();
      view.append(items);
    },
    append(items) {
      for (const a of items) {
        if (ids.has(String(a.id))) continue;
        ids.add(String(a.id));
        ul.appendChild(item(a, false));
      }
      sync();
    },
    prepend(a) {
      if (ids.has(String(a.id))) return;
      ids.add(String(a.id));
      placeholder.remove();
      ul.insertBefore(item(a, true), ul.firstChild);
    },
    size: () => ids.size,
  };
  return view;
}
