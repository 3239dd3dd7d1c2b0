/** The time-range picker: preset buttons and a custom from/to; choosing one calls `onChange`. */
import { el } from './dom.js';
import { PRESETS, parseTime, rangeLabel, toDateInput, type TimeRange } from './timerange.js';

export function timePicker(current: TimeRange, onChange: (r: TimeRange) => void): HTMLElement {
  const presets = PRESETS.map((p) => {
    const b = el('button', { class: 'preset', testid: `range-${p}`, attrs: { type: 'button' } }, p);
    if (current.kind === 'preset' && current.preset === p) b.classList.add('active');
    b.addEventListener('click', () => onChange({ kind: 'preset', preset: p }));
    return b;
  });
  const now = Date.now();
  const from = el('input', { testid: 'range-from', attrs: { type: 'datetime-local', 'aria-label': 'from' } });
  const to = el('input', { testid: 'range-to', attrs: { type: 'datetime-local', 'aria-label': 'to' } });
  from.value = toDateInput(current.kind === 'custom' ? current.from : now - 3_600_000);
  to.value = toDateInput(current.kind === 'custom' ? current.to : now);
  const error = el('span', { class: 'range-error' });
  const form = el(
    'form',
    { class: `custom${current.kind === 'custom' ? ' active' : ''}` },
    from,
    el('span', { class: 'dash' }, '→'),
    to,
    el('button', { testid: 'range-apply', attrs: { type: 'submit' } }, 'Apply'),
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = parseTime(from.value);
    const t = parseTime(to.value);
    if (f === undefined || t === undefined || t <= f) {
      error.textContent = 'from must be before to';
      return;
    }
    onChange({ kind: 'custom', from: f, to: t });
  });
  return el(
    'div',
    { class: 'time-picker', testid: 'time-range', data: { range: current.kind === 'custom' ? `${current.from}-${current.to}` : current.preset } },
    el('span', { class: 'label' }, 'Range'),
    el('div', { class: 'presets' }, ...presets),
    form,
    el('span', { class: 'range-label' }, rangeLabel(current)),
  );
}
