/**
 * "Add a detector" (docs/ARCHITECTURE.md) proved: a small detector written here and registered is run by
 * the pipeline and by the conformance suite, with no edit anywhere else.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config/load.js';
import { checkDetectorSnapshot, type Detector, type DetectorFactory, type DetectorSnapshot, type Finding } from '../../src/detectors/contract.js';
import { registerDetector } from '../../src/detectors/registry.js';
import type { ParsedRecord } from '../../src/model/record.js';
import { MetricsRegistry } from '../../src/model/metrics.js';
import { MemoryPipelineStore } from '../../src/pipeline/memory-store.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { createLogger } from '../../src/util/log.js';
import { conformanceSuite } from '../helpers/conformance.js';
import { appRecords } from '../helpers/fixtures.js';

const options = z.object({ enabled: z.boolean().default(true), grade: z.number().min(0).max(1).default(0.9), warmup: z.number().int().min(0).default(100) });
type Options = z.infer<typeof options>;

/** The record's component: the decoder's header field, or the word before a colon that starts the message. */
const componentOf = (rec: ParsedRecord) => (typeof rec.fields.component === 'string' ? rec.fields.component : /^([\w.-]+):/.exec(rec.message)?.[1]);

/** Flags a record naming a component its source never named, once warm. */
class ComponentWatch implements Detector<'record'> {
  readonly name = 'component-watch';
  readonly scope = 'record';
  readonly learned = false;
  readonly state = 'small';
  private seen: string[] = [];
  private records = 0;

  constructor(private readonly o: Options) {}

  ready(): boolean {
    return this.records >= this.o.warmup;
  }

  score(rec: ParsedRecord): Finding[] {
    const c = componentOf(rec);
    if (!this.ready() || c === undefined || this.seen.includes(c)) return [];
    return [{ detector: this.name, grade: this.o.grade, reason: `component ${c} never seen before`, explain: { component: c } }];
  }

  learn(rec: ParsedRecord): void {
    this.records++;
    const c = componentOf(rec);
    if (c !== undefined && !this.seen.includes(c)) this.seen.push(c);
  }

  snapshot(): DetectorSnapshot {
    return { kind: this.name, version: 1, seen: [...this.seen], records: this.records };
  }

  restore(s: DetectorSnapshot): void {
    checkDetectorSnapshot(s, this.name, 1);
    this.seen = [...(s.seen as string[])];
    this.records = s.records as number;
  }
}

const factory: DetectorFactory<'record', Options> = {
  name: 'component-watch',
  scope: 'record',
  schema: options,
  // not in the configuration schema: its schema's defaults apply
  options: () => ({}),
  enabled: (o) => o.enabled,
  create: (o) => new ComponentWatch(o),
};

const unregister = registerDetector(factory);
afterAll(unregister);

conformanceSuite({ only: ['component-watch'], cases: { 'component-watch': [{ fixture: (c) => appRecords(c, 'novel'), min: 0.8 }] } });

describe('a registered extra detector', () => {
  it('runs in the pipeline: its finding makes an anomaly and lists it', () => {
    const config = loadConfig({ env: {} });
    const pipeline = new Pipeline(config, new MemoryPipelineStore(), new MetricsRegistry(), createLogger('silent'), { learn: true, report: true, stateEveryBatch: false });
    const found: string[][] = [];
    pipeline.onAnomaly((a) => found.push(a.detectors.map((d) => d.detector)));
    const lines = Array.from({ length: 200 }, (_, i) => ({ text: `auth: user u${i % 3} logged in`, offset: i * 40, line: i + 1, truncated: false }));
    lines.push({ text: 'vault: sealed by operator', offset: 9000, line: 201, truncated: false });
    pipeline.process({ source: 'app', fileId: null, lines });
    expect(found.some((d) => d.includes('component-watch'))).toBe(true);
    expect(pipeline.sourceModels('app')!.detectors.record.map((d) => d.name)).toContain('component-watch');
  });
});
