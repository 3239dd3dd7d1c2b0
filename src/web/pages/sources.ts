/** Sources: per source its lines, rate, lag, errors and files; refreshed every few seconds. */
import { api, type Source } from '../api.js';
import { el, fmtBytes, fmtNumber, fmtTime, link, logText, note, table } from '../dom.js';
import { errorText, type Page } from '../page.js';
import { hashOf } from '../router.js';

const REFRESH_MS = 5000;

export const sourcesPage: Page = (ctx) => {
  const content = el('div', { testid: 'sources' }, note('Loading…'));
  ctx.root.append(el('h1', {}, 'Sources'), content);
  let alive = true;

  const card = (s: Source) => {
    const files = s.files.map((f) =>
      el(
        'tr',
        { testid: 'source-file', class: f.gone ? 'gone' : '' },
        el('td', { class: 'path' }, logText(f.path)),
        el('td', { class: 'num' }, fmtBytes(f.size)),
        el('td', { class: 'num' }, fmtBytes(f.offset)),
        el('td', { class: `num${f.lagBytes > 0 ? ' lagging' : ''}` }, fmtBytes(f.lagBytes)),
        el('td', {}, fmtTime(f.lastRead)),
        el('td', {}, f.gone ? 'gone' : ''),
      ),
    );
    const stat = (label: string, value: string, cls = '') => el('div', { class: `stat ${cls}`.trim() }, el('span', { class: 'v' }, value), el('span', { class: 'k' }, label));
    return el(
      'section',
      { class: 'card source-card', testid: 'source-card', data: { source: s.name } },
      el('h2', {}, logText(s.name), s.warmingUp ? el('span', { class: 'pill' }, 'warming up') : null),
      el(
        'div',
        { class: 'stats' },
        stat('lines', fmtNumber(s.lines)),
        stat('lines/s', fmtNumber(s.linesPerSec, 1)),
        stat('lag', fmtBytes(s.lagBytes), s.lagBytes > 0 ? 'lagging' : ''),
        stat('errors', fmtNumber(s.errors), s.errors > 0 ? 'bad' : ''),
        stat('templates', fmtNumber(s.templates)),
        stat('anomalies', fmtNumber(s.anomalies)),
      ),
      el('p', { class: 'links' }, link(hashOf('/anomalies', { source: s.name }), 'anomalies'), ' · ', link(hashOf('/templates', { source: s.name }), 'templates')),
      files.length ? table(['file', 'size', 'read to', 'lag', 'last read', ''], files, 'source-files') : null,
    );
  };

  async function load(): Promise<void> {
    try {
      const res = await api.sources();
      if (!alive) return;
      content.replaceChildren(...(res.items.length ? res.items.map(card) : [note('No sources yet.')]));
    } catch (e) {
      if (alive) content.replaceChildren(note(`Could not load sources: ${errorText(e)}`, 'error'));
    }
  }
  void load();
  const timer = window.setInterval(() => void load(), REFRESH_MS);
  return () => {
    alive = false;
    clearInterval(timer);
  };
};
