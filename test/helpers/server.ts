/** A real server over a real store in a temporary directory, with the pipeline and HTTP ingest running. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { startRunner, type Runner } from '../../src/pipeline/runner.js';
import { buildServer } from '../../src/server/app.js';
import { HttpSource } from '../../src/sources/http.js';
import { openStore } from '../../src/store/open.js';
import { createLogger } from '../../src/util/log.js';

export interface TestServer {
  app: FastifyInstance;
  runner: Runner;
  config: Config;
  dir: string;
  /** Stops the server and the runner; keeps the data dir unless `remove`. */
  close(remove?: boolean): Promise<void>;
}

/** Records stay new-template findings after 20 records (default warm-up 1000 would need big fixtures). */
export const FAST_DETECT = { warmupRecords: 20, interval: '1m' };

export function tmpDataDir(prefix = 'logradar-server-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestServer(overrides: Record<string, unknown> = {}, dir = tmpDataDir(), opts: { webRoot?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TestServer> {
  const config = loadConfig({ overrides: { dataDir: dir, logLevel: 'silent', detect: FAST_DETECT, ...overrides }, env: opts.env ?? {} });
  const log = createLogger('silent');
  let http!: HttpSource;
  const runner = startRunner(
    config,
    openStore(dir),
    (store) => {
      http = new HttpSource({ maxLineBytes: config.files.maxLineBytes, resume: (s) => store.queries.streamEnd(s) });
      return [http];
    },
    log,
  );
  const app = await buildServer({ config, store: runner.store, pipeline: runner.pipeline, metrics: runner.metrics, log, ingest: http, webRoot: opts.webRoot, heartbeatMs: 200 });
  return {
    app,
    runner,
    config,
    dir,
    async close(remove = true) {
      await app.close();
      runner.stop();
      await runner.done;
      runner.store.close();
      if (remove) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** NDJSON of `n` ordinary records, then whatever lines are given. */
export function ndjson(n: number, extra: string[] = [], t0 = Date.parse('2026-11-21T10:00:00Z')): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(JSON.stringify({ timestamp: new Date(t0 + i * 1000).toISOString(), level: 'INFO', message: `request ${i} served in ${10 + (i % 7)} ms` }));
  return [...lines, ...extra].join('\n') + '\n';
}
