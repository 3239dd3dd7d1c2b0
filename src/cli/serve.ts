/**
 * `logradar serve`: the HTTP API, HTTP ingest and dashboard over a data dir, with the same pipeline as
 * `watch` running on what is ingested.
 */
import type { Command } from 'commander';
import { checkBind } from '../server/auth.js';
import { createLogger } from '../util/log.js';
import { action, configFromFlags, withCommonFlags, type CommonFlags } from './common.js';
import { startUiOrStop } from './ui.js';
import { runWatch } from './watch.js';

interface ServeFlags extends CommonFlags {
  listen?: string;
}

export function registerServe(program: Command): void {
  withCommonFlags(
    program
      .command('serve')
      .description('serve the HTTP API, HTTP ingest (POST /api/ingest) and the dashboard over a data dir')
      .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:7420; any other host needs auth.token or LOGRADAR_TOKEN)'),
  ).action(
    action(async (flags: ServeFlags) => {
      const config = configFromFlags(flags, { server: { listen: flags.listen } });
      // refused before anything is created: a non-loopback address without a token exits 2
      checkBind(config);
      const log = createLogger(config.logLevel);
      // no paths: the only source is HTTP ingest
      const w = runWatch(config, [], log, { json: false, once: false, status: false, quiet: true, http: true });
      const ui = await startUiOrStop(config, w.runner, log, w.http);
      process.stderr.write(`logradar: serving ${ui.url} (data dir ${config.dataDir})\n`);
      await w.runner.done;
      await ui.close();
      w.runner.store.close();
    }),
  );
}
