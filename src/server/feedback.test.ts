/**
 * Feedback that matters: a false positive silences its signature (later ones are stored as suppressed
 * and not streamed), survives a restart, and moves the calibration of the learned detector behind it.
 */
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { FieldIndicators } from '../features/window.js';
import { FeedbackRules, learnedScores } from '../pipeline/feedback.js';
import { SourceModels } from '../pipeline/source-models.js';
import { Rng } from '../util/rng.js';
import { ndjson, startTestServer, tmpDataDir, type TestServer } from '../../test/helpers/server.js';
import type { Anomaly } from '../model/record.js';

const line = (level: string, message: string, t = '2026-11-21T10:02:00Z') => JSON.stringify({ timestamp: t, level, message });
const FATAL = line('FATAL', 'disk controller on fire, shutting down now');

const open: TestServer[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function server(dir?: string): Promise<TestServer> {
  const s = await startTestServer({}, dir);
  open.push(s);
  return s;
}

async function ingest(s: TestServer, body: string): Promise<void> {
  const r = await s.app.inject({ method: 'POST', url: '/api/ingest?source=app', headers: { 'content-type': 'application/x-ndjson' }, payload: body });
  expect(r.statusCode, r.body).toBe(200);
}

const list = async (s: TestServer, q = '') => (await s.app.inject({ url: `/api/anomalies?source=app${q}` })).json().items as Array<{ id: number; raw: string; status: string; signature: string; detector: string }>;

/** Names of the SSE events received so far (anomaly events with their raw line). */
function eventLog(stream: Readable): string[] {
  const seen: string[] = [];
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const ev = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (ev === 'anomaly' && data) seen.push(`anomaly ${(JSON.parse(data) as { raw: string }).raw}`);
    }
  });
  stream.on('error', () => undefined);
  return seen;
}

describe('false positive', () => {
  it('later anomalies with the same signature are stored as suppressed, not listed nor streamed; a restart keeps it so', async () => {
    const dir = tmpDataDir();
    const s = await server(dir);
    // enough ordinary lines that three FATAL lines stay rare (the severity grade fades for routine ones)
    await ingest(s, ndjson(100, [FATAL]));
    const [first] = await list(s);
    expect(first).toMatchObject({ detector: 'severity', status: 'new', raw: FATAL });
    const fb = await s.app.inject({ method: 'POST', url: `/api/anomalies/${first.id}/feedback`, payload: { action: 'false_positive', by: 'ops' } });
    expect(fb.statusCode).toBe(201);
    expect(fb.json().signature).toBe(first.signature);

    const res = await s.app.inject({ url: '/api/stream', payloadAsStream: true });
    const events = eventLog(res.stream());
    const again = line('FATAL', 'disk controller on fire, shutting down now', '2026-11-21T10:02:30Z');
    const other = line('EMERG', 'power supply lost on rack 7', '2026-11-21T10:02:40Z');
    await ingest(s, again);
    await ingest(s, other);
    // the stream delivers in order: once the later anomaly is there, the suppressed one would have been before it
    await expect.poll(() => events.length).toBeGreaterThanOrEqual(1);
    expect(events).toEqual([`anomaly ${other}`]);
    res.stream().destroy();

    const listed = await list(s);
    expect(listed.map((a) => a.raw)).toEqual([other, FATAL]);
    expect(listed[1].status).toBe('false_positive');
    const suppressed = await list(s, '&status=suppressed');
    expect(suppressed.map((a) => [a.raw, a.signature])).toEqual([[again, first.signature]]);
    const metrics = (await s.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/logradar_anomalies_total\{detector="severity",status="suppressed"\} 1/);

    await s.close(false);
    open.splice(open.indexOf(s), 1);
    const s2 = await server(dir);
    const later = line('FATAL', 'disk controller on fire, shutting down now', '2026-11-21T10:03:00Z');
    await ingest(s2, later);
    expect((await list(s2, '&status=suppressed')).map((a) => a.raw)).toEqual([later, again]);
    const detail = (await s2.app.inject({ url: `/api/anomalies/${first.id}` })).json();
    expect(detail.anomaly.status).toBe('false_positive');
    expect(detail.feedback).toEqual([expect.objectContaining({ action: 'false_positive', by: 'ops', signature: first.signature })]);
    // numbering of the HTTP source continued after the restart: the context is the right line's
    expect(detail.context.before.at(-1).line).toBe(100);
  });

  it('confirm keeps the anomaly as a labelled example and silences nothing', async () => {
    const s = await server();
    await ingest(s, ndjson(40, [FATAL]));
    const [a] = await list(s);
    await s.app.inject({ method: 'POST', url: `/api/anomalies/${a.id}/feedback`, payload: { action: 'confirm' } });
    await ingest(s, line('FATAL', 'disk controller on fire, shutting down now', '2026-11-21T10:02:30Z'));
    expect((await list(s)).map((x) => x.status)).toEqual(['new', 'confirmed']);
  });
});

describe('FeedbackRules', () => {
  it('a mute silences until its end; a false positive for good; confirm not at all', () => {
    const r = new FeedbackRules();
    r.load([
      { id: 1, anomalyId: 1, action: 'mute', signature: 'm', by: 'a', created: 0, until: 1000 },
      { id: 2, anomalyId: 2, action: 'false_positive', signature: 'f', by: 'a', created: 0 },
      { id: 3, anomalyId: 3, action: 'confirm', signature: 'c', by: 'a', created: 0 },
    ]);
    expect(r.suppresses('m', 999)).toBe(true);
    expect(r.suppresses('m', 1000)).toBe(false);
    expect(r.suppresses('f', 1e15)).toBe(true);
    expect(r.suppresses('c', 0)).toBe(false);
    // a mute never shortens a false positive
    r.add({ id: 4, anomalyId: 2, action: 'mute', signature: 'f', by: 'a', created: 0, until: 5 });
    expect(r.suppresses('f', 10)).toBe(true);
  });
});

describe('calibration feedback', () => {
  it('a false positive on a learned detector’s finding raises its boundary past that score', () => {
    const config = loadConfig({ env: {} });
    const models = new SourceModels(config, new FieldIndicators([]));
    const forest = models.recordForest!.detector;
    const rng = new Rng(7);
    const normal = () => ({ 'template.rarity': rng.int(5), 'level.INFO': 1 });
    for (let i = 0; i < 500; i++) forest.learn(normal());
    forest.fit();
    for (let i = 0; i < 2000; i++) forest.observe(forest.raw(normal()));
    // a raw score beyond every normal one (isolation scores lie in (0, 1); normal ones here are about 0.5)
    const raw = 0.8;
    const x = { 'template.rarity': 30, 'level.FATAL': 1 };
    expect(forest.scoreRaw(raw, () => x)!.grade).toBeGreaterThanOrEqual(config.detect.threshold);
    const a: Anomaly = { kind: 'record', source: 's', ts: 0, grade: 0.9, detector: 'record-forest', detectors: [], reason: 'r', explain: { findings: [{ detector: 'record-forest', grade: 0.9, score: raw }, { detector: 'severity', grade: 0.8 }] } };
    const scores = learnedScores(models, a);
    expect(scores).toEqual([{ detector: forest, raw }]);
    for (const { detector, raw: r } of scores) detector.markNormal(r);
    expect(forest.scoreRaw(raw, () => x)!.grade).toBeLessThan(config.detect.threshold);
    expect(forest.scoreRaw(0.95, () => x)!.grade).toBeGreaterThanOrEqual(config.detect.threshold);
  });
});
