import { describe, expect, it } from 'vitest';
import { IncidentGrouper } from './incidents.js';
import type { Anomaly } from '../model/record.js';

const MIN = 60_000;
const win = (source: string, i: number, grade = 0.9, detector = 'field-rate'): Anomaly => ({
  kind: 'window',
  source,
  ts: (i + 1) * MIN,
  grade,
  detector,
  detectors: [{ detector, grade }],
  reason: `${detector} spike`,
  window: { start: i * MIN, end: (i + 1) * MIN },
});
const master = (i: number, sources: string[]): Anomaly => ({
  kind: 'window',
  source: '*',
  ts: (i + 1) * MIN,
  grade: 0.95,
  detector: 'master',
  detectors: [{ detector: 'master', grade: 0.95 }],
  reason: `${sources.length} sources abnormal together`,
  window: { start: i * MIN, end: (i + 1) * MIN },
  explain: { sources: sources.map((source) => ({ source })) },
});

describe('IncidentGrouper', () => {
  it('groups consecutive anomalous windows of a source into one incident', () => {
    const g = new IncidentGrouper([], 0, () => MIN);
    for (const i of [3, 4, 5]) g.add(win('waf', i, 0.7 + i / 100));
    const { incidents } = g.take();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ id: 1, start: 3 * MIN, end: 6 * MIN, sources: ['waf'], anomalies: 3, status: 'open', kinds: ['window'] });
    expect(incidents[0].grade).toBeCloseTo(0.75);
  });

  it('opens a second incident after a gap longer than the source gap, closing the first', () => {
    const g = new IncidentGrouper([], 0, () => MIN);
    const a = win('waf', 3);
    const b = win('waf', 4);
    const c = win('waf', 10);
    g.add(a);
    g.add(b);
    g.add(c);
    expect([a.incident, b.incident, c.incident]).toEqual([1, 1, 2]);
    const { incidents } = g.take();
    expect(incidents.map((i) => [i.id, i.status, i.anomalies])).toEqual([
      [1, 'closed', 2],
      [2, 'open', 1],
    ]);
  });

  it('one quiet window between two anomalous ones stays one incident (gap = one window)', () => {
    const g = new IncidentGrouper([], 0, () => MIN);
    const a = win('waf', 3);
    const b = win('waf', 5);
    g.add(a);
    g.add(b);
    expect(b.incident).toBe(a.incident);
  });

  it('a late finding over a longer span is counted in the closed incident it overlaps, which keeps its span', () => {
    const g = new IncidentGrouper([], 0, () => MIN);
    const a = win('waf', 3);
    g.add(a);
    g.advance('waf', 6 * MIN); // quiet windows passed: incident 1 closes
    expect(g.open()).toHaveLength(0);
    // a 15-window scale judged at minute 7 covers minutes -8..7, which overlaps incident 1
    const late: Anomaly = { ...win('waf', 6), window: { start: -8 * MIN, end: 7 * MIN } };
    g.add(late);
    expect(late.incident).toBe(a.incident);
    expect(g.open()).toHaveLength(0);
    expect(g.take().incidents.map((i) => [i.id, i.status, i.anomalies, i.start, i.end])).toEqual([[1, 'closed', 2, 3 * MIN, 4 * MIN]]);
    // a finding that overlaps nothing closed still opens a new incident
    g.advance('waf', 20 * MIN);
    const apart = win('waf', 30);
    g.add(apart);
    expect(apart.incident).toBe(2);
  });

  it('a cross-source alarm merges the incidents of its sources into the oldest', () => {
    const g = new IncidentGrouper([], 0, () => MIN);
    const a = win('web', 3);
    const b = win('db', 3, 0.8, 'rcf');
    g.add(a);
    g.add(b);
    expect([a.incident, b.incident]).toEqual([1, 2]);
    const m = master(3, ['web', 'db']);
    g.add(m);
    expect(m.incident).toBe(1);
    const { incidents, merged } = g.take();
    expect(merged).toEqual([{ from: 2, into: 1 }]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ id: 1, sources: ['web', 'db'], anomalies: 3, grade: 0.95, kinds: ['window', 'cross-source'] });
    expect(incidents[0].detectors.map((d) => d.detector)).toEqual(['master', 'field-rate', 'rcf']);
    // later anomalies of either source join the merged incident
    const c = win('db', 4);
    g.add(c);
    expect(c.incident).toBe(1);
  });

  it('continues the open incidents it is given (a restart)', () => {
    const g1 = new IncidentGrouper([], 0, () => MIN);
    g1.add(win('waf', 3));
    const saved = g1.take().incidents;
    const g2 = new IncidentGrouper(saved, 1, () => MIN);
    const a = win('waf', 4);
    g2.add(a);
    expect(a.incident).toBe(1);
    const b = win('other', 4);
    g2.add(b);
    expect(b.incident).toBe(2);
  });
});
