/** A list of incidents, newest first; each links to the anomalies of that incident. Text-only DOM. */
import type { Incident } from './api.js';
import { el, fmtTime, gradeBadge, link, logText } from './dom.js';
import { hashOf } from './router.js';

function item(i: Incident): HTMLLIElement {
  return el(
    'li',
    { class: 'anomaly incident', testid: 'incident-item', data: { id: String(i.id), status: i.status } },
    link(
      hashOf('/anomalies', { incident: i.id, range: 'all' }),
      el(
        'div',
        { class: 'row1' },
        el('span', { class: 'when' }, `${fmtTime(i.start)} – ${fmtTime(i.end)}`),
        el('span', { class: 'src' }, logText(i.sources.join(', '))),
        el('span', { class: 'det' }, `${i.anomalies} anomal${i.anomalies === 1 ? 'y' : 'ies'}`),
        el('span', { class: `badge status-${i.status}` }, i.status),
      ),
      el('div', { class: 'row2' }, gradeBadge(i.grade), el('span', { class: 'reason' }, logText(i.summary))),
      el('div', { class: 'where' }, logText(i.detectors.map((d) => d.detector).join(', '))),
    ),
  );
}

export function incidentList(empty = 'No incidents in this range.'): { el: HTMLUListElement; set(items: readonly Incident[]): void; has(id: number): boolean } {
  const ul = el('ul', { class: 'anomalies incidents', testid: 'incident-list' });
  const ids = new Set<number>();
  const view = {
    el: ul,
    set(items: readonly Incident[]) {
      ids.clear();
      for (const i of items) ids.add(i.id);
      ul.replaceChildren(...(items.length ? items.map(item) : [el('li', { class: 'empty', testid: 'incident-list-empty' }, empty)]));
    },
    has: (id: number) => ids.has(id),
  };
  view.set([]);
  return view;
}
