/** `logradar watch`: tail files/directories/globs (and `-` for stdin), detect, store, print anomalies. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { RetrainJob } from '../pipeline/retrain.js';
import { startRunner, type Runner } from '../pipeline/runner.js';
import { FileSource } from '../sources/file/file-source.js';
import { missingPath } from '../sources/file/discover.js';
import { UsageError } from '../model/errors.js';
import { multilineOptions } from '../sources/multiline.js';
import { batchLogLevel, Progress } from './progress.js';
import type { Source } from '../sources/source.js';
import { StreamSource } from '../sources/stdin.js';
import { openStore } from '../store/open.js';
import { createLogger } from '../util/log.js';
import { startReportSchedule } from '../report/schedule.js';
import { checkBind } from '../server/auth.js';
import type { HttpSource } from '../sources/http.js';
import { action, configFromFlags, withCommonFlags, type CommonFlags } from './common.js';
import { drained, onStdoutGone, writeOut } from './output.js';
import { httpSource, startUiOrStop } from './ui.js';
import { anomalyJson, anomalyLine } from './format.js';
import { startAlerts, type Alerts } from '../alerts/service.js';

interface WatchFlags extends CommonFlags {
  ui?: boolean;
  listen?: string;
  from?: 'beginning' | 'end';
  json?: boolean;
  once?: boolean;
  poll?: string;
  status?: boolean;
  allowMissing?: boolean;
}

export function registerWatch(program: Command): void {
  withCommonFlags(
    program
      .command('watch')
      .description('tail log files (directories recursively, globs, or - for stdin), learn, detect and store in real time')
      .argument('<paths...>', 'directories, files, globs (quote them), or - for stdin')
      .option('--from <where>', 'where files seen for the first time start: beginning|end')
      .option('--poll <interval>', 'attribute poll interval (e.g. 1s, 250ms)')
      .option('--json', 'print anomalies as NDJSON')
      .option('--once', 'read everything there is, then exit (batch mode)')
      .option('--no-status', 'no periodic status line on a terminal')
      .option('--allow-missing', 'wait for paths that do not exist yet (else a missing path exits 2)')
      .option('--ui', 'also serve the dashboard, the HTTP API and HTTP ingest (see server.listen)')
      .option('--listen <host:port>', 'with --ui: address to listen on (default 127.0.0.1:7420)'),
  ).action(
    action(async (paths: string[], flags: WatchFlags) => {
      const config = configFromFlags(flags, { files: { from: flags.from, pollInterval: flags.poll }, server: { listen: flags.listen } });
      if (flags.ui) checkBind(config);
      if (!flags.allowMissing) {
        for (const p of paths) {
          const missing = p === '-' ? undefined : missingPath(p);
          if (missing !== undefined) throw new UsageError(`${missing}: no such file or directory (--allow-missing waits for a path that appears later)`);
        }
      }
      const log = createLogger(flags.once ? batchLogLevel(flags.logLevel, config.logLevel) : config.logLevel);
      const w = runWatch(config, paths, log, { json: !!flags.json, once: !!flags.once, status: flags.status !== false, http: !!flags.ui });
      const ui = flags.ui ? await startUiOrStop(config, w.runner, log, w.http) : undefined;
      if (ui) process.stderr.write(`logradar: dashboard at ${ui.url}\n`);
      if (process.stderr.isTTY && !flags.once) startupMessage(config, paths, w, ui?.url);
      await w.runner.done;
      await ui?.close();
      w.runner.store.close();
    }),
  );
}

/**
 * What a person at a terminal needs after `watch` starts: what is read, where it is kept, where to look
 * next. Shown once the first scan has found the files; nothing on a non-terminal (scripts read stdout).
 */
function startupMessage(config: Config, paths: string[], w: WatchHandle, url: string | undefined): void {
  setTimeout(() => {
    const files = w.files?.files().filter((f) => !f.gone).length ?? 0;
    const roots = paths.filter((p) => p !== '-');
    const parts = [...(paths.includes('-') ? ['stdin'] : []), ...(roots.length ? [`${files} file${files === 1 ? '' : 's'} in ${roots.join(', ')}`] : [])];
    const what = parts.join(' and ');
    const dir = config.dataDir;
    const lines = [
      `logradar: watching ${what} (data dir ${dir}); anomalies are printed here as they are found`,
      `  later: logradar anomalies --data-dir ${dir}  ·  logradar incidents --data-dir ${dir}`,
      url ? `  dashboard: ${url}` : `  dashboard: add --ui, or run logradar serve --data-dir ${dir}`,
    ];
    process.stderr.write(lines.join('\n') + '\n');
  }, 500).unref();
}

export interface WatchHandle {
  runner: Runner;
  files?: FileSource;
  /** HTTP ingest, when asked for (`http`). */
  http?: HttpSource;
  /** Alerting, when `alerts.rules` is not empty. */
  alerts?: Alerts;
}

