/** `logradar generate waf|postfix`: mock logs (AWS WAF, a Postfix mail server) with labelled anomalies. */
import type { Command } from 'commander';
import { UsageError } from '../model/errors.js';
import { parseDuration } from '../util/units.js';
import { parseWafAnomaly, WafGenerator, WAF_FIELD_NAMES } from '../generators/waf.js';
import { appendLabel, runGenerator, type Timing } from '../generators/writer.js';
import { daySpan, parseIncidentSpec, planIncidents, POSTFIX_INCIDENT_TYPES, type IncidentRequest } from '../generators/postfix.js';
import { runPostfix } from '../generators/postfix-run.js';
import { action, timeFlag } from './common.js';

interface WafFlags {
  out: string;
  rate: string;
  filesPerMinute: string;
  seed: string;
  anomaly: string;
  labels?: string;
  duration?: string;
  live?: boolean;
  start?: string;
  anomalyAfter: string;
  anomalyLength: string;
}

export function registerGenerate(program: Command): void {
  const generate = program.command('generate').description('write mock logs for trying logradar out');
  generate
    .command('waf')
    .description('write mock AWS WAF JSON logs (one record a line) into new files every few seconds')
    .requiredOption('--out <dir>', 'directory for the log files (created if missing)')
    .option('--rate <n>', 'mean records per second, e.g. 20 or 20/s (also N/m, N/h)', '20')
    .option('--files-per-minute <n>', 'how many new files a minute', '4')
    .option('--seed <n>', 'random seed (integer)', '1')
    .option('--anomaly <spec>', `none | random | <field>=<rare value> with field one of ${WAF_FIELD_NAMES.join(', ')}`, 'none')
    .option('--labels <file>', 'append one NDJSON line per anomaly period: {field, values, start, end}')
    .option('--duration <d>', 'simulate a span (e.g. 2h) as fast as possible, then exit; with --live, run in real time for it')
    .option('--live', 'with --duration: write in real time instead of simulating')
    .option('--start <time>', 'simulated start (ISO 8601, or a duration back from now); default now minus --duration')
    .option('--anomaly-after <d>', 'enforced anomaly starts this long after the start', '60s')
    .option('--anomaly-length <d>', 'enforced anomaly lasts this long', '2m')
    .action(action(runWaf));
  generate
    .command('postfix')
    .description('write mock Postfix mail server logs, one file per day (mail.log-YYYYMMDD), with labelled incidents')
    .requiredOption('--out <dir>', 'directory for the log files (created if missing)')
    .option('--days <n>', 'UTC calendar days to write, the last one ending at --end (default 7; with --live 0)')
    .option('--seed <n>', 'random seed (integer)', '1')
    .option('--incident <spec>', `TYPE or TYPE@DAY (repeatable; "none" for none), TYPE one of ${POSTFIX_INCIDENT_TYPES.join(', ')}; default two of different types on random days of the second half`, collect, [])
    .option('--labels <file>', 'write one NDJSON line per incident: {type, start, end}')
    .option('--end <time>', 'end of the span (ISO 8601, or a duration back from now); default now')
    .option('--rate <n>', 'mean messages accepted per hour over a week, e.g. 100/h (also N/m, N/s)', '100/h')
    .option('--live', 'after the span, go on in real time, appending to today\'s file, until interrupted')
    .action(action(runPostfixCommand));
}

