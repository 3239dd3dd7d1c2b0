#!/usr/bin/env node
/**
 * npm run check:same -- REF — does this build detect exactly what a reference build detects?
 * REF is a checkout of another commit with its dist/ built (e.g. `git worktree add ../ref <commit> &&
 * (cd ../ref && npm ci)`), or a dist/ directory inside such a checkout. Both builds run `train` then
 * `detect --all --json` on the same inputs and the outputs are compared byte for byte (lines sorted):
 *   hdfs — the rendered HDFS split of ../shared/data/hdfs (block sessions; train on train, detect on test);
 *   bgl  — BGL_2k with its label column removed, trained and detected on the same file (every record);
 *   waf  — a generated WAF scenario (2 h normal to train, 2 h with random anomaly periods to detect).
 * Scenarios whose shared data is absent are skipped with a message. Exit 1 when any output differs.
 * Options: --only hdfs,bgl,waf
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, '..', 'shared', 'data');
const args = process.argv.slice(2);
const refArg = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--only');
if (!refArg) {
  process.stderr.write('usage: npm run check:same -- REF_CHECKOUT_OR_DIST [--only hdfs,bgl,waf]\n');
  process.exit(2);
}
const refDir = resolve(refArg);
const refMain = [join(refDir, 'dist', 'cli', 'main.js'), join(refDir, 'cli', 'main.js')].find(existsSync);
if (!refMain) {
  process.stderr.write(`${refDir}: no dist/cli/main.js (build the reference first)\n`);
  process.exit(2);
}
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const builds = { this: join(ROOT, 'dist', 'cli', 'main.js'), ref: refMain };
const work = mkdtempSync(join(tmpdir(), 'logradar-check-same-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function run(main, argv) {
  const r = spawnSync(process.execPath, [main, ...argv, ...(argv[0] === 'generate' ? [] : ['--log-level', 'warn'])], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${main} ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** train + detect --all --json with one build; the sorted output lines. */
function detectWith(build, name, trainFiles, detectFiles, extra, records) {
  const model = join(work, `${name}-${build}-model`);
  run(builds[build], ['train', ...trainFiles, '--model', model, ...extra]);
  const t0 = Date.now();
  const out = run(builds[build], ['detect', ...detectFiles, '--model', model, '--json', '--all', ...(records ? ['--records'] : []), ...extra]);
  const t1 = Date.now();
  // a record without a time of its own is dated when it is read: that time differs between runs
  const ingestTime = (ts) => Date.parse(ts) >= t0 - 1000 && Date.parse(ts) <= t1 + 1000;
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\{"ts":"([^"]+)"/, (m, ts) => (ingestTime(ts) ? '{"ts":"(read time)"' : m)))
    .sort();
}

let differs = false;
function compare(name, trainFiles, detectFiles, extra = [], records = false) {
  const a = detectWith('this', name, trainFiles, detectFiles, extra, records);
  const b = detectWith('ref', name, trainFiles, detectFiles, extra, records);
  const anomalous = a.filter((l) => l.includes('"anomalous":true')).length;
  if (a.length === b.length && a.every((l, i) => l === b[i])) {
    console.log(`${name.padEnd(5)} identical: ${a.length} lines (${anomalous} anomalous)`);
    return;
  }
  differs = true;
  const sb = new Set(b);
  const sa = new Set(a);
  const onlyA = a.filter((l) => !sb.has(l));
  const onlyB = b.filter((l) => !sa.has(l));
  console.log(`${name.padEnd(5)} DIFFERENT: ${a.length} lines here, ${b.length} in the reference; ${onlyA.length} only here, ${onlyB.length} only there`);
  for (const l of onlyA.slice(0, 3)) console.log(`  + ${l.slice(0, 400)}`);
  for (const l of onlyB.slice(0, 3)) console.log(`  - ${l.slice(0, 400)}`);
}

const want = (n) => !only || only.includes(n);
const hdfs = join(DATA, 'hdfs');
if (want('hdfs')) {
  if (existsSync(join(hdfs, 'hdfs100k_rendered_train.log'))) compare('hdfs', [join(hdfs, 'hdfs100k_rendered_train.log')], [join(hdfs, 'hdfs100k_rendered_test.log')], ['--session-key', 'blk_-?\\d+']);
  else console.log(`hdfs  skipped: ${hdfs} is absent`);
}
const bglRaw = join(DATA, 'loghub-2k', 'BGL', 'BGL_2k.log');
if (want('bgl')) {
  if (existsSync(bglRaw)) {
    const bgl = join(work, 'BGL_2k.log');
    // the first token is the label: what a user's log would not have
    writeFileSync(bgl, readFileSync(bglRaw, 'utf8').split('\n').map((l) => l.slice(l.indexOf(' ') + 1)).join('\n'));
    compare('bgl', [bgl], [bgl], [], true);
  } else console.log(`bgl   skipped: ${bglRaw} is absent`);
}
if (want('waf')) {
  const gen = (dir, seed, anomaly) => {
    run(builds.this, ['generate', 'waf', '--out', dir, '--seed', String(seed), '--start', '2026-11-21T00:00:00Z', '--duration', '2h', '--anomaly', anomaly]);
    return spawnSync('find', [dir, '-type', 'f', '-name', '*.log'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();
  };
  const train = gen(join(work, 'waf-train'), 5, 'none');
  const detect = gen(join(work, 'waf-detect'), 6, 'random');
  compare('waf', train, detect, [], true);
}
console.log(differs ? `outputs differ from ${basename(refDir)}` : `same output as ${basename(refDir)}`);
process.exit(differs ? 1 : 0);
