#!/usr/bin/env node
/**
 * npm run bench:detect — detection quality on three scenarios and detect throughput, all through the CLI
 * (train then detect, DESIGN §6), with per-detector tables (precision, recall, F1 at the default
 * threshold, and best F1 over grade thresholds):
 *   HDFS  — block sessions, raw lines, ../shared/data/hdfs rendered train/test split, no labels in training;
 *   BGL   — line level, BGL_2k with its label column removed, trained and detected on the same file;
 *   WAF   — generated: 2h normal for training, 2h with random anomaly periods for detection (window scope):
 *           recall of labelled periods and false alarms per simulated hour.
 * Throughput: `detect` on ~1M HDFS lines (render-hdfs.mjs seeds 1..10, fresh ids) against a plain read+split of
 * the same file in this run (the ratio is what is comparable on a shared machine), and peak RSS.
 *   HDFS complete — an estimate of the hidden HDFS set of complete sessions: the shared sessions without the
 *           anomalous blocks identical to a normal one, rendered afresh into os.tmpdir().
 * Options: --skip-throughput, --lines N, --only hdfs,hdfs-complete,bgl,waf,periods,throughput (a subset),
 *          --hdfs-complete (that table only).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baselineReadSplit, measuredRun, renderedHdfs } from './common.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, '..', 'shared', 'data');
const BIN = join(ROOT, 'bin', 'logradar');
const args = process.argv.slice(2);
const LINES = Number(args[args.indexOf('--lines') + 1] || 1_000_000) || 1_000_000;
const THRESHOLD = 0.7;
const work = mkdtempSync(join(tmpdir(), 'logradar-bench-detect-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function cli(argv, outFile) {
  const quiet = argv[0] === 'generate' ? [] : ['--log-level', 'warn'];
  const r = spawnSync(process.execPath, [BIN, ...argv, ...quiet], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`logradar ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  if (outFile) writeFileSync(outFile, r.stdout);
  return r.stdout;
}
const ndjson = (s) => s.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

function prf(flagged, truth) {
  let tp = 0;
  for (const k of flagged) if (truth.get(k)) tp++;
  const pos = [...truth.values()].filter(Boolean).length;
  const p = flagged.size ? tp / flagged.size : 0;
  const r = pos ? tp / pos : 0;
  return { p, r, f1: p + r ? (2 * p * r) / (p + r) : 0, n: flagged.size };
}

/** Per detector and for the ensemble: P/R/F1 at the threshold and the best F1 over thresholds. */
function table(title, items, truth) {
  // items: [{key, grade, detectors:[{detector, grade}]}]
  const names = [...new Set(items.flatMap((i) => i.detectors.map((d) => d.detector)))].sort();
  const rows = [];
  for (const name of [...names, 'ensemble']) {
    const g = new Map();
    for (const it of items) {
      const v = name === 'ensemble' ? it.grade : (it.detectors.find((d) => d.detector === name)?.grade ?? 0);
      g.set(it.key, Math.max(g.get(it.key) ?? 0, v));
    }
    const at = prf(new Set([...g].filter(([, v]) => v >= THRESHOLD).map(([k]) => k)), truth);
    let best = { f1: 0 };
    for (const th of [...new Set(g.values())].filter((v) => v > 0)) {
      const r = prf(new Set([...g].filter(([, v]) => v >= th).map(([k]) => k)), truth);
      if (r.f1 > best.f1) best = { ...r, th };
    }
    rows.push({ name, at, best });
  }
  console.log(`\n${title}`);
  console.log(`  ${'detector'.padEnd(20)} ${'flagged'.padStart(7)}  ${'P'.padStart(5)}  ${'R'.padStart(5)}  ${'F1'.padStart(5)}   best F1 (at grade)`);
  for (const { name, at, best } of rows) {
    const b = best.f1 ? `${best.f1.toFixed(3)} (P ${best.p.toFixed(3)} R ${best.r.toFixed(3)} at ≥ ${best.th.toFixed(3)})` : '-';
    console.log(`  ${name.padEnd(20)} ${String(at.n).padStart(7)}  ${at.p.toFixed(3)}  ${at.r.toFixed(3)}  ${at.f1.toFixed(3)}   ${b}`);
  }
  return rows.find((r) => r.name === 'ensemble');
}

