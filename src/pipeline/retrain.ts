/**
 * Retraining: the learned models of each source refitted on the stored events of a recent range, the
 * same way `train` fits them (pass 1 learns and fits, pass 2 scores the same records to calibrate), by
 * replaying the stored raw lines through a separate pipeline that starts from the source's current
 * templates, monitored fields and counts. Records the user confirmed anomalous are left out; those
 * marked false positive stay in, and their windows are learned as normal. Each refit becomes a model
 * version (store `model_versions`) and the active one; the live pipeline switches to it at once.
 * The online detectors (new/rare templates, field rate, parameter novelty) are not touched: they keep
 * adapting between refits, and the calibrators of the new models keep streaming from their new history.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { MetricsRegistry } from '../model/metrics.js';
import type { RawLine } from '../model/record.js';
import type { LogStore, NewModelVersion, StoredAnomaly } from '../model/store.js';
import { nextCronTime } from '../util/cron.js';
import { Pipeline, replayState, type PipelineMode } from './pipeline.js';
import { versionSnapshot } from './detector-state.js';
import { MemoryPipelineStore } from './memory-store.js';

export interface RetrainResult {
  source: string;
  /** The new, now active version. */
  version: number;
  /** The version saved first for the models learned online before the first refit, if any. */
  baseline?: number;
  from: number;
  to: number;
  /** Records the models were refitted on. */
  records: number;
  /** Stored records of the range left out as confirmed anomalous. */
  excluded: number;
}

/**
 * Templates created while replaying get ids far above the live ones: they are thrown away with the
 * replay, and an id the live miner hands out later must not name a different template in the new models.
 */
const REPLAY_ID_FLOOR = 1e12;

/** The replay's PipelineStore: seeded with the live templates and source state, keeps what the passes derive. */
class ReplayStore extends MemoryPipelineStore {
  constructor(live: LogStore, source: string) {
    super(live.maxTemplateId() + REPLAY_ID_FLOOR);
    for (const t of live.loadTemplates(source)) this.templates.set(t.id, t);
    const saved = live.loadState(`source:${source}`);
    if (saved) {
      try {
        this.state.set(saved.key, replayState(saved));
      } catch {
        // unreadable: the replay starts the source fresh, as the live pipeline would
      }
    }
  }
}

/** What feedback says about the stored records of a range. */
export class TrainingFilter {
  private readonly records = new Set<string>();
  private readonly windows: Array<{ start: number; end: number }> = [];
  private readonly sessions: Array<{ key: string; start: number; end: number }> = [];
  private readonly normalWindows = new Set<number>();

  constructor(anomalies: StoredAnomaly[]) {
    for (const a of anomalies) {
      if (a.status === 'false_positive' && a.kind === 'window' && a.window) this.normalWindows.add(a.window.start);
      if (a.status !== 'confirmed') continue;
      if (a.kind === 'window' && a.window) this.windows.push(a.window);
      else if (a.kind === 'session' && a.session !== undefined) {
        const s = a.explain?.session as { start?: number; end?: number } | undefined;
        this.sessions.push({ key: a.session, start: s?.start ?? a.ts, end: s?.end ?? a.ts });
      } else if (a.kind === 'record' && a.line !== undefined) this.records.add(recordKey(a.line, a.offset ?? 0, a.raw ?? ''));
    }
  }

  /** A stored record confirmed anomalous: itself, inside a confirmed window, or part of a confirmed session (a line of its time span holding its key). */
  excludes(e: { ts: number; line: number; offset: number; raw: string }): boolean {
    if (this.records.has(recordKey(e.line, e.offset, e.raw))) return true;
    for (const w of this.windows) if (e.ts >= w.start && e.ts < w.end) return true;
    for (const s of this.sessions) if (e.ts >= s.start && e.ts <= s.end && e.raw.includes(s.key)) return true;
    return false;
  }

  /** A window marked false positive: normal, whatever the replay's detectors say. */
  normalWindow(start: number): boolean {
    return this.normalWindows.has(start);
  }
}

const recordKey = (line: number, offset: number, raw: string) => `${line}:${offset}:${raw}`;

/**
 * Refits one source's learned models on its stored events of [now − retrain.window, now] and makes the
 * result the active version. Undefined when the range holds no usable record.
 */
