/**
 * Overview: per source, a grade heat strip and trend charts of its monitored fields with anomaly markers;
 * beside them the incidents and the anomalies of the range. Live: new anomalies and closed windows arrive over SSE.
 */
import { api, type Anomaly, type SeriesEvent } from '../api.js';
import { anomalyList } from '../anomaly-list.js';
import { incidentList } from '../incident-list.js';
import { trendChart, type TrendChart } from '../chart.js';
import { el, fmtTime, link, logText, note } from '../dom.js';
import { gradeLevel, gradeText, heatBuckets } from '../grades.js';
import { subscribe } from '../live.js';
import { errorText, mapLimit, type Page } from '../page.js';
import { hashOf } from '../router.js';
import { addPoint, chartGroups, legendLabel, toAligned, trimBefore, type ChartGroup, type Point } from '../series.js';
import { timePicker } from '../time-picker.js';
import { parseRange, rangeBounds, rangeParams, type Bounds } from '../timerange.js';

const HEAT_BUCKETS = 96;
const CHART_POINTS = 600;
/** Anomalies fetched for markers and heat strips: the newest of the range (see docs/dashboard.md). */
const MARKER_PAGES = 5;
const MARKER_PAGE_SIZE = 200;
/** Incidents listed beside the charts: the newest of the range. */
const INCIDENTS = 20;

interface ChartState {
  group: ChartGroup;
  points: Map<string, Point[]>;
  step: number;
  chart?: TrendChart;
  pending: boolean;
}

interface SourceView {
  name: string;
  section: HTMLElement;
  heat: HTMLElement;
  charts: HTMLElement;
  count: HTMLElement;
}

