/** What the bench scripts share: inputs (built in a temp dir, never committed), the read+split baseline, a measured CLI run. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * About `lines` HDFS lines without exact repeats: ../shared/tools/render-hdfs.mjs with seeds 1..10 and
 * fresh block ids, addresses and sizes each time, concatenated (each seed's timeline starts over).
 */
export function renderedHdfs(shared, work, lines) {
  const parts = [];
  for (let seed = 1; seed <= 10; seed++) {
    const prefix = join(work, `r${seed}`);
    execFileSync(process.execPath, [join(shared, 'tools', 'render-hdfs.mjs'), join(shared, 'data/hdfs/hdfs100k_block_sessions.csv'), prefix, '--seed', String(seed), '--new-ids'], { stdio: 'ignore' });
    parts.push(readFileSync(prefix + '.log', 'utf8').replace(/\n$/, ''));
  }
  const all = parts.join('\n').split('\n');
  all.length = Math.min(all.length, lines);
  const f = join(work, 'hdfs-rendered-1m.log');
  writeFileSync(f, all.join('\n') + '\n');
  return { file: f, lines: all.length };
}

/** The baseline every throughput figure is compared with in its own run: read and split a file in one Node process. */
export async function baselineReadSplit(file) {
  const t0 = process.hrtime.bigint();
  let lines = 0;
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop();
    lines += parts.length;
  }
  return { secs: Number(process.hrtime.bigint() - t0) / 1e9, lines };
}

const CLK_TCK = 100;

function peakKb(pid) {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return hwm ? Number(hwm[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined once it is gone. */
export function cpuSeconds(pid) {
  const t = cpuTicks(pid);
  return t === undefined ? undefined : t / CLK_TCK;
}

function cpuTicks(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]); // utime + stime
  } catch {
    return undefined;
  }
}

/**
 * Runs a logradar CLI entry point with `argv` (stdout discarded), sampling its peak RSS (VmHWM) and CPU
 * time from /proc until it exits: { secs, peakMb, cpuSecs }.
 */
export function measuredRun(entry, argv, { env } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [entry, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let err = '';
    let peak = 0;
    let ticks = 0;
    child.stderr.on('data', (d) => (err += d));
    const timer = setInterval(() => {
      peak = Math.max(peak, peakKb(child.pid));
      ticks = cpuTicks(child.pid) ?? ticks;
    }, 50);
    child.on('exit', (code) => {
      clearInterval(timer);
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      // CPU time as last sampled (up to 50 ms short): steadier than wall time on a shared machine
      if (code !== 0) reject(new Error(`logradar ${argv.join(' ')} exited ${code}: ${err}`));
      else resolve({ secs, peakMb: peak / 1024, cpuSecs: ticks / CLK_TCK });
    });
  });
}

/** The score-periods rule: FOUND, TOTAL, FALSE (false alarms starting before `skipBefore`, ms, not counted). */
export function scorePeriods(anomalies, labels, skipBefore = -Infinity) {
  const per = labels.map((l) => [Date.parse(l.start), Date.parse(l.end)]);
  const found = new Set();
  const alarms = new Set();
  for (const o of anomalies) {
    if (o.anomalous === false) continue;
    const w = o.window && typeof o.window === 'object' ? o.window : undefined;
    const ts = o.ts ?? o.start;
    const s = Date.parse(w?.start ?? ts);
    let e = Date.parse(w?.end ?? o.end ?? ts);
    if (e <= s) e = s + 1000;
    const hit = per.map(([a, b], i) => (s < b && e > a ? i : -1)).filter((i) => i >= 0);
    if (hit.length) {
      hit.forEach((i) => found.add(i));
      continue;
    }
    if (s < skipBefore) continue;
    const key = w ? new Date(s).toISOString() : (o.session ?? (o.line !== undefined && o.line !== null ? `${o.file}:${o.line}` : ts));
    alarms.add(`${o.kind}|${o.source}|${key}`);
  }
  return { found: found.size, total: per.length, alarms: alarms.size };
}

/** Runs the CLI at `bin` (quiet service logs for watch); its stdout, or a thrown error with its stderr. */
export function runCli(bin, argv) {
  const quiet = argv[0] === 'watch' ? ['--log-level', 'error'] : [];
  const r = spawnSync(process.execPath, [bin, ...argv, ...quiet], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`logradar ${argv.join(' ')} → ${r.status}\n${r.stderr}`);
  return r.stdout;
}

/** The objects of NDJSON text. */
export const ndjson = (text) => text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