export function retrainSource(config: Config, store: LogStore, source: string, now: number, log: Logger, live?: Pipeline): RetrainResult | undefined {
  const from = now - config.retrain.window;
  const to = now;
  const filter = new TrainingFilter(store.anomalies({ source, since: from }).filter((a) => a.status === 'confirmed' || a.status === 'false_positive'));
  const replayLog = log.child({ retrain: source }, { level: 'warn' });
  const replay = new ReplayStore(store, source);
  let records = 0;
  let excluded = 0;
  const pass = (mode: PipelineMode, count: boolean) => {
    const p = new Pipeline(config, replay, new MetricsRegistry(), replayLog, mode);
    for (const b of store.blocks(source, from, to)) {
      const lines: RawLine[] = [];
      for (const e of b.events) {
        if (filter.excludes(e)) {
          if (count) excluded++;
          continue;
        }
        lines.push({ text: e.raw, offset: e.offset, line: e.line, truncated: false });
      }
      if (count) records += lines.length;
      if (lines.length) p.process({ source, file: b.file ?? undefined, fileId: null, lines }, b.ingestTs);
    }
    p.finish();
    if (mode.learn) p.fitModels();
    p.flushState();
  };
  pass({ learn: true, report: false, stateEveryBatch: false, normalWindow: (_s, start) => filter.normalWindow(start) }, true);
  if (records === 0) return undefined;
  pass({ learn: false, report: false, stateEveryBatch: false, calibrate: true }, false);
  const fitted = replay.loadState(`models:${source}`);
  if (!fitted) return undefined;

  const versions: NewModelVersion[] = [];
  const hasVersions = store.versions.list(source).length > 0;
  const baseline = hasVersions ? undefined : onlineModels(store, source, live);
  if (baseline) versions.push({ source, created: now, records: baseline.records, snapshot: baseline.snapshot });
  versions.push({ source, created: now, from, to, records, snapshot: versionSnapshot(fitted.value) });
  const ids = store.versions.add(versions, { activate: true, keep: config.retrain.keepVersions });
  live?.syncModelVersions();
  return { source, version: ids.at(-1)!, ...(baseline ? { baseline: ids[0] } : {}), from, to, records, excluded };
}

/** Refits every source with stored events; a source that fails is logged, counted and skipped. */
export function retrainAll(config: Config, store: LogStore, now: number, log: Logger, metrics: MetricsRegistry, live?: Pipeline): RetrainResult[] {
  const out: RetrainResult[] = [];
  const m = metrics.get('retrain');
  for (const source of store.sourceNames()) {
    m.received++;
    try {
      const r = retrainSource(config, store, source, now, log, live);
      if (!r) continue;
      m.emitted++;
      out.push(r);
      log.info({ source, version: r.version, from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString(), records: r.records, excluded: r.excluded }, 'models retrained');
    } catch (e) {
      m.error('fit');
      log.error({ source, err: (e as Error).message }, 'retraining failed; the source keeps its models');
    }
  }
  return out;
}

/** The models a source learned online before its first refit, so that refit can be rolled back. */
function onlineModels(store: LogStore, source: string, live?: Pipeline): { snapshot: string; records: number } | undefined {
  const state = store.loadState(`source:${source}`);
  let records = 0;
  try {
    if (state) records = (JSON.parse(state.value) as { records?: number }).records ?? 0;
  } catch {
    // the record count is only shown
  }
  const running = live?.sourceModels(source);
  if (running) return { snapshot: versionSnapshot(JSON.stringify(running.snapshot())), records };
  const saved = store.loadState(`models:${source}`);
  if (!saved) return undefined;
  try {
    return { snapshot: versionSnapshot(saved.value), records };
  } catch {
    return undefined;
  }
}

/**
 * The retraining schedule as a clock-driven job: `tick(now)` runs the retraining once when a time of the
 * cron pattern has passed since the last tick. `watch`/`serve` tick it every few seconds; tests pass the
 * time, so no timer is involved.
 */
export class RetrainJob {
  private next: number | undefined;

  constructor(
    private readonly config: Config,
    private readonly store: LogStore,
    private readonly log: Logger,
    private readonly metrics: MetricsRegistry,
    private readonly live: Pipeline | undefined,
    now: number,
  ) {
    this.next = nextCronTime(config.retrain.schedule, now);
  }

  /** When the job runs next (undefined: the pattern never fires again). */
  get nextRun(): number | undefined {
    return this.next;
  }

  /** Runs the retraining when it is due; returns what it did (undefined when not due). */
  tick(now: number): RetrainResult[] | undefined {
    if (this.next === undefined || now < this.next) return undefined;
    this.next = nextCronTime(this.config.retrain.schedule, now);
    return retrainAll(this.config, this.store, now, this.log, this.metrics, this.live);
  }
}
