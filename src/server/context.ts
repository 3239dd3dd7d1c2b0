/** What every route module gets: the config, the store and its queries, the pipeline when one runs, and the server's own parts. */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { MetricsRegistry } from '../model/metrics.js';
import type { LogStore, StoreQueries } from '../model/store.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { HttpSource } from '../sources/http.js';
import type { Auth } from './auth.js';
import type { PromMetrics } from './prom.js';
import type { StreamHub } from './stream.js';

export interface ServerContext {
  config: Config;
  store: LogStore;
  queries: StoreQueries;
  pipeline?: Pipeline;
  metrics: MetricsRegistry;
  log: Logger;
  auth: Auth;
  hub: StreamHub;
  prom: PromMetrics;
  /** The HTTP ingest source; without it POST /api/ingest answers 503. */
  ingest?: HttpSource;
  startedAt: number;
  version: string;
}
