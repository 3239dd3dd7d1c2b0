/**
 * `logradar demo` (what `npm start` runs): mock WAF logs written live into a temporary directory,
 * watched like any directory, with one enforced anomaly after the warm-up, anomalies printed as found.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { loadConfig } from '../config/load.js';
import { WAF_FIELDS_PRESET } from '../config/presets.js';
import { parseWafAnomaly, WafGenerator } from '../generators/waf.js';
import { runGenerator } from '../generators/writer.js';
import { daySpan, planIncidents, startOfUtcDay } from '../generators/postfix.js';
import { runPostfix } from '../generators/postfix-run.js';
import { createLogger } from '../util/log.js';
import { UsageError } from '../model/errors.js';
import { action, type CommonFlags } from './common.js';
import { durationFlag, parseRate } from './generate.js';
import { checkBind } from '../server/auth.js';
import { startUi } from './ui.js';
import { runWatch, statusLine } from './watch.js';

interface DemoFlags extends CommonFlags {
  rate: string;
  interval: string;
  anomaly: string;
  anomalyAfter: string;
  anomalyLength: string;
  duration?: string;
  seed: string;
  json?: boolean;
  listen: string;
  scenario: string;
  alerts?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('mock logs written live, watched and analysed: AWS WAF (a detection within about a minute) or --scenario mail')
    .option('--data-dir <dir>', 'data directory (default: a new temporary one)')
    .option('--log-level <level>', 'service log level', 'warn')
    .option('--rate <n>', 'records per second', '25')
    .option('--interval <d>', 'detection window', '5s')
    .option('--anomaly <spec>', 'the injected anomaly: <field>=<value>, <field>, random or none', 'country=XX')
    .option('--anomaly-after <d>', 'when it starts', '50s')
    .option('--anomaly-length <d>', 'how long it lasts', '20s')
    .option('--duration <d>', 'stop after this long (default: until Ctrl-C)')
    .option('--seed <n>', 'random seed', '1')
    .option('--json', 'print anomalies as NDJSON')
    .option('--listen <host:port>', 'address of the dashboard', '127.0.0.1:7420')
    .option('--alerts', 'also alert on standard output: one line when an incident opens, one when it ends')
    .option('--scenario <name>', 'waf: mock AWS WAF logs live (what npm start shows); mail: a week of Postfix mail logs with two incidents, then live mail', 'waf')
    .action(action((flags: DemoFlags) => (flags.scenario === 'mail' ? runMailDemo(flags) : flags.scenario === 'waf' ? runDemo(flags) : Promise.reject(new UsageError(`--scenario: "${flags.scenario}" is not waf or mail`)))));
}

async function runDemo(flags: DemoFlags): Promise<void> {
  // flags first: a bad one exits 2 before anything is created
  const interval = durationFlag('--interval', flags.interval);
  const rate = parseRate(flags.rate);
  const seed = Number(flags.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed: "${flags.seed}" is not an integer`);
  const plan = parseWafAnomaly(flags.anomaly, durationFlag('--anomaly-after', flags.anomalyAfter, true), durationFlag('--anomaly-length', flags.anomalyLength));
  const duration = flags.duration === undefined ? undefined : durationFlag('--duration', flags.duration);
  const logDir = mkdtempSync(join(tmpdir(), 'logradar-demo-'));
  const wafDir = join(logDir, 'waf');
  const dataDir = flags.dataDir ?? join(logDir, 'data');
  const config = loadConfig({
    overrides: {
      dataDir,
      logLevel: flags.logLevel,
      files: { pollInterval: '500ms' },
      parse: { format: 'json' },
      detect: { interval, warmupIntervals: 6, fields: WAF_FIELDS_PRESET },
      server: { listen: flags.listen },
      ...(flags.alerts ? { alerts: { rules: [{ name: 'demo', groupWindow: '30s', cooldown: '1m' }], channels: { stdout: {} } } } : {}),
    },
  });
  checkBind(config);
  const log = createLogger(config.logLevel);
  const say = (s: string) => process.stderr.write(s + '\n');
  say(pc.bold('logradar demo') + ': mock AWS WAF logs → watch → detect → store');
  say(`  logs:     ${wafDir} (new files every 15 s, ${flags.rate} records/s)`);
  say(`  store:    ${dataDir}`);
  say(`  anomaly:  ${flags.anomaly}${plan.kind === 'enforced' ? ` after ${flags.anomalyAfter} for ${flags.anomalyLength}` : ''}; warm-up: 6 intervals of ${flags.interval}`);
  say(`  query:    ./bin/logradar anomalies --data-dir ${dataDir}`);

  const ac = new AbortController();
  const w = runWatch(config, [wafDir], log, { json: !!flags.json, once: false, status: false, http: true });
  // the demo runs without its dashboard rather than not at all (e.g. another demo holds the port)
  const ui = await startUi(config, w.runner, log, w.http).catch((e: Error) => {
    say(pc.yellow(`  dashboard: not started (${e.message})`));
    return undefined;
  });
  if (ui) say(`  dashboard: ${pc.bold(ui.url)}`);
  say('  Ctrl-C stops.\n');
  const gen = new WafGenerator({ seed });
  const genDone = runGenerator({
    outDir: wafDir,
    filePrefix: 'waf',
    rate,
    filesPerMinute: 4,
    record: (ts) => gen.record(ts),
    timing: { mode: 'live', duration },
    seed,
    anomalies: {
      target: gen,
      plan,
      onStart: (info) => say(pc.magenta(`[generator] anomaly injected: ${info.field} → ${info.values.join(', ')}`)),
      onLabel: (l) => say(pc.magenta(`[generator] anomaly over: ${l.field} ${l.start} → ${l.end}`)),
    },
    signal: ac.signal,
  });
  // Progress on stderr: "warming up" until the field detector has enough intervals.
  let lastLines = 0;
  const progress = setInterval(() => {
    const lines = w.runner.metrics.get('store').received;
    say(pc.dim(`[status] ${statusLine(w, lines, (lines - lastLines) / 5)}`));
    lastLines = lines;
  }, 5000);
  progress.unref();
  const stopAll = () => {
    ac.abort();
    w.runner.stop();
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  await genDone;
  w.runner.stop();
  await w.runner.done;
  clearInterval(progress);
  await ui?.close();
  w.runner.store.close();
}

/**
 * `demo --scenario mail`: a week of Postfix logs (one file a day, two labelled incidents in its second
 * half) written at once, then live mail appended to today's file; watched with no configuration (the
 * source is recognised as Postfix: hourly windows). The incidents are found as the week is read.
 */
