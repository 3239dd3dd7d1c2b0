#!/usr/bin/env node
/**
 * npm run bench:ingest — the ingest figures of the foundation issue, each beside a baseline measured in
 * the same run (the machine is shared and noisy, so ratios mean more than absolute numbers):
 *   1. `watch --once` over a 1M-line HDFS-style file with the store on: lines/s and peak RSS;
 *      baseline: a plain Node read+split of the same file (the I/O floor).
 *   2. append-to-stored latency at the default 1 s poll: p50/p99 over timed appends.
 *   3. 10,000 idle files at a 1 s poll: CPU share of one core while nothing changes.
 * Options: --lines N (default 1000000), --skip-latency, --skip-idle, --idle-files N.
 * A/B: --compare DIST [--rounds N] runs only the throughput test, alternating another build (e.g. a copy of
 * main's dist/) and this one N times each (default 3), and prints both medians and their ratio.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baselineReadSplit, cpuSeconds, measuredRun } from './common.mjs';
import Database from 'better-sqlite3';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'logradar');
const SRC = join(here, '..', '..', 'shared', 'data', 'hdfs', 'hdfs100k_rendered.log');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const LINES = Number(opt('--lines', '1000000'));
const IDLE_FILES = Number(opt('--idle-files', '10000'));

if (!existsSync(SRC)) {
  console.log(`bench:ingest skipped: ${SRC} is absent (the shared benchmark data)`);
  process.exit(0);
}
const work = mkdtempSync(join(tmpdir(), 'logradar-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** Runs the CLI (of `entry`, default this build) with peak RSS and CPU time. */
function run(argv, { env, entry = BIN } = {}) {
  return measuredRun(entry, argv, { env });
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Alternates `watch --once` of another build and of this one over the same file (fresh data dirs): on a
 * shared machine only a comparison made in the same run means anything. The other build is copied
 * beside a link to this checkout's node_modules so its imports resolve.
 */
async function compare(distDir, rounds) {
  const other = join(work, 'other');
  cpSync(distDir, join(other, 'dist'), { recursive: true });
  writeFileSync(join(other, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(here, '..', 'node_modules'), join(other, 'node_modules'));
  const builds = { other: join(other, 'dist', 'cli', 'main.js'), this: BIN };
  const secs = { other: [], this: [] };
  const cpu = { other: [], this: [] };
  const rss = { other: [], this: [] };
  for (let i = 0; i < rounds; i++) {
    for (const name of ['other', 'this']) {
      const data = join(work, `ab-${name}-${i}`);
      const r = await run(['watch', join(work, 'logs'), '--once', '--data-dir', data, '--log-level', 'warn'], { entry: builds[name] });
      rmSync(data, { recursive: true, force: true });
      secs[name].push(r.secs);
      cpu[name].push(r.cpuSecs);
      rss[name].push(r.peakMb);
      console.log(`round ${i + 1} ${name.padEnd(5)}: ${Math.round(LINES / r.secs).toLocaleString('en')} lines/s, ${Math.round(LINES / r.cpuSecs).toLocaleString('en')} lines per CPU second, peak RSS ${r.peakMb.toFixed(0)} MB`);
    }
  }
  const median = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const lps = (name) => LINES / median(secs[name]);
  const lpc = (name) => LINES / median(cpu[name]);
  for (const [name, label] of [['other', distDir], ['this', 'this build']])
    console.log(`median ${label}: ${Math.round(lps(name)).toLocaleString('en')} lines/s, ${Math.round(lpc(name)).toLocaleString('en')} lines per CPU second, peak RSS ${median(rss[name]).toFixed(0)} MB`);
  console.log(`this/other ratio: throughput ${(lps('this') / lps('other')).toFixed(3)}, per CPU second ${(lpc('this') / lpc('other')).toFixed(3)}`);
}

// ---- 1. throughput ----
const big = join(work, 'logs', 'hdfs.log');
mkdirSync(dirname(big), { recursive: true });
{
  const src = readFileSync(SRC, 'utf8').split('\n').filter(Boolean);
  const out = [];
  for (let i = 0; i < LINES; i++) out.push(src[i % src.length]);
  writeFileSync(big, out.join('\n') + '\n');
}
if (opt('--compare')) {
  await compare(opt('--compare'), Number(opt('--rounds', '3')));
  process.exit(0);
}
const base = await baselineReadSplit(big);
const r1 = await run(['watch', join(work, 'logs'), '--once', '--data-dir', join(work, 'data1'), '--log-level', 'warn']);
const stored = new Database(join(work, 'data1', 'logradar.db'), { readonly: true }).prepare('SELECT COALESCE(SUM(n), 0) AS n FROM event_blocks').get().n;
const lps = LINES / r1.secs;
console.log('== ingest throughput (watch --once, store on, detectors on)');
console.log(`lines: ${LINES}, stored events: ${stored}`);
console.log(`watch: ${r1.secs.toFixed(2)} s, ${Math.round(lps).toLocaleString('en')} lines/s (target >= 200,000), peak RSS ${r1.peakMb.toFixed(0)} MB (target <= 300); CPU ${r1.cpuSecs.toFixed(2)} s`);
console.log(`baseline node read+split: ${base.secs.toFixed(2)} s, ${Math.round(base.lines / base.secs).toLocaleString('en')} lines/s; watch/baseline time ratio ${(r1.secs / base.secs).toFixed(1)}x`);
if (stored !== LINES) console.log(`WARNING: stored ${stored} of ${LINES} lines`);

// ---- 2. append-to-stored latency ----
if (!args.includes('--skip-latency')) {
  const dir = join(work, 'lat');
  mkdirSync(dir);
  const file = join(dir, 'app.log');
  writeFileSync(file, '');
  const data = join(work, 'data2');
  const child = spawn(process.execPath, [BIN, 'watch', dir, '--data-dir', data, '--log-level', 'warn'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 2500));
  const db = new Database(join(data, 'logradar.db'), { readonly: true });
  const q = db.prepare('SELECT raw FROM event_blocks ORDER BY id DESC LIMIT 1');
  const samples = [];
  const N = Number(opt('--latency-samples', '120'));
  for (let i = 0; i < N; i++) {
    const tag = `latency probe seq=${i}`;
    const t0 = performance.now();
    appendFileSync(file, tag + '\n');
    for (;;) {
      const row = q.get();
      if (row && row.raw.slice(row.raw.lastIndexOf('\n') + 1) === tag) break;
      if (performance.now() - t0 > 10_000) throw new Error('latency probe not stored within 10 s');
      await new Promise((r) => setTimeout(r, 5));
    }
    samples.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, Math.random() * 1000)); // uniform over the poll phase
  }
  child.kill('SIGTERM');
  db.close();
  samples.sort((a, b) => a - b);
  console.log('== append-to-stored latency (default 1 s poll)');
  console.log(`samples ${N}: p50 ${pct(samples, 50).toFixed(0)} ms, p99 ${pct(samples, 99).toFixed(0)} ms (target p99 <= 1500), max ${samples[samples.length - 1].toFixed(0)} ms`);
}

