#!/usr/bin/env node
/**
 * npm run bench:parse — template mining speed on two 1M-line inputs, with baselines from the same run:
 *   (a) 250 repeats of the HDFS and BGL 2k message contents (as in the Drain3 measurement);
 *   (b) ~1M HDFS lines without exact repeats: render-hdfs.mjs seeds 1..10 with fresh ids, concatenated.
 * For each: in-process mining (TemplateMiner.add on every line, lines/s of CPU time), the whole CLI
 * (`parse --format plain --json` to /dev/null: lines/s and peak RSS), a plain read+split baseline, and
 * Drain3 (Python, default config + the usual masks) on the same lines when `pip install drain3` works.
 * Options: --lines N (default 1000000), --no-drain3.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measuredRun, renderedHdfs } from './common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..');
const SHARED = join(ROOT, '..', 'shared');
const args = process.argv.slice(2);
const LINES = Number(args[args.indexOf('--lines') + 1] || 1_000_000) || 1_000_000;
if (!existsSync(join(SHARED, 'data', 'loghub-2k'))) {
  console.log(`bench:parse skipped: ${join(SHARED, 'data')} is absent (the shared benchmark data)`);
  process.exit(0);
}
const { TemplateMiner } = await import(join(ROOT, 'dist', 'parsers', 'drain', 'miner.js'));
const { loadConfig } = await import(join(ROOT, 'dist', 'config', 'load.js'));
const work = mkdtempSync(join(tmpdir(), 'logradar-bench-parse-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** The Content column of a Loghub structured CSV (RFC 4180 quoting). */
function contents(file) {
  const text = readFileSync(file, 'utf8');
  const rows = [];
  let row = [];
  let field = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') q = false;
      else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field.replace(/\r$/, '')), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  const col = rows[0].indexOf('Content');
  return rows.slice(1).filter((r) => r.length > col).map((r) => r[col]);
}

function inputA() {
  const base = [...contents(join(SHARED, 'data/loghub-2k/HDFS/HDFS_2k.log_structured.csv')), ...contents(join(SHARED, 'data/loghub-2k/BGL/BGL_2k.log_structured.csv'))];
  const out = [];
  while (out.length < LINES) out.push(...base);
  out.length = LINES;
  const f = join(work, 'a.log');
  writeFileSync(f, out.join('\n') + '\n');
  return f;
}

function inputB() {
  return renderedHdfs(SHARED, work, LINES).file;
}

function cpuSeconds(fn) {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

function inProcess(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop();
  const m = loadConfig({ env: {} }).parse.miner;
  let ids = 0;
  const miner = new TemplateMiner({ similarity: m.similarity, depth: m.depth, maxTemplates: m.maxTemplatesPerSource }, { next: () => ++ids });
  const mine = cpuSeconds(() => {
    for (const l of lines) miner.add(l, 0, false);
  });
  let sink = 0;
  const split = cpuSeconds(() => {
    for (const l of readFileSync(file, 'utf8').split('\n')) sink += l.length;
  });
  return { lines: lines.length, mineLps: lines.length / mine, splitLps: lines.length / split, templates: miner.size, sink };
}

function cli(file) {
  return measuredRun(join(ROOT, 'bin', 'logradar'), ['parse', file, '--format', 'plain', '--json']);
}

/** A venv with drain3 in ~/.cache (made once); undefined when pip cannot install it here. */
function drain3Python() {
  if (args.includes('--no-drain3')) return undefined;
  const venv = join(homedir(), '.cache', 'logradar-bench', 'drain3-venv');
  const py = join(venv, 'bin', 'python');
  if (!existsSync(py)) {
    mkdirSync(dirname(venv), { recursive: true });
    if (spawnSync('python3', ['-m', 'venv', venv], { stdio: 'ignore' }).status !== 0) return undefined;
    if (spawnSync(py, ['-m', 'pip', 'install', '-q', 'drain3'], { stdio: 'ignore', timeout: 300_000 }).status !== 0) return undefined;
  }
  return spawnSync(py, ['-c', 'import drain3'], { stdio: 'ignore' }).status === 0 ? py : undefined;
}

const DRAIN3 = `
import sys, time
from drain3 import TemplateMiner
from drain3.template_miner_config import TemplateMinerConfig
from drain3.masking import MaskingInstruction
cfg = TemplateMinerConfig()
cfg.profiling_enabled = False
cfg.masking_instructions = [MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)(\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})((?=[^A-Za-z0-9])|$)", "IP"),
  MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)([\\-\\+]?\\d+)((?=[^A-Za-z0-9])|$)", "NUM")]
m = TemplateMiner(config=cfg)
lines = open(sys.argv[1]).read().split("\\n")[:-1]
t0 = time.process_time()
for l in lines: m.add_log_message(l)
print(len(lines) / (time.process_time() - t0))
`;

const py = drain3Python();
for (const [name, make] of [
  ['(a) HDFS+BGL 2k contents x250', inputA],
  ['(b) HDFS rendered, seeds 1..10, fresh ids', inputB],
]) {
  const file = make();
  const r = inProcess(file);
  const c = await cli(file);
  console.log(`== ${name}: ${r.lines.toLocaleString('en')} lines, ${r.templates} templates`);
  console.log(`in-process mining: ${Math.round(r.mineLps).toLocaleString('en')} lines/s (target >= 600,000); baseline read+split ${Math.round(r.splitLps).toLocaleString('en')} lines/s (mining/baseline ${(r.splitLps / r.mineLps).toFixed(1)}x slower)`);
  console.log(`CLI parse --json > /dev/null: ${Math.round(r.lines / c.secs).toLocaleString('en')} lines/s (target >= 300,000), peak RSS ${c.peakMb.toFixed(0)} MB (target <= 200)`);
  if (py) {
    const d = spawnSync(py, ['-c', DRAIN3, file], { encoding: 'utf8', timeout: 1_800_000 });
    const lps = Number(d.stdout.trim());
    if (lps > 0) console.log(`Drain3 (Python, same lines, in-process): ${Math.round(lps).toLocaleString('en')} lines/s; logradar/Drain3 = ${(r.mineLps / lps).toFixed(1)}x`);
    else console.log(`Drain3 run failed: ${d.stderr.split('\n').slice(-3).join(' ')}`);
  } else console.log('Drain3: not available here (pip install drain3 failed or --no-drain3)');
}