async function runMailDemo(flags: DemoFlags): Promise<void> {
  const seed = Number(flags.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed: "${flags.seed}" is not an integer`);
  const duration = flags.duration === undefined ? undefined : durationFlag('--duration', flags.duration);
  const logDir = mkdtempSync(join(tmpdir(), 'logradar-demo-mail-'));
  const mailDir = join(logDir, 'mail');
  const dataDir = flags.dataDir ?? join(logDir, 'data');
  const config = loadConfig({ overrides: { dataDir, logLevel: flags.logLevel, files: { pollInterval: '500ms' }, server: { listen: flags.listen } } });
  checkBind(config);
  const log = createLogger(config.logLevel);
  const say = (s: string) => process.stderr.write(s + '\n');
  say(pc.bold('logradar demo --scenario mail') + ': a week of Postfix mail logs → watch → detect → store');
  const span = daySpan(Date.now(), 7);
  // incidents on whole days only: on today's part-day they would be squeezed into the hours before now
  // (at night, with too little mail in an hourly window to tell), so what the demo shows would depend on the hour
  const incidents = planIncidents(undefined, { start: span.start, end: startOfUtcDay(span.end) }, seed);
  const week = await runPostfix({ outDir: mailDir, seed, start: span.start, end: span.end, incidents });
  say(`  logs:     ${mailDir} (${week.files.length} daily files, ${week.lines} lines; then live mail appended to today's file)`);
  for (const l of week.labels) say(pc.magenta(`  incident: ${l.type} ${l.start} → ${l.end}`));
  say(`  store:    ${dataDir}`);
  const ac = new AbortController();
  const w = runWatch(config, [mailDir], log, { json: !!flags.json, once: false, status: false, http: true });
  const ui = await startUi(config, w.runner, log, w.http).catch((e: Error) => {
    say(pc.yellow(`  dashboard: not started (${e.message})`));
    return undefined;
  });
  if (ui) say(`  dashboard: ${pc.bold(`${ui.url}/#/?range=7d`)}`);
  say('  Ctrl-C stops.\n');
  const stopAll = () => {
    ac.abort();
    w.runner.stop();
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  const timer = duration === undefined ? undefined : setTimeout(stopAll, duration);
  // live traffic from now on, appended to today's file (a busier hour than the week's average)
  await runPostfix({ outDir: mailDir, seed: seed + 1, start: span.end, end: span.end, incidents: [], ratePerHour: 1800, live: true, signal: ac.signal });
  if (timer) clearTimeout(timer);
  w.runner.stop();
  await w.runner.done;
  await ui?.close();
  w.runner.store.close();
}
