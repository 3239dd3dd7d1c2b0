/**
 * Runs sources into a pipeline until stopped: a periodic tick (quiet windows, retention), clean
 * shutdown on SIGINT/SIGTERM (the batch in hand is committed, nothing half-written), counters saved.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { MetricsRegistry } from '../model/metrics.js';
import type { LogStore } from '../model/store.js';
import type { Source, SourceBatch } from '../sources/source.js';
import { Pipeline } from './pipeline.js';

export interface Runner {
  pipeline: Pipeline;
  store: LogStore;
  metrics: MetricsRegistry;
  /** Resolves when every source has ended or `stop()` was called and work is committed. */
  done: Promise<void>;
  stop(): void;
}

/** Builds the sources over the opened store (file sources keep their checkpoints in it) and runs them. */
export function startRunner(
  config: Config,
  store: LogStore,
  makeSources: (store: LogStore) => Source[],
  log: Logger,
  opts: { tickMs?: number; /** Awaited before each batch: a slow reader of the output holds reading back. */ beforeBatch?: () => Promise<void> | undefined } = {},
): Runner {
  // a damaged page is found now, not in the middle of a query days later; reported on /healthz too
  const integrity = store.checkIntegrity();
  if (!integrity.ok) log.warn({ store: store.path, problems: integrity.problems }, `the store ${store.path} is damaged (quick_check); restore a backup or move it aside`);
  const sources = makeSources(store);
  const metrics = new MetricsRegistry();
  metrics.restore(store.loadCounters());
  const pipeline = new Pipeline(config, store, metrics, log);
  const timer = setInterval(() => {
    try {
      pipeline.tick();
    } catch (e) {
      metrics.get('pipeline').error('tick');
      log.error({ err: (e as Error).message }, 'tick failed');
    }
  }, opts.tickMs ?? 1000);
  timer.unref();
  const gate = opts.beforeBatch;
  const emit = gate
    ? async (b: SourceBatch) => {
        await gate();
        return pipeline.handle(b);
      }
    : pipeline.handle;
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const s of sources) s.stop();
  };
  // Sources start on the next microtask: a file source reads its first chunk synchronously, and the
  // caller's listeners (printing, alerting) registered right after this returns must see that batch too.
  const done = Promise.resolve()
    .then(() =>
      Promise.all(
        sources.map((s) =>
          s.run({ emit, metrics, log }).catch((e: unknown) => {
            log.error({ source: s.name, err: (e as Error).message }, 'source failed');
            throw e;
          }),
        ),
      ),
    )
    .then(() => {
      // every source ended by itself (read to the end): windows whose time has passed are judged now
      if (!stopping) pipeline.tick(Date.now(), true);
    })
    .finally(() => {
      clearInterval(timer);
      pipeline.flushState();
      pipeline.saveCounters();
    });
  return { pipeline, store, metrics, done, stop };
}
