/** Template explorer: every source's message shapes, most frequent first, searchable. */
import { api, type Template } from '../api.js';
import { visibleText } from '../display.js';
import { el, fmtNumber, fmtTime, logText, note, table } from '../dom.js';
import { errorText, type Page } from '../page.js';
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

  let alive = true;
  let cursor: string | null = null;
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
  async function page(first: boolean): Promise<void> {
    more.disabled = true;
    try {
      const res = await api.templates({ source: sourceName || undefined, q: search || undefined, limit: PAGE, cursor: first ? null : cursor });
      if (!alive) return;
      if (first) tbody.replaceChildren();
      tbody.append(...res.items.map(row));
      cursor = res.nextCursor;
      more.hidden = !cursor;
      message.replaceChildren(tbody.children.length ? '' : note(search ? 'No template contains that text.' : 'No templates yet.'));
    } catch (e) {
      if (alive) message.replaceChildren(note(`Could not load templates: ${errorText(e)}`, 'error'));
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', () => void page(false));
  api
    .sources()
    .then((res) => {
      for (const s of res.items) source.appendChild(el('option', { attrs: { value: s.name } }, visibleText(s.name)));
      source.value = sourceName;
    })
    .catch(() => {
      // searching all sources still works
    });
  void page(true);
  return () => {
    alive = false;
  };
};