/** Train on one rendered HDFS split, detect on the other, per-detector table and score-detect.py's line. */
function hdfsSplit(title, trainLog, testLog, labelsCsv, name) {
  const model = join(work, `${name}-model`);
  const key = ['--session-key', 'blk_-?\\d+'];
  cli(['train', trainLog, '--model', model, ...key]);
  const out = join(work, `${name}.ndjson`);
  const items = ndjson(cli(['detect', testLog, '--model', model, ...key, '--json', '--all'], out))
    .filter((o) => o.kind === 'session')
    .map((o) => ({ key: o.session, grade: o.grade, detectors: o.detectors }));
  const truth = new Map(readFileSync(labelsCsv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')).map(([k, v]) => [k, v === 'Anomaly' || v === '1']));
  const e = table(title, items, truth);
  const s = spawnSync('python3', [join(ROOT, '..', 'shared', 'tools', 'score-detect.py'), 'sessions', out, labelsCsv], { encoding: 'utf8' });
  if (s.status === 0) console.log(s.stdout.trim().replace(/^/gm, '  score-detect.py: '));
  return e;
}

function hdfs() {
  const d = join(DATA, 'hdfs');
  if (!existsSync(join(d, 'hdfs100k_rendered_train.log'))) return console.log(`HDFS skipped: ${d} absent`);
  return hdfsSplit('HDFS block sessions (train split → test split; target F1 ≥ 0.65 with P ≥ 0.95)', join(d, 'hdfs100k_rendered_train.log'), join(d, 'hdfs100k_rendered_test.log'), join(d, 'hdfs100k_rendered_test_labels.csv'), 'hdfs');
}

/**
 * An estimate of the hidden set of complete HDFS sessions (issue 4: F1 ≥ 0.80): the anomalous blocks
 * whose event sequence equals some normal block's (cut short by the 100k-line sample) are dropped, and
 * the rest rendered afresh (another seed, fresh block ids) and split as the shared split is.
 */
function hdfsComplete() {
  const csv = join(DATA, 'hdfs', 'hdfs100k_block_sessions.csv');
  if (!existsSync(csv)) return console.log(`HDFS complete sessions skipped: ${csv} absent`);
  const [head, ...rows] = readFileSync(csv, 'utf8').trim().split('\n').map((l) => l.split(','));
  const [lab, seq] = ['Label', 'EventSequence'].map((c) => head.indexOf(c));
  const normal = new Set(rows.filter((r) => r[lab] === '0').map((r) => r[seq]));
  const kept = rows.filter((r) => r[lab] === '0' || !normal.has(r[seq]));
  const complete = join(work, 'hdfs-complete.csv');
  writeFileSync(complete, 'Label,EventSequence\n' + kept.map((r) => `${r[lab]},${r[seq]}`).join('\n') + '\n');
  const prefix = join(work, 'hdfs-complete');
  execFileSync(process.execPath, [join(ROOT, '..', 'shared', 'tools', 'render-hdfs.mjs'), complete, prefix, '--seed', '17', '--new-ids'], { stdio: 'ignore' });
  const anomalous = kept.filter((r) => r[lab] === '1').length;
  return hdfsSplit(
    `HDFS complete sessions (${kept.length} blocks, ${anomalous} anomalous: the cut-short ones dropped; rendered with seed 17; target F1 ≥ 0.80)`,
    `${prefix}_train.log`,
    `${prefix}_test.log`,
    `${prefix}_test_labels.csv`,
    'hdfs-complete',
  );
}

function bgl() {
  const src = join(DATA, 'loghub-2k', 'BGL', 'BGL_2k.log');
  if (!existsSync(src)) return console.log(`BGL skipped: ${src} absent`);
  const lines = readFileSync(src, 'utf8').split('\n').filter((l) => l.length);
  const file = join(work, 'bgl.log');
  writeFileSync(file, lines.map((l) => l.slice(l.indexOf(' ') + 1)).join('\n') + '\n');
  const truth = new Map(lines.map((l, i) => [i + 1, !l.startsWith('- ')]));
  const model = join(work, 'bgl-model');
  cli(['train', file, '--model', model]);
  const items = ndjson(cli(['detect', file, '--model', model, '--json', '--all', '--records']))
    .filter((o) => o.kind === 'record')
    .map((o) => ({ key: o.line, grade: o.grade, detectors: o.detectors }));
  return table('BGL lines (unlabelled train and detect on BGL_2k; target F1 ≥ 0.60)', items, truth);
}

function waf() {
  const train = join(work, 'waf-train');
  const test = join(work, 'waf-test');
  const labels = join(work, 'waf-labels.ndjson');
  cli(['generate', 'waf', '--out', train, '--duration', '2h', '--anomaly', 'none', '--seed', '1']);
  cli(['generate', 'waf', '--out', test, '--duration', '2h', '--anomaly', 'random', '--labels', labels, '--seed', '2']);
  const files = (dir) => spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.trim().split('\n').map((f) => join(dir, f));
  const model = join(work, 'waf-model');
  // no config: each source finds its categorical fields by itself (detect.autoFields)
  const cfg = [];
  cli(['train', ...files(train), '--model', model, ...cfg]);
  const wins = ndjson(cli(['detect', ...files(test), '--model', model, ...cfg, '--json'])).filter((o) => o.kind === 'window');
  const periods = ndjson(readFileSync(labels, 'utf8')).map((l) => ({ start: Date.parse(l.start), end: Date.parse(l.end), field: l.field }));
  const byDetector = new Map();
  // one anomaly per window lists every finding; a detector with several (one per field) counts the window once
  for (const w of wins) for (const name of new Set(w.detectors.filter((d) => d.grade >= THRESHOLD).map((d) => d.detector))) (byDetector.get(name) ?? byDetector.set(name, []).get(name)).push(w);
  byDetector.set('ensemble', wins);
  const hours = 2;
  console.log(`\nWAF windows (2h normal → 2h with ${periods.length} anomaly periods; target recall 1.0, ≤ 1 false alarm per hour)`);
  console.log(`  ${'detector'.padEnd(20)} ${'windows'.padStart(7)}  found  recall  false alarms/h`);
  let ens;
  for (const [name, ws] of byDetector) {
    const found = new Set();
    let fa = 0;
    for (const w of ws) {
      const s = Date.parse(w.window.start);
      const e = Date.parse(w.window.end);
      const hit = periods.map((p, i) => (s < p.end && e > p.start ? i : -1)).filter((i) => i >= 0);
      if (hit.length) hit.forEach((i) => found.add(i));
      else fa++;
    }
    const r = { recall: found.size / periods.length, faPerHour: fa / hours };
    if (name === 'ensemble') ens = r;
    console.log(`  ${name.padEnd(20)} ${String(ws.length).padStart(7)}  ${String(found.size).padStart(5)}  ${r.recall.toFixed(3)}  ${r.faPerHour.toFixed(2)}`);
  }
  return ens;
}

async function throughput() {
  if (!existsSync(join(DATA, 'hdfs'))) return console.log(`throughput skipped: ${join(DATA, 'hdfs')} absent`);
  const { file, lines } = renderedHdfs(join(ROOT, '..', 'shared'), work, LINES);
  const model = join(work, 'hdfs-model');
  const { secs: baseSecs, lines: count } = await baselineReadSplit(file);
  const r = await measuredRun(BIN, ['detect', file, '--model', model, '--session-key', 'blk_-?\\d+', '--json', '--log-level', 'warn']);
  const rate = lines / r.secs;
  console.log(`\nThroughput: detect on ${lines.toLocaleString('en')} HDFS lines (sessions on): ${Math.round(rate).toLocaleString('en')} lines/s wall, including start-up (target ≥ 200,000), peak RSS ${r.peakMb.toFixed(0)} MB (target ≤ 400)`);
  console.log(`  baseline in this run: read+split ${Math.round(count / baseSecs).toLocaleString('en')} lines/s; detect runs at ${(rate / (count / baseSecs)).toFixed(3)}× of it`);
}

/** Labelled periods on the generators at several rates (issue 12): a reduced bench:waf-rates and bench:postfix. */
function periods() {
  const run = (script, extra) => {
    console.log(`\n${script} ${extra.join(' ')}`);
    const r = spawnSync(process.execPath, [join(ROOT, 'bench', script), '--bin', BIN, ...extra], { encoding: 'utf8', maxBuffer: 1 << 28 });
    process.stdout.write(r.stdout.replace(/^/gm, '  '));
    if (r.status !== 0) console.log(`  failed (${r.status}): ${r.stderr.trim().split('\n').pop()}`);
  };
  run('waf-rates.mjs', ['--seeds', '1,2,3', '--variants', 'lines']);
  run('postfix-days.mjs', ['--rates', '100/h']);
}

if (!existsSync(DATA)) console.log(`bench:detect: ${DATA} is absent (the shared benchmark data); only the WAF scenario runs`);
// --only hdfs,hdfs-complete,bgl,waf,periods,throughput runs a subset
const only = args.includes('--hdfs-complete') ? new Set(['hdfs-complete']) : args.includes('--only') ? new Set(args[args.indexOf('--only') + 1].split(',')) : undefined;
const want = (name) => !only || only.has(name);
if (want('hdfs')) hdfs();
if (want('hdfs-complete')) hdfsComplete();
if (want('bgl')) bgl();
if (want('waf')) waf();
if (want('periods')) periods();
if (want('throughput') && !args.includes('--skip-throughput')) await throughput();
