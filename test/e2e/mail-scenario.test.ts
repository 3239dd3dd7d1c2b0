/**
 * The mail-server scenario (issue 6): 14 generated days of Postfix logs, `train` on days 1–7 and
 * `detect --json` on days 8–14 with no configuration (the source is recognised as Postfix: hourly windows,
 * line kinds, delivery outcomes and delays). Each labelled incident is found (a window anomaly overlaps
 * its span) and at most one normal day has any window anomaly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach, runCli, tmpDir } from '../helpers/cli.js';

cleanupAfterEach();

interface Label {
  type: string;
  start: string;
  end: string;
}

async function scenario(args: string[]): Promise<{ labels: Label[]; windows: Array<{ start: number; end: number; detector: string; reason: string }> }> {
  const dir = tmpDir('logradar-mail-');
  const logs = path.join(dir, 'logs');
  const labelsFile = path.join(dir, 'labels.ndjson');
  const gen = await runCli(['generate', 'postfix', '--out', logs, '--days', '14', '--labels', labelsFile, ...args]);
  expect(gen.code, gen.stderr).toBe(0);
  const files = fs.readdirSync(logs).sort().map((f) => path.join(logs, f));
  expect(files).toHaveLength(14);
  const model = path.join(dir, 'model');
  const train = await runCli(['train', ...files.slice(0, 7), '--model', model, '--log-level', 'warn'], { timeoutMs: 240_000 });
  expect(train.code, train.stderr).toBe(0);
  const detect = await runCli(['detect', ...files.slice(7), '--model', model, '--json', '--log-level', 'warn'], { timeoutMs: 240_000 });
  expect(detect.code, detect.stderr).toBe(0);
  const windows = detect.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; window?: { start: string; end: string }; detector: string; reason: string; explain?: { findings?: Array<{ grade: number; reason: string }> } })
    .filter((o) => o.kind === 'window')
    // a window's findings fold into one anomaly (issue 12): the reasons of the others, at or above the threshold, are in explain.findings
    .map((o) => ({ start: Date.parse(o.window!.start), end: Date.parse(o.window!.end), detector: o.detector, reason: [o.reason, ...(o.explain?.findings ?? []).filter((f) => f.grade >= 0.7).map((f) => f.reason)].join(' | ') }));
  const labels = fs.readFileSync(labelsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Label);
  return { labels, windows };
}

function judge({ labels, windows }: Awaited<ReturnType<typeof scenario>>): { missed: string[]; normalDaysWithAnomalies: string[] } {
  const span = (l: Label) => [Date.parse(l.start), Date.parse(l.end)] as const;
  const overlaps = (w: { start: number; end: number }, l: Label) => w.start < span(l)[1] && w.end > span(l)[0];
  const missed = labels.filter((l) => !windows.some((w) => overlaps(w, l))).map((l) => `${l.type} ${l.start}`);
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const incidentDays = new Set(labels.flatMap((l) => [day(span(l)[0]), day(span(l)[1] - 1)]));
  const normalDaysWithAnomalies = [...new Set(windows.filter((w) => !labels.some((l) => overlaps(w, l))).map((w) => day(w.start)))].filter((d) => !incidentDays.has(d));
  return { missed, normalDaysWithAnomalies };
}

describe('mail-server scenario: train on days 1–7, detect on days 8–14, no configuration', () => {
  it('the default two incidents are found; at most one normal day has a window anomaly', async () => {
    const s = await scenario(['--seed', '5']);
    expect(s.labels).toHaveLength(2);
    const r = judge(s);
    expect(r.missed, JSON.stringify(s.windows)).toEqual([]);
    expect(r.normalDaysWithAnomalies.length, JSON.stringify(r.normalDaysWithAnomalies)).toBeLessThanOrEqual(1);
  }, 300_000);

  it('every incident type is found: delivery failures, spam relay, SASL brute force, queue backlog', async () => {
    const s = await scenario(['--seed', '9', '--incident', 'delivery-failures@9', '--incident', 'spam-relay@11', '--incident', 'sasl-bruteforce@12', '--incident', 'queue-backlog@13']);
    expect(s.labels.map((l) => l.type).sort()).toEqual(['delivery-failures', 'queue-backlog', 'sasl-bruteforce', 'spam-relay']);
    const r = judge(s);
    expect(r.missed, JSON.stringify(s.windows)).toEqual([]);
    expect(r.normalDaysWithAnomalies.length, JSON.stringify(r.normalDaysWithAnomalies)).toBeLessThanOrEqual(1);
    // each incident's window names what was unusual
    expect(s.windows.some((w) => /SASL|sasl-failure/.test(w.reason))).toBe(true);
    expect(s.windows.some((w) => /delivery delay/.test(w.reason))).toBe(true);
    expect(s.windows.some((w) => /delivery status/.test(w.reason))).toBe(true);
  }, 300_000);

  it('demo --scenario mail: the two incidents of the week are found as it is read, then live mail goes on', async () => {
    const r = await runCli(['demo', '--scenario', 'mail', '--duration', '20s', '--json', '--listen', '127.0.0.1:0'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const incidents = [...r.stderr.matchAll(/incident: (\S+) (\S+) → (\S+)/g)].map((m) => ({ type: m[1], start: Date.parse(m[2]), end: Date.parse(m[3]) }));
    expect(incidents).toHaveLength(2);
    const windows = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; window?: { start: string; end: string } })
      .filter((o) => o.kind === 'window')
      .map((o) => ({ start: Date.parse(o.window!.start), end: Date.parse(o.window!.end) }));
    for (const i of incidents) expect(windows.some((w) => w.start < i.end && w.end > i.start), `${i.type} found`).toBe(true);
  }, 150_000);
});
