#!/usr/bin/env node
/**
 * npm run bench:forests — do our forests rank like the reference implementations?
 * On the series of test/helpers/fixtures.ts windowFixture (generated WAF traffic in 1-minute windows:
 * train = 2 h without anomalies, seed 101; test = 2 h with random anomaly periods, seed 202), it scores
 * the test windows with
 *   - our IsolationForest vs scikit-learn IsolationForest (Python, venv in ~/.cache/logradar-bench), fit on train
 *     (and the same on recordFixture's BGL records when ../shared/data is there: 2 000 points, not 120);
 *   - our RandomCutForest vs AWS randomcutforest-core (Java, jar from Maven Central, bench/java/RcfScores.java),
 *     both learning the train windows in order (shingle 4) and scoring test windows without learning them;
 * and prints Spearman rank correlations between implementations, next to the correlation between two
 * seeds of the same implementation (the noise floor), per single seed and for scores averaged over seeds.
 * Options: --seeds N (default 10). A reference that cannot be installed here is reported and skipped.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(homedir(), '.cache', 'logradar-bench');
const args = process.argv.slice(2);
const NSEEDS = Number(args[args.indexOf('--seeds') + 1] || 10) || 10;
const SEEDS = Array.from({ length: NSEEDS }, (_, i) => i + 1);
const dist = (p) => import(join(ROOT, 'dist', p));
const { WafGenerator } = await dist('generators/waf.js');
const { AnomalySchedule } = await dist('generators/writer.js');
const { addToWindow, emptyWindow, FieldIndicators } = await dist('features/window.js');
const { WAF_FIELDS_PRESET } = await dist('config/presets.js');
const { Rng } = await dist('util/rng.js');
const { IsolationForest } = await dist('detectors/ml/isolation-forest.js');
const { RandomCutForest } = await dist('detectors/ml/random-cut-forest.js');

// ---- the series: the same simulation as test/helpers/fixtures.ts (kept in step by hand) ----
const MINUTE = 60_000;
const START = Date.parse('2024-01-01T00:00:00Z');
const SPAN = 120 * MINUTE;

function simulate(seed, plan) {
  const gen = new WafGenerator({ seed });
  const labels = [];
  const schedule = new AnomalySchedule(gen, plan, new Rng(seed ^ 0x2c1b3c6d), START, undefined, (l) => labels.push(l));
  const arrivals = new Rng(seed ^ 0x51ed270b);
  const indicators = new FieldIndicators(WAF_FIELDS_PRESET);
  const paths = WAF_FIELDS_PRESET.map((f) => [f.field, f.field.split('.')]);
  const windows = [];
  let w = emptyWindow(START, MINUTE);
  let line = 0;
  for (let ts = START + arrivals.exponential(50); ts < START + SPAN; ts += arrivals.exponential(50)) {
    schedule.advance(ts);
    const r = gen.record(ts);
    const fields = {};
    for (const [name, path] of paths) fields[name] = path.reduce((o, k) => o?.[k], r);
    const rec = { source: 'waf', offset: 0, line: ++line, ts: r.timestamp, tsFromRecord: true, raw: '', message: '', fields, truncated: false, templateId: 1, template: '', params: [], change: 'none' };
    while (rec.ts >= w.end) {
      windows.push(w);
      w = emptyWindow(w.end, MINUTE);
    }
    addToWindow(w, rec, indicators);
  }
  windows.push(w);
  schedule.finish(START + SPAN);
  const features = windows.map((win) => {
    const x = { 'records.log2': Math.log2(1 + win.total) };
    for (const f of WAF_FIELDS_PRESET) x[`unknown.${f.field}`] = win.total > 0 ? (win.fields[f.field]?.unknown ?? 0) / win.total : 0;
    return x;
  });
  const anomalous = windows.map((win) => labels.some((l) => win.start < Date.parse(l.end) && Date.parse(l.start) < win.end));
  return { features, anomalous };
}

const train = simulate(101, { kind: 'none' }).features;
const test = simulate(202, { kind: 'random' });
const NAMES = Object.keys(train[0]).sort(); // our RCF's dimension order
const matrix = (xs) => xs.map((x) => NAMES.map((n) => x[n]));
console.log(`series: ${train.length} train windows, ${test.features.length} test windows (${test.anomalous.filter(Boolean).length} anomalous), ${NAMES.length} features`);

// ---- statistics ----
function ranks(a) {
  const idx = a.map((_, i) => i).sort((i, j) => a[i] - a[j]);
  const r = new Array(a.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && a[idx[j + 1]] === a[idx[i]]) j++;
    for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}
function spearman(a, b) {
  const [ra, rb] = [ranks(a), ranks(b)];
  const mean = (ra.length + 1) / 2;
  let num = 0, da = 0, db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i] - mean) * (rb[i] - mean);
    da += (ra[i] - mean) ** 2;
    db += (rb[i] - mean) ** 2;
  }
  return num / Math.sqrt(da * db);
}
function auc(scores, labels) {
  const r = ranks(scores);
  const pos = labels.filter(Boolean).length;
  const rankSum = r.reduce((s, v, i) => s + (labels[i] ? v : 0), 0);
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * (labels.length - pos));
}
const avg = (xs) => xs.reduce((s, v) => s + v, 0) / xs.length;
const meanScores = (runs) => runs[0].map((_, i) => avg(runs.map((r) => r[i])));

function report(title, ours, theirs, theirName, labels) {
  const normalOnly = (s) => s.filter((_, i) => !labels[i]);
  /** Mean Spearman over all pairs of runs (different seeds; two runs of one implementation never with themselves). */
  const pairs = (a, b, sel) => avg(a.flatMap((x, i) => b.filter((_, j) => a !== b || i !== j).map((y) => spearman(sel(x), sel(y)))));
  const rows = [
    [`ours vs ${theirName}, single runs`, (sel) => pairs(ours, theirs, sel)],
    ['ours vs ours, two seeds (noise floor)', (sel) => pairs(ours, ours, sel)],
    [`${theirName} vs ${theirName}, two seeds`, (sel) => pairs(theirs, theirs, sel)],
    [`ours vs ${theirName}, scores averaged over ${SEEDS.length} seeds`, (sel) => spearman(sel(meanScores(ours)), sel(meanScores(theirs)))],
  ];
  console.log(`\n${title}: Spearman rank correlation on the test inputs   [all | normal inputs only]`);
  for (const [name, f] of rows) console.log(`  ${name.padEnd(62)} ${f((s) => s).toFixed(3)} | ${f(normalOnly).toFixed(3)}`);
  console.log(`  AUC (mean over seeds): ours ${avg(ours.map((s) => auc(s, labels))).toFixed(3)}, ${theirName} ${avg(theirs.map((s) => auc(s, labels))).toFixed(3)}`);
}

