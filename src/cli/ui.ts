/** The in-process server of `serve`, `watch --ui` and `demo`: over a running runner, listening on `server.listen`. */
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Runner } from '../pipeline/runner.js';
import { LogradarError } from '../model/errors.js';
import type { LogStore } from '../model/store.js';
import { HttpSource } from '../sources/http.js';

/** The built dashboard, beside the compiled CLI: dist/web. */
export const WEB_ROOT = fileURLToPath(new URL('../web', import.meta.url));

/** A HttpSource that numbers each source's lines on from what the store already holds. */
export function httpSource(config: Config, store: LogStore): HttpSource {
  return new HttpSource({ maxLineBytes: config.files.maxLineBytes, resume: (s) => store.queries.streamEnd(s) });
}

export interface Ui {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** Builds the server over a running runner and listens on `server.listen`. */
export async function startUi(config: Config, runner: Runner, log: Logger, ingest?: HttpSource): Promise<Ui> {
  // loaded only when a server is wanted: fastify and its plugins would add ~0.2 s to every command's start
  const { buildServer, listen } = await import('../server/app.js');
  const { hasDashboard } = await import('../server/routes/web.js');
  const webRoot = hasDashboard(WEB_ROOT) ? WEB_ROOT : undefined;
  if (!webRoot) log.warn({ webRoot: WEB_ROOT }, 'the dashboard was not built: serving a placeholder page and the API');
  const app = await buildServer({ config, store: runner.store, pipeline: runner.pipeline, metrics: runner.metrics, log, webRoot, ingest });
  let url: string;
  try {
    url = await listen(app, config);
  } catch (e) {
    await app.close();
    if (e instanceof LogradarError) throw e;
    throw new LogradarError('LOGRADAR_ERR_IO', `cannot listen on ${config.server.listen}: ${(e as Error).message} (choose another with --listen or server.listen)`);
  }
  return { app, url, close: () => app.close() };
}

/** Starts the server, or stops the runner (committing what it holds) and rethrows when it cannot. */
export async function startUiOrStop(config: Config, runner: Runner, log: Logger, ingest?: HttpSource): Promise<Ui> {
  try {
    return await startUi(config, runner, log, ingest);
  } catch (e) {
    runner.stop();
    await runner.done;
    runner.store.close();
    throw e;
  }
}
