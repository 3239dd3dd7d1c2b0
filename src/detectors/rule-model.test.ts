import { describe, expect, it } from 'vitest';
import { conformance } from '../../test/helpers/conformance.js';
import { recordSplitFixture, windowAggregateFixture } from '../../test/helpers/fixtures.js';
import { sessionFixture } from '../../test/helpers/session-fixture.js';
import { WAF_FIELDS_PRESET } from '../config/presets.js';
import { configSchema } from '../config/schema.js';
import { emptyWindow, type WindowAggregate } from '../features/window.js';
import type { ParsedRecord } from '../model/record.js';
import { fieldRateBinding, newTemplateBinding, paramNoveltyBinding, rareTemplateBinding, sessionSignatureBinding, severityBinding } from './rule-bindings.js';
import { restoreRuleModel, RuleModel, type RuleBinding } from './rule-model.js';

/** Production defaults; the window detector monitors the WAF fields, as `examples/waf.yaml` configures. */
const DETECT = configSchema.parse({}).detect;
const WAF_DETECT = configSchema.parse({ detect: { fields: WAF_FIELDS_PRESET } }).detect;

function record(over: Partial<ParsedRecord>): ParsedRecord {
  return { source: 's', offset: 0, line: 1, ts: 0, tsFromRecord: false, raw: '', message: '', fields: {}, truncated: false, templateId: 1, template: '', params: [], change: 'none', ...over };
}

const UNSEEN_RECORDS = [
  record({ templateId: 987654, template: 'never <*> seen', params: ['x'], fields: { level: 'FATAL' } }),
  record({ templateId: 987655, fields: {} }),
  record({ templateId: 1, params: ['zz', 'extra', 'params', 'beyond', 'any', 'position'], fields: { level: 42 } }),
  record({ templateId: Number.NaN, template: '', params: [], fields: { level: '' } }),
];

const UNSEEN_WINDOWS: WindowAggregate[] = [
  emptyWindow(0, 60_000),
  { ...emptyWindow(0, 60_000), total: 500 },
  { ...emptyWindow(0, 60_000), total: 50, fields: { "never.monitored": { unknown: 50, values: { x: 50 } } } },
];

const UNSEEN_SESSIONS = [[], [999, 998], [1, 2, 999], [-5, 1.5, Number.NaN, 2]];

/** One suite for every rule detector: the binding decides the input, the fixture its scope. */
function ruleConformance<X, S>(name: string, binding: RuleBinding<X, S>, fixture: Parameters<typeof conformance<X>>[0]['fixture'], unseen: X[], minAuc?: number): void {
  conformance<X>({ name, create: () => new RuleModel(binding), restore: (s) => restoreRuleModel(binding, s), fixture, unseen, minAuc });
}

// Record scope: BGL_2k, first half learned, second half scored (see recordSplitFixture). Most BGL alerts
// are frequent FATAL templates, so the novelty rules rank them poorly, and they say so here:
// - new-template: only the alerts whose template first appears in the second half stand out (AUC 0.655);
ruleConformance('new-template (BGL records)', newTemplateBinding(DETECT), recordSplitFixture, UNSEEN_RECORDS, 0.6);
// - rare-template: at the default maxShare (0.0005) a template must be below 1 in 2,000 records, which no
//   template of a 1,000-record history can be; it scores 0 on the whole fixture (AUC 0.500);
ruleConformance('rare-template (BGL records)', rareTemplateBinding(DETECT), recordSplitFixture, UNSEEN_RECORDS, 0.45);
ruleConformance('severity (BGL records)', severityBinding(DETECT), recordSplitFixture, UNSEEN_RECORDS);
// - param-novelty: no BGL template with a low-cardinality parameter reaches its warm-up (100 records) in
//   the first half, so it judges nothing here (AUC 0.500).
ruleConformance('param-novelty (BGL records)', paramNoveltyBinding(DETECT), recordSplitFixture, UNSEEN_RECORDS, 0.45);
ruleConformance('field-rate (WAF windows)', fieldRateBinding(WAF_DETECT), windowAggregateFixture, UNSEEN_WINDOWS);
// about half of the fixture's anomalies are identical to normal sessions (as for the sequence model: see session-fixture.ts)
ruleConformance('session-signature (HDFS sessions)', sessionSignatureBinding(DETECT), sessionFixture, UNSEEN_SESSIONS, 0.7);

describe('RuleModel', () => {
  const detect = configSchema.parse({ detect: { warmupRecords: 10, rareTemplate: { maxShare: 0.05 } } }).detect;

  it('scores as the pipeline does: a record counts in its source before it is scored, and learning is separate', () => {
    const rare = new RuleModel(rareTemplateBinding(detect));
    const fresh = new RuleModel(newTemplateBinding(detect));
    for (let i = 0; i < 30; i++) {
      rare.learn(record({ templateId: 1 }));
      fresh.learn(record({ templateId: 1 }));
    }
    expect(fresh.score(record({ templateId: 2 }))).toBe(detect.newTemplate.grade);
    expect(fresh.score(record({ templateId: 1 }))).toBe(0);
    // scored as 1 of 31 records: below 5 %, rare; after three are learned it would be 4 of 34: common
    expect(rare.score(record({ templateId: 2 }))).toBeGreaterThan(0.5);
    for (let i = 0; i < 3; i++) rare.learn(record({ templateId: 2 }));
    expect(rare.score(record({ templateId: 2 }))).toBe(0);
  });

  it('explains with the finding\'s own contributions, nothing when nothing fired', () => {
    const sev = new RuleModel(severityBinding(detect));
    expect(sev.explain(record({ fields: { level: 'FATAL' } }), 3)).toEqual([{ feature: 'level', weight: detect.severity.fatalGrade }]);
    expect(sev.explain(record({ fields: { level: 'INFO' } }), 3)).toEqual([]);
  });
});