// ---- Isolation Forest: ours vs scikit-learn ----
function oursIf(trainX, testX) {
  return SEEDS.map((seed) => {
    const m = new IsolationForest({ seed });
    for (const x of trainX) m.learn(x);
    m.fit();
    return testX.map((x) => m.score(x));
  });
}

function sklearnPython() {
  const venv = join(CACHE, 'sklearn-venv');
  const py = join(venv, 'bin', 'python');
  if (!existsSync(py)) {
    mkdirSync(CACHE, { recursive: true });
    if (spawnSync('python3', ['-m', 'venv', venv], { stdio: 'ignore' }).status !== 0) return undefined;
    if (spawnSync(py, ['-m', 'pip', 'install', '-q', 'scikit-learn'], { stdio: 'ignore', timeout: 600_000 }).status !== 0) return undefined;
  }
  return spawnSync(py, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0 ? py : undefined;
}

const SKLEARN = `
import json, sys
from sklearn.ensemble import IsolationForest
d = json.load(sys.stdin)
out = []
for seed in d["seeds"]:
    m = IsolationForest(n_estimators=100, max_samples=min(256, len(d["train"])), random_state=seed).fit(d["train"])
    out.append([-s for s in m.score_samples(d["test"]).tolist()])
json.dump(out, sys.stdout)
`;

/** Absent names are 0 for both: a dense matrix over every name seen. */
function dense(xs, names) {
  return xs.map((x) => names.map((n) => x[n] ?? 0));
}

function compareIf(title, trainX, testX, labels) {
  const names = [...new Set(trainX.flatMap((x) => Object.keys(x)))].sort();
  const res = spawnSync(py, ['-c', SKLEARN], { input: JSON.stringify({ seeds: SEEDS, train: dense(trainX, names), test: dense(testX, names) }), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (res.status !== 0) console.log(`scikit-learn failed: ${res.stderr}`);
  else report(title, oursIf(trainX, testX), JSON.parse(res.stdout), 'scikit-learn', labels);
}

/** recordFixture's features of BGL_2k (as test/helpers/fixtures.ts bglFeatures): level indicator and template rarity. */
async function bglRecords() {
  const file = join(ROOT, '..', 'shared', 'data', 'loghub-2k', 'BGL', 'BGL_2k.log');
  if (!existsSync(file)) return undefined;
  const { Decoder } = await dist('parsers/decode/decoder.js');
  const { TemplateMiner } = await dist('parsers/drain/miner.js');
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const decoder = new Decoder({ format: 'auto', messageFields: ['message', 'msg', 'log', 'MESSAGE'], timestampFields: ['timestamp', '@timestamp', 'time', 'ts', 'eventTime'] });
  let id = 0;
  const miner = new TemplateMiner({ similarity: 0.75, depth: 2, maxTemplates: 5000 }, { next: () => ++id });
  const recs = lines.map((l, i) => {
    const rec = decoder.decode({ text: l.slice(l.indexOf(' ') + 1), offset: 0, line: i + 1, truncated: false }, 'bgl', 0);
    return { level: typeof rec.fields.level === 'string' ? rec.fields.level : undefined, t: miner.add(rec.message).templateId };
  });
  const count = new Map();
  for (const r of recs) count.set(r.t, (count.get(r.t) ?? 0) + 1);
  const xs = recs.map((r) => {
    const x = { 'template.rarity': -Math.log2(count.get(r.t) / recs.length) };
    if (r.level !== undefined) x[`level.${r.level}`] = 1;
    return x;
  });
  return { xs, labels: lines.map((l) => !l.startsWith('- ')) };
}

const py = sklearnPython();
if (py) {
  compareIf('Isolation Forest, WAF windows', train, test.features, test.anomalous);
  const bgl = await bglRecords();
  if (bgl) compareIf('Isolation Forest, BGL records', bgl.xs, bgl.xs, bgl.labels);
  else console.log('\nBGL records: ../shared/data is absent, skipped');
} else console.log('\nscikit-learn: not available here (venv or pip install failed)');

// ---- Random Cut Forest: ours vs randomcutforest-core ----
const RCF = { shingleSize: 4, trees: 50, sampleSize: 256, outputAfter: 32 };
const oursRcf = SEEDS.map((seed) => {
  const m = new RandomCutForest({ seed, ...RCF });
  for (const x of train) m.learn(x);
  return test.features.map((x) => m.score(x));
});

const RCF_VERSION = '4.4.0';
/** The jar (checked against Maven Central's SHA-1) and the compiled driver; undefined when either cannot be had. */
function rcfClasspath() {
  const jar = join(CACHE, `randomcutforest-core-${RCF_VERSION}.jar`);
  const url = `https://repo1.maven.org/maven2/software/amazon/randomcutforest/randomcutforest-core/${RCF_VERSION}/randomcutforest-core-${RCF_VERSION}.jar`;
  if (!existsSync(jar)) {
    mkdirSync(CACHE, { recursive: true });
    if (spawnSync('curl', ['-sfL', '--max-time', '120', '-o', jar, url]).status !== 0) return undefined;
  }
  const sha1 = spawnSync('curl', ['-sfL', '--max-time', '30', `${url}.sha1`], { encoding: 'utf8' });
  if (sha1.status === 0 && sha1.stdout.trim().split(/\s/)[0] !== createHash('sha1').update(readFileSync(jar)).digest('hex')) {
    console.log(`${jar}: SHA-1 differs from Maven Central's; delete it to download again`);
    return undefined;
  }
  const src = join(ROOT, 'bench', 'java', 'RcfScores.java');
  const classes = join(CACHE, 'rcf-classes');
  const cls = join(classes, 'RcfScores.class');
  if (!existsSync(cls) || statSync(cls).mtimeMs < statSync(src).mtimeMs) {
    if (spawnSync('javac', ['-nowarn', '-cp', jar, '-d', classes, src], { stdio: 'ignore' }).status !== 0) return undefined;
  }
  return `${classes}:${jar}`;
}

const cp = rcfClasspath();
if (cp) {
  const lines = [...matrix(train).map((v) => 'T ' + v.join(' ')), ...matrix(test.features).map((v) => 'S ' + v.join(' '))].join('\n');
  const theirs = [];
  for (const seed of SEEDS) {
    const a = [NAMES.length, RCF.shingleSize, RCF.trees, RCF.sampleSize, RCF.outputAfter, seed].map(String);
    const res = spawnSync('java', ['-cp', cp, 'RcfScores', ...a], { input: lines, encoding: 'utf8' });
    if (res.status !== 0) {
      console.log(`randomcutforest-core failed: ${res.stderr}`);
      break;
    }
    theirs.push(res.stdout.trim().split('\n').map(Number));
  }
  if (theirs.length === SEEDS.length) {
    report(`Random Cut Forest (randomcutforest-core ${RCF_VERSION}), WAF windows`, oursRcf, theirs, 'randomcutforest-core', test.anomalous);
    const normal = (s) => avg(s.filter((_, i) => !test.anomalous[i]));
    console.log(`  mean score of normal test windows: ours ${normal(meanScores(oursRcf)).toFixed(3)}, randomcutforest-core ${normal(meanScores(theirs)).toFixed(3)}`);
  }
} else console.log('\nrandomcutforest-core: not available here (no Java, or the jar could not be downloaded)');
