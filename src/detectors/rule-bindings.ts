/**
 * The rule detectors bound to `RuleModel` (rule-model.ts), configured as the pipeline configures them.
 * Each binding keeps the state the pipeline keeps for that detector: the record detectors that judge a
 * template by its counts (new, rare, severity) a tally of the source's templates (the miner's counts in
 * the pipeline); the others their own state. Scoring follows the pipeline's order: a record is counted
 * in its source before it is scored, a session or window is scored before it is learned.
 */
import type { Config } from '../config/schema.js';
import type { WindowAggregate } from '../features/window.js';
import type { ParsedRecord } from '../model/record.js';
import { FieldRateDetector, newFieldRateState, type FieldRateState } from './field-rate.js';
import { NewTemplateDetector } from './new-template.js';
import { newParamNoveltyState, ParamNoveltyDetector, paramNoveltyFromJson, paramNoveltyToJson, type ParamNoveltyJson, type ParamNoveltyState } from './param-novelty.js';
import { RareTemplateDetector } from './rare-template.js';
import { plainCopy, type RuleBinding } from './rule-model.js';
import { newSessionSignatureState, SessionSignatureDetector, type SessionSignatureState } from './session-signature.js';
import { SeverityDetector } from './severity.js';
import type { Finding } from './detector.js';

type Detect = Config['detect'];

/** Records of a source, and per template id how many of them it produced. */
export interface TemplateTally {
  records: number;
  counts: Record<string, number>;
}

const some = (f: Finding | undefined): Finding[] => (f ? [f] : []);

/** A binding for a record detector judging a record by its template's count among the source's records. */
function tallied(kind: string, score: (rec: ParsedRecord, count: number, total: number, seenBefore: boolean) => Finding | undefined, ready: (t: TemplateTally) => boolean): RuleBinding<ParsedRecord, TemplateTally> {
  return {
    kind,
    init: () => ({ records: 0, counts: {} }),
    learn(rec, t) {
      t.records++;
      t.counts[rec.templateId] = (t.counts[rec.templateId] ?? 0) + 1;
    },
    findings(rec, t) {
      const before = Object.hasOwn(t.counts, rec.templateId) ? t.counts[rec.templateId] : 0;
      return some(score(rec, before + 1, t.records + 1, before > 0));
    },
    ready,
    toJson: plainCopy,
    fromJson: (j) => {
      const t = j as Partial<TemplateTally> | undefined;
      return { records: t?.records ?? 0, counts: { ...t?.counts } };
    },
  };
}

export function newTemplateBinding(d: Detect): RuleBinding<ParsedRecord, TemplateTally> {
  const det = new NewTemplateDetector({ ...d.newTemplate, warmupRecords: d.warmupRecords });
  return tallied(
    det.name,
    (rec, _count, total, seen) => det.score({ ...rec, change: seen ? 'none' : 'created' }, total - 1),
    (t) => t.records >= d.warmupRecords,
  );
}

export function rareTemplateBinding(d: Detect): RuleBinding<ParsedRecord, TemplateTally> {
  const det = new RareTemplateDetector({ ...d.rareTemplate, warmupRecords: d.warmupRecords });
  return tallied(det.name, (rec, count, total) => det.score(rec, count, total), (t) => t.records >= d.warmupRecords);
}

export function severityBinding(d: Detect): RuleBinding<ParsedRecord, TemplateTally> {
  const det = new SeverityDetector(d.severity);
  // knowledge, not learning: the tally only tells routine templates apart
  return tallied(det.name, (rec, count, total) => det.score(rec, count, total), () => true);
}

export function paramNoveltyBinding(d: Detect): RuleBinding<ParsedRecord, ParamNoveltyState> {
  const det = new ParamNoveltyDetector(d.paramNovelty);
  return {
    kind: det.name,
    init: newParamNoveltyState,
    learn: (rec, st) => det.learn(rec.templateId, rec.params, st),
    findings: (rec, st) => some(det.score(rec.templateId, rec.template, rec.params, st)),
    // past warm-up once some template is judged, or known to have nothing to judge (free-form)
    ready: (st) => [...st.templates.values()].some((t) => t.free || t.records >= d.paramNovelty.warmup),
    toJson: paramNoveltyToJson,
    fromJson: (j) => paramNoveltyFromJson(j as ParamNoveltyJson | undefined),
  };
}

/** Monitors `d.fields` (the pipeline may choose them per source instead: detect.autoFields). */
export function fieldRateBinding(d: Detect): RuleBinding<WindowAggregate, FieldRateState> {
  const det = new FieldRateDetector(d.fields, { ...d.fieldRate, warmupIntervals: d.warmupIntervals });
  return {
    kind: det.name,
    init: newFieldRateState,
    learn: (w, st) => det.learn(w, st),
    findings: (w, st) => det.score(w, st),
    ready: (st) => st.windows >= d.warmupIntervals,
    toJson: plainCopy,
    fromJson: (j) => ({ ...newFieldRateState(), ...plainCopy(j as FieldRateState) }),
  };
}

export function sessionSignatureBinding(d: Detect): RuleBinding<readonly number[], SessionSignatureState> {
  const det = new SessionSignatureDetector(d.sessionSignature, d.threshold);
  return {
    kind: det.name,
    init: newSessionSignatureState,
    learn: (events, st) => det.learn(events, st),
    findings: (events, st) => some(det.score(events, st, (id) => `#${id}`)),
    ready: (st) => st.sessions >= d.sessionSignature.warmup,
    toJson: plainCopy,
    fromJson: (j) => {
      const s = j as Partial<SessionSignatureState> | undefined;
      const st = newSessionSignatureState();
      // prototype-free maps, as the detector keeps them (keys come from the logs)
      return { sessions: s?.sessions ?? 0, values: Object.assign(st.values, s?.values), templates: Object.assign(st.templates, s?.templates) };
    },
  };
}
