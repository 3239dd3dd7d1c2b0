/** Template explorer: every source's message shapes, most frequent first, searchable. */
import { api, type Template } from '../api.js';
import { el, fmtNumber, fmtTime, logText, note, table } from '../dom.js';
import type { Page } from '../page.js';
import { cursorPager, fillSources } from '../paging.js';
import { hashOf } from '../router.js';

const PAGE = 100;

export const templatesPage: Page = (ctx) => {
  const sourceName = ctx.route.query.get('source') ?? '';
  const search = ctx.route.query.get('q') ?? '';
  const source = el('select', { testid: 'templates-source', attrs: { 'aria-label': 'source' } }, el('option', { attrs: { value: '' } }, 'all sources'));
  const q = el('input', { testid: 'templates-search', attrs: { type: 'search', placeholder: 'text in the template', 'aria-label': 'search' } });
  q.value = search;
  const form = el('form', { class: 'filters' }, source, q, el('button', { attrs: { type: 'submit' } }, 'Search'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.go(hashOf('/templates', { source: source.value, q: q.value }));
  });
  const tbody = el('tbody');
  const more = el('button', { class: 'more', testid: 'load-more', attrs: { type: 'button' } }, 'Load more');
  more.hidden = true;
  const message = el('div');
  const grid = table(['#', 'source', 'template', 'count', 'first seen', 'last seen'], [], 'templates');
  grid.tBodies[0].replaceWith(tbody);
  ctx.root.append(el('h1', {}, 'Templates'), form, message, grid, more);

  const row = (t: Template) =>
    el(
      'tr',
      { testid: 'template-row', data: { id: String(t.id) } },
      el('td', { class: 'num' }, String(t.id)),
      el('td', {}, logText(t.source)),
      el('td', { class: 'template' }, logText(t.template)),
      el('td', { class: 'num' }, fmtNumber(t.count)),
      el('td', {}, fmtTime(t.firstSeen)),
      el('td', {}, fmtTime(t.lastSeen)),
    );
  const pager = cursorPager({
    load: (cursor) => api.templates({ source: sourceName || undefined, q: search || undefined, limit: PAGE, cursor }),
    show: (items, first) => {
      if (first) tbody.replaceChildren();
      tbody.append(...items.map(row));
    },
    more,
    message,
    what: 'templates',
    after: () => (tbody.children.length ? '' : note(search ? 'No template contains that text.' : 'No templates yet.')),
  });
  fillSources(source, sourceName);
  void pager.page(true);
  return () => pager.close();
};
