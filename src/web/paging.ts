/** What the list pages share: cursor paging behind a "Load more" button, and the source filter's options. */
import { api } from './api.js';
import { visibleText } from './display.js';
import { el, note } from './dom.js';
import { errorText } from './page.js';

export interface Pager {
  /** Loads the first page (replacing what is shown) or the next one. */
  page(first: boolean): Promise<void>;
  /** The page went away: late answers are ignored. */
  close(): void;
}

export function cursorPager<T>(opts: {
  load(cursor: string | null): Promise<{ items: T[]; nextCursor: string | null }>;
  show(items: T[], first: boolean): void;
  more: HTMLButtonElement;
  message: HTMLElement;
  /** What the page lists, for the error message. */
  what: string;
  /** The message once a page is shown (default: none). */
  after?: () => Node | string;
}): Pager {
  let alive = true;
  let cursor: string | null = null;
  async function page(first: boolean): Promise<void> {
    opts.more.disabled = true;
    try {
      const res = await opts.load(first ? null : cursor);
      if (!alive) return;
      opts.show(res.items, first);
      cursor = res.nextCursor;
      opts.more.hidden = !cursor;
      opts.message.replaceChildren(opts.after?.() ?? '');
    } catch (e) {
      if (alive) opts.message.replaceChildren(note(`Could not load ${opts.what}: ${errorText(e)}`, 'error'));
    } finally {
      opts.more.disabled = false;
    }
  }
  opts.more.addEventListener('click', () => void page(false));
  return { page, close: () => (alive = false) };
}

/** Fills a source filter with the source names (the page still works without them). */
export function fillSources(select: HTMLSelectElement, selected: string): void {
  api
    .sources()
    .then((res) => {
      for (const s of res.items) select.appendChild(el('option', { attrs: { value: s.name } }, visibleText(s.name)));
      select.value = selected;
    })
    .catch(() => undefined);
}