/** Starts watching; prints anomalies; stops on SIGINT/SIGTERM after committing the batch in hand. */
export function runWatch(config: Config, paths: string[], log: Logger, opts: { json: boolean; once: boolean; status: boolean; quiet?: boolean; http?: boolean }): WatchHandle {
  const handle = {} as WatchHandle;
  const filePaths = paths.filter((p) => p !== '-');
  // --once: a bar of the bytes read of the files found (when stdout is not this terminal: the anomalies)
  const bar = opts.once && opts.status && !opts.quiet ? Progress.onTerminal('read', 0, true) : undefined;
  const moveBar = bar
    ? () => {
        const files = handle.files?.files() ?? [];
        bar.set(
          files.reduce((n, f) => n + Math.min(f.offset, f.size), 0),
          files.reduce((n, f) => n + f.size, 0),
        );
      }
    : undefined;
  handle.runner = startRunner(
    config,
    openStore(config.dataDir),
    (store) => {
      const sources: Source[] = [];
      const multiline = multilineOptions(config.parse);
      if (paths.includes('-')) sources.push(new StreamSource(process.stdin, { name: 'stdin', maxLineBytes: config.files.maxLineBytes, dedupConsecutive: config.files.dedupConsecutive, multiline }));
      if (filePaths.length > 0) sources.push((handle.files = new FileSource(filePaths, { ...config.files, once: opts.once, multiline, skipDirs: [resolve(config.dataDir)] }, store)));
      if (opts.http) sources.push((handle.http = httpSource(config, store)));
      return sources;
    },
    log,
    // anomalies are printed as batches are committed: a slow reader of stdout slows reading; the --once
    // bar moves with the batches (reading in one go leaves no turn to a timer)
    {
      beforeBatch: opts.quiet
        ? undefined
        : () => {
            moveBar?.();
            return drained();
          },
    },
  );
  const runner = handle.runner;
  handle.alerts = startAlerts(config, runner.pipeline, runner.metrics, log);
  const color = !!process.stdout.isTTY;
  // The status line lives on the terminal's last row: clear it before an anomaly line is printed there.
  let statusShown = false;
  if (!opts.quiet) {
    runner.pipeline.onAnomaly((a) => {
      if (statusShown) {
        process.stderr.write('\r\x1b[2K');
        statusShown = false;
      }
      void writeOut(opts.json ? JSON.stringify(anomalyJson(a)) + '\n' : anomalyLine(a, color) + '\n');
    });
  }
  let statusTimer: NodeJS.Timeout | undefined;
  if (!bar && opts.status && process.stderr.isTTY && !opts.quiet) {
    let last = 0;
    let lastAt = Date.now();
    statusTimer = setInterval(() => {
      const lines = runner.metrics.get('store').received;
      const now = Date.now();
      const rate = ((lines - last) * 1000) / Math.max(1, now - lastAt);
      last = lines;
      lastAt = now;
      process.stderr.write(`\r\x1b[2K${statusLine(handle, lines, rate)}`);
      statusShown = true;
    }, 2000);
    statusTimer.unref();
  }
  // the daily report of a long-running watch/serve/demo (not of a batch run)
  const stopReports = !opts.once && config.report.enabled ? startReportSchedule(config, runner.store, log, runner.metrics.get('report')) : undefined;
  const retrain = !opts.once && config.retrain.enabled ? startRetraining(config, runner, log) : undefined;
  const onSignal = () => {
    log.info('stopping: committing the batch in hand');
    runner.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // the reader of stdout went away (`watch --json | head`): stop as on SIGTERM, exit 0
  if (!opts.quiet)
    onStdoutGone(() => {
      log.info('standard output closed: stopping');
      runner.stop();
    });
  runner.done = runner.done.finally(() => {
    stopReports?.();
    if (retrain) clearInterval(retrain);
    bar?.end();
    if (statusTimer) {
      clearInterval(statusTimer);
      process.stderr.write('\n');
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // messages in flight get a few seconds; open incidents are not resolved by a shutdown
    return handle.alerts?.close();
  });
  return handle;
}

/** How often the retraining schedule is looked at (cron patterns have minute resolution). */
const RETRAIN_CHECK_MS = 10_000;

/** Ticks the retraining job on the wall clock; a run holds ingest back while it refits (sources wait). */
function startRetraining(config: Config, runner: Runner, log: Logger): NodeJS.Timeout {
  const job = new RetrainJob(config, runner.store, log, runner.metrics, runner.pipeline, Date.now());
  const timer = setInterval(() => {
    try {
      job.tick(Date.now());
    } catch (e) {
      log.error({ err: (e as Error).message }, 'retraining failed');
    }
  }, RETRAIN_CHECK_MS);
  timer.unref();
  return timer;
}

export function statusLine(h: WatchHandle, lines: number, rate: number): string {
  const st = h.runner.pipeline.status();
  const warming = st.filter((s) => s.warmingUp);
  const anomalies = h.runner.metrics.get('detect').emitted;
  const files = h.files?.files().filter((f) => !f.gone).length ?? 0;
  const warm = warming.length ? `, warming up (${warming.map((s) => `${s.windowsSeen}/${s.warmupIntervals} intervals`).join(', ')})` : '';
  return `${files} files, ${Math.round(rate)} lines/s, ${lines} lines, ${anomalies} anomalies${warm}`;
}