// ---- 3. idle files ----
if (!args.includes('--skip-idle')) {
  const dir = join(work, 'idle');
  for (let d = 0; d < 100; d++) {
    mkdirSync(join(dir, `d${d}`), { recursive: true });
    for (let f = 0; f < IDLE_FILES / 100; f++) writeFileSync(join(dir, `d${d}`, `f${f}.log`), `idle file ${d}/${f} first line\n`);
  }
  const data = join(work, 'data3');
  const child = spawn(process.execPath, [BIN, 'watch', dir, '--data-dir', data, '--log-level', 'warn'], { stdio: 'ignore' });
  // wait until every file has been read once
  const deadline = Date.now() + 120_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    try {
      const db = new Database(join(data, 'logradar.db'), { readonly: true });
      const n = db.prepare('SELECT COALESCE(SUM(n), 0) AS n FROM event_blocks').get().n;
      db.close();
      if (n >= IDLE_FILES) break;
    } catch {
      // store not created yet
    }
    if (Date.now() > deadline) throw new Error('idle files not all read within 120 s');
  }
  await new Promise((r) => setTimeout(r, 3000));
  const c0 = cpuSeconds(child.pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 20_000));
  const c1 = cpuSeconds(child.pid);
  const secs = (performance.now() - t0) / 1000;
  child.kill('SIGTERM');
  const share = (c1 - c0) / secs;
  // baseline: the same number of stat calls from a plain loop, once a second
  const { statSync, readdirSync } = await import('node:fs');
  const b0 = process.cpuUsage();
  for (let round = 0; round < 5; round++) for (const d of readdirSync(dir)) for (const f of readdirSync(join(dir, d))) statSync(join(dir, d, f), { bigint: true });
  const bu = process.cpuUsage(b0);
  const baseShare = (bu.user + bu.system) / 1e6 / 5;
  console.log('== idle files');
  console.log(`${IDLE_FILES} idle files, 1 s poll: ${(share * 100).toFixed(1)} % of one core (target <= 20 %); baseline bare readdir+stat loop: ${(baseShare * 100).toFixed(1)} % per second-poll; ratio ${(share / baseShare).toFixed(1)}x`);
}
