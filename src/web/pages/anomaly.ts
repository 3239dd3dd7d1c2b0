/**
 * One anomaly: why (reason, detectors, contributing features), the raw line among its neighbours with the
 * anomalous tokens highlighted, the nearest normal example, and feedback with its history.
 */
import { api, type AnomalyDetail, type Feedback, type Line } from '../api.js';
import { valueText } from '../display.js';
import { el, fmtTime, gradeBadge, highlightedLine, link, logText, note, statusBadge, table } from '../dom.js';
import { highlightRanges } from '../highlight.js';
import { errorText, type Page } from '../page.js';

/** Contribution columns in a readable order; any other key follows. */
const CONTRIBUTION_KEYS = ['kind', 'field', 'feature', 'value', 'param', 'nearest', 'level', 'count', 'share', 'weight'];

export const anomalyPage: Page = (ctx) => {
  const id = ctx.route.id ?? '';
  let alive = true;
  const content = el('div', { class: 'anomaly-page', testid: 'anomaly-page' }, note('Loading…'));
  ctx.root.append(el('p', { class: 'back' }, link('#/anomalies', '← Anomalies')), content);

  async function load(): Promise<void> {
    try {
      const d = await api.anomaly(id);
      if (alive) render(d);
    } catch (e) {
      if (alive) content.replaceChildren(note(`Could not load anomaly ${id}: ${errorText(e)}`, 'error'));
    }
  }

  function render(d: AnomalyDetail): void {
    const a = d.anomaly;
    const explain = a.explain ?? {};
    const where = a.file ? `${a.file}${a.line !== undefined ? `:${a.line}` : ''}` : undefined;
    const meta: Array<[string, Node | string]> = [
      ['time', fmtTime(a.ts)],
      ['source', logText(a.source)],
      ['kind', a.kind],
    ];
    if (where) meta.push(['file', logText(where)]);
    if (a.window) meta.push(['window', `${fmtTime(a.window.start)} – ${fmtTime(a.window.end)}`]);
    if (a.session !== undefined) meta.push(['session', logText(a.session)]);
    const templateText = a.template ?? (typeof explain.template === 'string' ? explain.template : undefined);
    if (templateText !== undefined) meta.push(['template', el('span', {}, logText(templateText), a.templateId !== undefined ? ` (#${a.templateId})` : '')]);
    meta.push(['signature', logText(a.signature)]);

    content.replaceChildren(
      el('h1', {}, gradeBadge(a.grade), ' ', statusBadge(a.status), ' ', `Anomaly ${a.id}`),
      el('p', { class: 'reason', testid: 'reason' }, logText(a.reason)),
      el('dl', { class: 'meta' }, ...meta.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
      rawSection(d),
      el('div', { class: 'two-col' }, detectorsSection(d), nearestSection(explain)),
      contributionsSection(explain),
      feedbackSection(d),
      el('details', { class: 'explain' }, el('summary', {}, 'Full explanation (JSON)'), el('pre', {}, logText(JSON.stringify(explain, null, 2)))),
    );
  }

  function rawSection(d: AnomalyDetail): HTMLElement {
    const a = d.anomaly;
    const row = (l: Line | undefined, text: Node, cls: string, testid?: string) =>
      el('div', { class: `line ${cls}`, testid }, el('span', { class: 'ln' }, l ? String(l.line) : a.line !== undefined ? String(a.line) : ''), text);
    const rows: HTMLElement[] = [];
    for (const l of d.context.before) rows.push(row(l, logText(l.raw), 'ctx', 'context-line'));
    if (a.raw !== undefined) rows.push(row(undefined, highlightedLine(a.raw, highlightRanges(a.raw, a.explain)), 'hit', 'raw-line'));
    for (const l of d.context.after) rows.push(row(l, logText(l.raw), 'ctx', 'context-line'));
    const sessionLines = Array.isArray(a.explain?.lines) ? (a.explain.lines as Array<{ line?: number; raw?: string }>) : [];
    for (const l of sessionLines) rows.push(el('div', { class: 'line session', testid: 'session-line' }, el('span', { class: 'ln' }, valueText(l.line)), logText(valueText(l.raw))));
    return el(
      'section',
      { class: 'card' },
      el('h2', {}, a.kind === 'session' ? 'Session lines' : 'Raw lines'),
      rows.length ? el('div', { class: 'lines', testid: 'raw-lines' }, ...rows) : note(a.kind === 'window' ? 'A window anomaly: no single line; see the contributing values.' : 'No raw line stored.'),
    );
  }

  function detectorsSection(d: AnomalyDetail): HTMLElement {
    const rows = [...d.anomaly.detectors]
      .sort((x, y) => y.grade - x.grade)
      .map((g) => el('tr', { data: { detector: g.detector } }, el('td', {}, g.detector), el('td', {}, gradeBadge(g.grade))));
    return el('section', { class: 'card' }, el('h2', {}, 'Detectors'), table(['detector', 'grade'], rows, 'detectors'));
  }

  /**
   * The nearest normal example: a record's line; a window's interval summary and one of its lines
   * (`sample`); a session's key and first lines (`lines`); anything else as indented JSON.
   */
  function nearestSection(explain: Record<string, unknown>): HTMLElement {
    const n = explain.nearestNormal as Record<string, unknown> | undefined;
    const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined);
    const sample = obj(n?.sample);
    const raw = typeof n?.raw === 'string' ? n.raw : typeof sample?.raw === 'string' ? sample.raw : undefined;
    const at = sample ?? n;
    const where = at === undefined ? '' : at.file !== undefined ? `${valueText(at.file)}${at.line !== undefined ? `:${valueText(at.line)}` : ''}` : at.line !== undefined ? `line ${valueText(at.line)}` : '';
    const tmpl = n && typeof n.template === 'string' ? n.template : undefined;
    const sessionLines = Array.isArray(n?.lines) ? (n.lines as unknown[]).map(obj).filter((l): l is Record<string, unknown> => !!l && typeof l.raw === 'string') : [];
    let summary: string | undefined;
    if (n && typeof n.start === 'number' && typeof n.end === 'number') {
      const unknown = obj(n.unknown);
      const unk = unknown ? Object.entries(unknown).filter(([, v]) => typeof v === 'number' && v > 0).map(([k, v]) => `${k} ${valueText(v)}`) : [];
      summary = `interval ${fmtTime(n.start)} – ${fmtTime(n.end)}: ${valueText(n.total)} records${unk.length ? `; unknown values: ${unk.join(', ')}` : '; no unknown values'}`;
    } else if (n && typeof n.key === 'string') summary = `session ${n.key}: ${valueText(n.events)} events`;
    let body: HTMLElement;
    if (sessionLines.length) body = el('div', { class: 'lines', testid: 'nearest-normal' }, ...sessionLines.map((l) => el('div', { class: 'line normal single' }, logText(String(l.raw)))));
    else if (raw !== undefined) body = el('div', { class: 'lines', testid: 'nearest-normal' }, el('div', { class: 'line normal single' }, logText(raw)));
    // our own JSON: its only line breaks are the indentation (strings inside are escaped), so plain text
    else if (n && Object.keys(n).length) body = el('pre', { testid: 'nearest-normal' }, JSON.stringify(n, null, 2));
    else body = note('None recorded.');
    return el(
      'section',
      { class: 'card' },
      el('h2', {}, 'Nearest normal example'),
      summary !== undefined ? el('p', { class: 'sub' }, logText(summary)) : null,
      body,
      where ? el('p', { class: 'sub' }, 'at ', logText(where)) : null,
      tmpl !== undefined ? el('p', { class: 'sub' }, 'template: ', logText(tmpl)) : null,
    );
  }

  function contributionsSection(explain: Record<string, unknown>): HTMLElement {
    const list = Array.isArray(explain.contributions) ? (explain.contributions as unknown[]).filter((c): c is Record<string, unknown> => !!c && typeof c === 'object') : [];
    if (list.length === 0) return el('section', { class: 'card' }, el('h2', {}, 'Contributing features'), note('None recorded.'));
    const seen = new Set(list.flatMap((c) => Object.keys(c)));
    const cols = [...CONTRIBUTION_KEYS.filter((k) => seen.has(k)), ...[...seen].filter((k) => !CONTRIBUTION_KEYS.includes(k)).sort()];
    const rows = list.map((c) => el('tr', {}, ...cols.map((k) => el('td', {}, c[k] === undefined ? '' : logText(valueText(c[k]))))));
    return el('section', { class: 'card' }, el('h2', {}, 'Contributing features'), table(cols, rows, 'contributions'));
  }

  function feedbackSection(d: AnomalyDetail): HTMLElement {
    const a = d.anomaly;
    const message = el('span', { class: 'feedback-message', testid: 'feedback-message' });
    const hours = el('input', { testid: 'mute-hours', attrs: { type: 'number', min: '1', max: '8760', step: '1', 'aria-label': 'hours' } });
    hours.value = '24';
    const noteInput = el('input', { testid: 'feedback-note', attrs: { type: 'text', placeholder: 'note (optional)', maxlength: '500', 'aria-label': 'note' } });
    const send = async (action: Feedback['action'], button: HTMLButtonElement) => {
      const h = Number(hours.value);
      if (action === 'mute' && !(h > 0)) {
        message.textContent = 'hours must be a positive number';
        return;
      }
      button.disabled = true;
      try {
        await api.feedback(String(a.id), { action, hours: action === 'mute' ? h : undefined, note: noteInput.value.trim() || undefined });
        await load();
      } catch (e) {
        message.textContent = `Feedback not saved: ${errorText(e)}`;
        button.disabled = false;
      }
    };
    const button = (action: Feedback['action'], label: string, testid: string, cls: string) => {
      const b = el('button', { class: cls, testid, attrs: { type: 'button' } }, label);
      b.addEventListener('click', () => void send(action, b));
      return b;
    };
    const what = a.templateId !== undefined ? 'this template' : 'this field value';
    const history = d.feedback.map((f) =>
      el(
        'tr',
        { testid: 'feedback-entry', data: { action: f.action } },
        el('td', {}, fmtTime(f.created)),
        el('td', {}, f.action.replace('_', ' ')),
        el('td', {}, logText(f.by)),
        el('td', {}, f.until !== undefined ? fmtTime(f.until) : ''),
        el('td', {}, logText(f.note ?? '')),
      ),
    );
    return el(
      'section',
      { class: 'card feedback' },
      el('h2', {}, 'Feedback'),
      el(
        'div',
        { class: 'buttons' },
        button('confirm', 'Confirm', 'feedback-confirm', 'ok'),
        button('false_positive', 'False positive', 'feedback-false-positive', 'warn'),
        el('span', { class: 'mute' }, button('mute', `Mute ${what} for`, 'feedback-mute', 'quiet'), hours, ' hours'),
        noteInput,
        message,
      ),
      el('p', { class: 'sub' }, 'False positive and mute apply to every anomaly with the same signature (detector, source, template, field values).'),
      history.length ? table(['when', 'action', 'by', 'until', 'note'], history, 'feedback-history') : el('p', { class: 'note', testid: 'feedback-history' }, 'No feedback yet.'),
    );
  }

  void load();
  return () => {
    alive = false;
  };
};