interface PostfixFlags {
  out: string;
  days?: string;
  seed: string;
  incident: string[];
  labels?: string;
  end?: string;
  rate: string;
  live?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

async function runPostfixCommand(flags: PostfixFlags): Promise<void> {
  const live = flags.live === true;
  const days = Number(flags.days ?? (live ? 0 : 7));
  if (!Number.isSafeInteger(days) || days < (live ? 0 : 1) || days > 3660) {
    throw new UsageError(`--days: "${flags.days}" must be a whole number of days from ${live ? 0 : 1} to 3660`);
  }
  const seed = Number(flags.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed: "${flags.seed}" is not an integer`);
  let ratePerHour: number;
  try {
    ratePerHour = parseRate(flags.rate) * 3600;
  } catch {
    throw new UsageError(`--rate: "${flags.rate}" must be a positive number of messages, e.g. 100/h (also N/m, N/s)`);
  }
  if (live && flags.end !== undefined) throw new UsageError('--end cannot be used with --live (a live run goes on from now)');
  const end = timeFlag('--end', flags.end) ?? Date.now();
  const span = days === 0 ? { start: end, end } : daySpan(end, days);
  let requests: IncidentRequest[] | undefined;
  if (flags.incident.includes('none')) {
    if (flags.incident.length > 1) throw new UsageError('--incident: "none" cannot be combined with other incidents');
    requests = [];
  } else if (flags.incident.length > 0) requests = flags.incident.map(parseIncidentSpec);
  const incidents = days === 0 || requests?.length === 0 ? [] : planIncidents(requests, span, seed);
  if (days === 0 && requests && requests.length > 0) throw new UsageError('--incident needs --days of at least 1 (incidents fall on days of the span)');

  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const summary = await runPostfix({ outDir: flags.out, seed, start: span.start, end: span.end, incidents, ratePerHour, labelsFile: flags.labels, live, signal: ac.signal });
    const what = summary.labels.map((l) => `${l.type} ${l.start}..${l.end}`).join(', ') || 'none';
    process.stderr.write(`logradar: wrote ${summary.lines} lines in ${summary.files.length} files to ${flags.out}; incidents: ${what}\n`);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

async function runWaf(flags: WafFlags): Promise<void> {
  const rate = parseRate(flags.rate);
  const filesPerMinute = Number(flags.filesPerMinute);
  if (!(filesPerMinute > 0)) throw new UsageError(`--files-per-minute: "${flags.filesPerMinute}" must be a number > 0`);
  const seed = Number(flags.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed: "${flags.seed}" is not an integer`);
  const plan = parseWafAnomaly(flags.anomaly, durationFlag('--anomaly-after', flags.anomalyAfter, true), durationFlag('--anomaly-length', flags.anomalyLength));
  const duration = flags.duration === undefined ? undefined : durationFlag('--duration', flags.duration);

  let timing: Timing;
  if (duration === undefined || flags.live) {
    if (flags.start !== undefined) throw new UsageError('--start needs --duration without --live (it sets the simulated start)');
    timing = { mode: 'live', duration };
  } else {
    timing = { mode: 'simulated', start: timeFlag('--start', flags.start) ?? Date.now() - duration, duration };
  }

  // SIGINT/SIGTERM end the run cleanly: the open label is written and files are closed.
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const gen = new WafGenerator({ seed });
  try {
    const summary = await runGenerator({
      outDir: flags.out,
      filePrefix: 'waf',
      rate,
      filesPerMinute,
      record: (ts) => gen.record(ts),
      timing,
      seed,
      anomalies: { target: gen, plan, onLabel: flags.labels === undefined ? undefined : (l) => appendLabel(flags.labels!, l) },
      signal: ac.signal,
    });
    process.stderr.write(
      `logradar: wrote ${summary.records} records in ${summary.files.length} files to ${flags.out}; ${summary.labels.length} anomaly periods\n`,
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** `20`, `20/s`, `600/m`, `72000/h` → records per second. */
export function parseRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|m|h))?\s*$/.exec(text);
  const perSecond = m ? Number(m[1]) / { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'] : NaN;
  if (!(perSecond > 0)) throw new UsageError(`--rate: "${text}" must be a positive number of records per second, e.g. 20 or 20/s`);
  return perSecond;
}

export function durationFlag(name: string, text: string, allowZero = false): number {
  const ms = parseDuration(text);
  if (ms === undefined || (!allowZero && ms <= 0)) throw new UsageError(`${name}: "${text}" is not a duration like 90s, 15m or 2h`);
  return ms;
}