export const overview: Page = (ctx) => {
  const range = parseRange(ctx.route.query);
  const bounds = (): Bounds => rangeBounds(range, Date.now());
  const list = anomalyList();
  const incidents = incidentList();
  const body = el('div', { class: 'source-sections', testid: 'overview-sources' }, note('Loading…'));
  const side = el('aside', { class: 'side-col' }, el('h2', {}, 'Incidents'), incidents.el, el('h2', {}, 'Anomalies'), list.el, link(hashOf('/anomalies', rangeParams(range)), 'All anomalies →'));
  ctx.root.append(
    el('div', { class: 'toolbar' }, timePicker(range, (r) => ctx.go(hashOf('/', rangeParams(r))))),
    el('div', { class: 'overview' }, el('div', { class: 'main-col' }, body), side),
  );

  let alive = true;
  let anomalies: Anomaly[] = [];
  let charts: ChartState[] = [];
  const sources = new Map<string, SourceView>();
  let dataMin: number | undefined;
  let reloadTimer: number | undefined;
  let lastLoad = 0;

  const xRange = (): [number | undefined, number | undefined] => {
    const b = bounds();
    const latest = anomalies.reduce((m, a) => Math.max(m, a.ts), 0);
    // "all" starts at the oldest point of any chart, so that every chart and strip shares one time axis
    const earliest = anomalies.reduce((m, a) => Math.min(m, a.ts), dataMin ?? Infinity);
    return [b.since ?? (Number.isFinite(earliest) ? earliest : undefined), b.until ?? Math.max(Date.now(), latest)];
  };

  const markersOf = (source: string) => anomalies.filter((a) => a.source === source);

  function sourceView(name: string): SourceView {
    let v = sources.get(name);
    if (v) return v;
    const heat = el('div', { class: 'heat', testid: 'heat-strip', data: { source: name } });
    const chartsEl = el('div', { class: 'charts' });
    const count = el('span', { class: 'count' });
    const section = el(
      'section',
      { class: 'source', testid: 'source-section', data: { source: name } },
      el('h2', {}, logText(name), count),
      el('div', { class: 'heat-wrap' }, el('span', { class: 'heat-label' }, 'max grade'), heat),
      chartsEl,
    );
    v = { name, section, heat, charts: chartsEl, count };
    sources.set(name, v);
    body.appendChild(section);
    return v;
  }

  function drawHeat(v: SourceView): void {
    const [lo, hi] = xRange();
    const mine = markersOf(v.name);
    const start = lo ?? Infinity;
    const end = hi ?? Date.now();
    v.count.textContent = ` · ${mine.length}${mine.length >= MARKER_PAGES * MARKER_PAGE_SIZE ? '+' : ''} anomalies`;
    if (!Number.isFinite(start) || !(end > start)) {
      v.heat.replaceChildren(el('span', { class: 'heat-empty' }, 'no anomalies'));
      return;
    }
    const buckets = heatBuckets(mine, start, end, HEAT_BUCKETS);
    const span = (end - start) / HEAT_BUCKETS;
    v.heat.replaceChildren(
      ...buckets.map((g, i) =>
        el('span', {
          class: `cell heat-${gradeLevel(g)}`,
          title: `${fmtTime(start + i * span)} – ${fmtTime(start + (i + 1) * span)}${g === null ? '' : `: max grade ${gradeText(g)}`}`,
          data: g === null ? {} : { grade: gradeText(g) },
        }),
      ),
    );
  }

  function redraw(c: ChartState): void {
    if (c.pending || !c.chart) return;
    c.pending = true;
    requestAnimationFrame(() => {
      c.pending = false;
      if (!alive || !c.chart) return;
      const since = bounds().since;
      for (const [k, pts] of c.points) c.points.set(k, trimBefore(pts, since));
      c.chart.setData(toAligned(c.group.keys.map((k) => c.points.get(k.key) ?? [])));
      c.chart.setMarkers(markersOf(c.group.source));
    });
  }

  async function load(): Promise<void> {
    lastLoad = Date.now();
    const b = bounds();
    const [keys, found, inc] = await Promise.all([api.seriesKeys(), fetchAnomalies(b), api.incidents({ since: b.since, until: b.until, limit: INCIDENTS })]);
    if (!alive) return;
    incidents.set(inc.items);
    anomalies = found;
    list.set(found.slice(0, 100));
    for (const c of charts) c.chart?.destroy();
    charts = chartGroups(keys.items).map((group) => ({ group, points: new Map(), step: 0, pending: false }));
    body.replaceChildren();
    sources.clear();
    dataMin = undefined;
    for (const s of [...new Set([...charts.map((c) => c.group.source), ...found.map((a) => a.source)])].sort()) sourceView(s);
    if (sources.size === 0) body.appendChild(note('No data yet: nothing has been ingested.'));
    const containers = charts.map((c) => {
      const box = el('div', { class: 'chart', testid: 'chart', data: { source: c.group.source, chart: c.group.id, markers: 0 } });
      sourceView(c.group.source).charts.appendChild(el('figure', { class: 'chart-card' }, el('figcaption', {}, logText(c.group.title)), box));
      return box;
    });
    const jobs = charts.flatMap((c) => c.group.keys.map((k) => ({ c, k })));
    await mapLimit(jobs, 6, async ({ c, k }) => {
      const s = await api.series({ source: k.source, key: k.key, since: b.since, until: b.until, points: CHART_POINTS });
      c.points.set(k.key, s.points);
      c.step = Math.max(c.step, s.step);
      if (s.points.length) dataMin = Math.min(dataMin ?? Infinity, s.points[0][0]);
    });
    if (!alive) return;
    charts.forEach((c, i) => {
      const labels = c.group.keys.map(legendLabel);
      c.chart = trendChart(containers[i], labels, toAligned(c.group.keys.map((k) => c.points.get(k.key) ?? [])), xRange);
      c.chart.setMarkers(markersOf(c.group.source));
    });
    for (const v of sources.values()) drawHeat(v);
  }

  let incidentsTimer: number | undefined;
  function refreshIncidents(): void {
    if (incidentsTimer !== undefined) return;
    incidentsTimer = window.setTimeout(() => {
      incidentsTimer = undefined;
      const b = bounds();
      api
        .incidents({ since: b.since, until: b.until, limit: INCIDENTS })
        .then((r) => alive && incidents.set(r.items))
        .catch(() => undefined);
    }, 1000);
  }

  /** Something not on the page arrived (a new source or monitored value): reload, at most every 10 s. */
  function scheduleReload(): void {
    if (reloadTimer !== undefined) return;
    reloadTimer = window.setTimeout(
      () => {
        reloadTimer = undefined;
        if (alive) load().catch(showError);
      },
      Math.max(500, 10_000 - (Date.now() - lastLoad)),
    );
  }

  function showError(e: unknown): void {
    if (alive) body.replaceChildren(note(`Could not load the overview: ${errorText(e)}`, 'error'));
  }

  function onAnomaly(a: Anomaly): void {
    if (a.status === 'suppressed' || !bounds().live) return;
    anomalies.unshift(a);
    list.prepend(a);
    // an anomaly of an incident not listed yet (a new one), or one that grew: the list is fetched again
    if (a.incident !== undefined) refreshIncidents();
    if (!sources.has(a.source)) scheduleReload();
    drawHeat(sourceView(a.source));
    for (const c of charts) if (c.group.source === a.source) redraw(c);
  }

  function onSeries(p: SeriesEvent): void {
    if (!bounds().live || p.key.startsWith('template:')) return;
    const c = charts.find((x) => x.group.source === p.source && x.group.keys.some((k) => k.key === p.key));
    if (!c) {
      scheduleReload();
      return;
    }
    c.points.set(p.key, addPoint(c.points.get(p.key) ?? [], c.step, p.t, p.value));
    redraw(c);
  }

  const unsubscribe = subscribe({ anomaly: onAnomaly, series: onSeries, reconnected: scheduleReload });
  // a live range slides: redraw the strips and charts now and then even without events
  const slide = window.setInterval(() => {
    if (!bounds().live) return;
    for (const v of sources.values()) drawHeat(v);
    for (const c of charts) redraw(c);
  }, 30_000);
  load().catch(showError);

  return () => {
    alive = false;
    unsubscribe();
    clearInterval(slide);
    if (reloadTimer !== undefined) clearTimeout(reloadTimer);
    if (incidentsTimer !== undefined) clearTimeout(incidentsTimer);
    for (const c of charts) c.chart?.destroy();
  };
};

/** The newest anomalies of the range, a few pages of them (markers and heat strips need more than a list page). */
async function fetchAnomalies(b: Bounds): Promise<Anomaly[]> {
  const out: Anomaly[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < MARKER_PAGES; i++) {
    const page = await api.anomalies({ since: b.since, until: b.until, limit: MARKER_PAGE_SIZE, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}
