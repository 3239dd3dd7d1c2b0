/**
 * Feedback that matters: a false positive silences its signature (later ones are stored as suppressed
 * and not streamed), survives a restart, and moves the calibration of the learned detector behind it.
 */
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import type { CalibratedDetector } from '../detectors/calibrated.js';
import { recordForestFactory } from '../detectors/learned.js';
import type { Features } from '../detectors/model.js';
import { detectorOptions } from '../detectors/registry.js';
import { severityFactory } from '../detectors/severity.js';
import { FeedbackRules, learnedScores } from '../pipeline/feedback.js';
import { Rng } from '../util/rng.js';
import { ndjson, startTestServer, tmpDataDir, type TestServer } from '../../test/helpers/server.js';
import { recordProbe } from '../../test/helpers/detector-harness.js';
import type { Anomaly } from '../model/record.js';
import { openStore } from '../store/open.js';

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

describe('FeedbackRules: an incidental extra value', () => {
  it('a silenced signature covers an anomaly of the same detector, source and template whose strongest value it lists', () => {
    const r = new FeedbackRules();
    r.add({ id: 1, anomalyId: 1, action: 'false_positive', signature: 'field-rate|waf|-|country=XX', by: 'a', created: 0 });
    // XX and an incidental YY: the strongest value is XX
    expect(r.suppresses('field-rate|waf|-|country=XX,country=YY', 0, 'country=XX')).toBe(true);
    // ZZ leads: another finding
    expect(r.suppresses('field-rate|waf|-|country=XX,country=ZZ', 0, 'country=ZZ')).toBe(false);
    // another source or detector: not covered
    expect(r.suppresses('field-rate|app|-|country=XX,country=YY', 0, 'country=XX')).toBe(false);
    expect(r.suppresses('window-rcf|waf|-|country=XX,country=YY', 0, 'country=XX')).toBe(false);
    // a mute covers its extra values only while it lasts
    r.add({ id: 2, anomalyId: 2, action: 'mute', signature: 'field-rate|waf|-|method=DELETE', by: 'a', created: 0, until: 100 });
    expect(r.suppresses('field-rate|waf|-|method=DELETE,method=PATCH', 50, 'method=DELETE')).toBe(true);
    expect(r.suppresses('field-rate|waf|-|method=DELETE,method=PATCH', 150, 'method=DELETE')).toBe(false);
  });
});

describe('feedback from another process', () => {
  it('feedback written to the store by another handle (the feedback command) is applied by the running pipeline', async () => {
    const dir = tmpDataDir();
    const s = await server(dir);
    await ingest(s, ndjson(100, [FATAL]));
    const [first] = await list(s);
    // what `logradar feedback ID false-positive` does: its own store handle, no call into this process
    const other = openStore(dir);
    other.queries.addFeedback({ anomalyId: first.id, action: 'false_positive', signature: first.signature, by: 'cli' });
    other.close();
    s.runner.pipeline.tick(Date.now() + 10_000);
    const again = line('FATAL', 'disk controller on fire, shutting down now', '2026-11-21T10:02:30Z');
    await ingest(s, again);
    expect((await list(s, '&status=suppressed')).map((a) => a.raw)).toEqual([again]);
  });
});

describe('calibration feedback', () => {
  it('a false positive on a learned detector’s finding raises its boundary past that score', () => {
    const config = loadConfig({ env: {} });
    const fields = [{ field: 'country', known: ['US'] }];
    // refitEvery 0: every record is learned (in a stream the forest learns a regular sample of the records)
    const options = { ...detectorOptions(recordForestFactory, config), refitEvery: 0 };
    const forest = recordForestFactory.create(options, config.detect.seed) as CalibratedDetector<'record', Features>;
    const rng = new Rng(7);
    // the source's records: mostly common INFO templates, a few rarer templates, WARN lines and unknown countries
    const varied = () => {
      const x: Features = { 'template.rarity': rng.next() < 0.9 ? 1 + rng.int(2) : 3 + rng.int(3) };
      x[rng.next() < 0.95 ? 'level.INFO' : 'level.WARN'] = 1;
      if (rng.next() < 0.02) x['unknown.country'] = 1;
      return recordProbe(x, fields);
    };
    for (let i = 0; i < 500; i++) {
      const { rec, ctx } = varied();
      forest.learn(rec, ctx);
    }
    forest.fit?.();
    // calibrated on the common records: normal operation
    for (let i = 0; i < 2000; i++) {
      const { rec, ctx } = recordProbe({ 'template.rarity': 1 + rng.int(2), 'level.INFO': 1 }, fields);
      forest.observe(rec, ctx);
    }
    const probe = (x: Features) => {
      const { rec, ctx } = recordProbe(x, fields);
      const [f, ...rest] = forest.score(rec, ctx);
      expect(rest).toEqual([]);
      return { raw: forest.raw(rec, ctx)!, grade: f.grade, finding: f };
    };
    // a WARN line of a rare template: beyond every score calibration has seen
    const flagged = { 'template.rarity': 4, 'level.WARN': 1 };
    const { raw, grade, finding } = probe(flagged);
    expect(grade).toBeGreaterThanOrEqual(config.detect.threshold);
    expect(finding.explain.score).toBe(raw);
    const a: Anomaly = { kind: 'record', source: 's', ts: 0, grade: 0.9, detector: 'record-forest', detectors: [], reason: 'r', explain: { findings: [{ detector: 'record-forest', grade: 0.9, score: raw }, { detector: 'severity', grade: 0.8 }] } };
    const severity = severityFactory.create(detectorOptions(severityFactory, config), config.detect.seed);
    const scores = learnedScores([severity, forest], a);
    expect(scores).toEqual([{ detector: forest, raw }]);
    for (const { detector, raw: r } of scores) detector.markNormal!(r);
    expect(probe(flagged).grade).toBeLessThan(config.detect.threshold);
    // a record scoring clearly beyond the one marked normal is still an anomaly
    const worse = probe({ 'template.rarity': 12, 'level.WARN': 1, 'unknown.country': 1 });
    expect(worse.raw).toBeGreaterThan(raw * 1.05);
    expect(worse.grade).toBeGreaterThanOrEqual(config.detect.threshold);
  });
});
