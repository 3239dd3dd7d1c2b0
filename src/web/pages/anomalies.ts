/** All anomalies of a range with filters (source, detector, min grade, status, incident), paged, new ones arriving live. */
import { api, type Anomaly } from '../api.js';
import { anomalyList } from '../anomaly-list.js';
import { el } from '../dom.js';
import { subscribe } from '../live.js';
import type { Page } from '../page.js';
import { cursorPager, fillSources } from '../paging.js';
import { hashOf } from '../router.js';
import { timePicker } from '../time-picker.js';
import { parseRange, rangeBounds, rangeParams } from '../timerange.js';

const STATUSES = ['', 'new', 'confirmed', 'false_positive', 'muted', 'suppressed', 'all'];
const PAGE = 50;

export const anomaliesPage: Page = (ctx) => {
  const q = ctx.route.query;
  const range = parseRange(q);
  const filters = {
    source: q.get('source') ?? '',
    detector: q.get('detector') ?? '',
    minGrade: q.get('minGrade') ?? '',
    status: q.get('status') ?? '',
    incident: q.get('incident') ?? '',
  };
  const go = (over: Partial<typeof filters> & { range?: Record<string, string> }) => {
    const { range: r, ...f } = over;
    ctx.go(hashOf('/anomalies', { ...filters, ...f, ...(r ?? rangeParams(range)) }));
  };

  const source = el('select', { testid: 'filter-source', attrs: { name: 'source', 'aria-label': 'source' } }, el('option', { attrs: { value: '' } }, 'all sources'));
  const detector = el('input', { testid: 'filter-detector', attrs: { name: 'detector', placeholder: 'detector', 'aria-label': 'detector' } });
  detector.value = filters.detector;
  const minGrade = el('input', {
    testid: 'filter-min-grade',
    attrs: { name: 'minGrade', type: 'number', min: '0', max: '1', step: '0.05', placeholder: 'min grade', 'aria-label': 'minimum grade' },
  });
  minGrade.value = filters.minGrade;
  const status = el(
    'select',
    { testid: 'filter-status', attrs: { name: 'status', 'aria-label': 'status' } },
    ...STATUSES.map((s) => el('option', { attrs: { value: s } }, s === '' ? 'all but suppressed' : s.replace('_', ' '))),
  );
  status.value = filters.status;
  const form = el(
    'form',
    { class: 'filters', testid: 'anomaly-filters' },
    source,
    detector,
    minGrade,
    status,
    el('button', { attrs: { type: 'submit' } }, 'Filter'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go({ source: source.value, detector: detector.value.trim(), minGrade: minGrade.value, status: status.value });
  });

  const list = anomalyList('No anomalies match.');
  const more = el('button', { class: 'more', testid: 'load-more', attrs: { type: 'button' } }, 'Load more');
  more.hidden = true;
  const message = el('div');
  ctx.root.append(
    el('div', { class: 'toolbar' }, timePicker(range, (r) => go({ range: rangeParams(r) }))),
    el('h1', {}, filters.incident ? `Anomalies of incident #${filters.incident}` : 'Anomalies'),
    form,
    message,
    list.el,
    more,
  );

  const b = rangeBounds(range, Date.now());
  const grade = filters.minGrade === '' ? undefined : Number(filters.minGrade);
  const incident = filters.incident === '' ? undefined : Number(filters.incident);
  const query = () => ({
    since: b.since,
    until: b.until,
    source: filters.source || undefined,
    detector: filters.detector || undefined,
    minGrade: grade !== undefined && Number.isFinite(grade) ? grade : undefined,
    status: filters.status || undefined,
    incident: incident !== undefined && Number.isInteger(incident) && incident > 0 ? incident : undefined,
    limit: PAGE,
  });

  const pager = cursorPager({
    load: (cursor) => api.anomalies({ ...query(), cursor }),
    show: (items, first) => (first ? list.set(items) : list.append(items)),
    more,
    message,
    what: 'anomalies',
  });
  fillSources(source, filters.source);

  const matches = (a: Anomaly) =>
    b.live &&
    (!filters.source || a.source === filters.source) &&
    (!filters.detector || a.detector === filters.detector || a.detectors.some((d) => d.detector === filters.detector)) &&
    (grade === undefined || !Number.isFinite(grade) || a.grade >= grade) &&
    (incident === undefined || a.incident === incident) &&
    (filters.status === 'all' || (filters.status === '' ? a.status !== 'suppressed' : a.status === filters.status));
  const unsubscribe = subscribe({ anomaly: (a) => matches(a) && list.prepend(a), reconnected: () => void pager.page(true) });
  void pager.page(true);
  return () => {
    pager.close();
    unsubscribe();
  };
};
