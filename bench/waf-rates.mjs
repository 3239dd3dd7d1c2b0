/**
 * WAF anomaly periods at several volumes (issue 12): `generate waf --anomaly random --labels` for each
 * rate and seed, then `watch DIR --once --json --data-dir D` with no config and with examples/waf.yaml,
 * scored like the shared score-periods rule (a period is found when an anomaly overlaps it; a false alarm
 * is a distinct anomalous window / file:line record / session outside every period). Also the
 * one-record-per-file, no-trailing-newline variant (written here from the generator's output).
 *
 * Options: --rates 10/m,1,25,1000  --seeds 1,2,3,7,11  --variants lines,files  --configs none,waf
 *          --bin path/to/bin/logradar (another build, e.g. a "before" copy)
 * Rates of 1000/s and above are simulated for 30 min, the others for 4 h.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ndjson, runCli, scorePeriods } from './common.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const BIN = opt('bin', join(ROOT, 'bin', 'logradar'));
const RATES = opt('rates', '10/m,1,25,1000').split(',');
const SEEDS = opt('seeds', '1,2,3,7,11').split(',').map(Number);
const VARIANTS = opt('variants', 'lines,files').split(',');
const CONFIGS = opt('configs', 'none,waf').split(',');
const WAF_YAML = join(ROOT, 'examples', 'waf.yaml');
const START = '2026-03-02T00:00:00Z';

const work = mkdtempSync(join(tmpdir(), 'logradar-bench-waf-rates-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const cli = (argv) => runCli(BIN, argv);

/** One JSON record per file, no trailing newline: every line of the generator's files becomes a file. */
function oneRecordPerFile(from, to) {
  mkdirSync(to, { recursive: true });
  let n = 0;
  for (const f of readdirSync(from).sort())
    for (const line of readFileSync(join(from, f), 'utf8').split('\n'))
      if (line.trim()) writeFileSync(join(to, `r${String(n++).padStart(7, '0')}.json`), line);
}

const rows = [];
for (const rate of RATES) {
  const duration = Number(rate.replace(/\/.*/, '')) >= 1000 ? '30m' : '4h';
  for (const seed of SEEDS) {
    const gen = join(work, `gen-${rate.replace('/', 'per')}-${seed}`);
    const labelsFile = `${gen}.labels.ndjson`;
    cli(['generate', 'waf', '--out', gen, '--rate', rate, '--duration', duration, '--start', START, '--anomaly', 'random', '--labels', labelsFile, '--seed', String(seed)]);
    const labels = ndjson(readFileSync(labelsFile, 'utf8'));
    for (const variant of VARIANTS) {
      // one file per record only where it is realistic (low volume)
      if (variant === 'files' && !['10/m', '1', '1/s'].includes(rate)) continue;
      let dir = gen;
      if (variant === 'files') oneRecordPerFile(gen, (dir = `${gen}-files`));
      for (const config of CONFIGS) {
        const dataDir = join(work, `d-${rows.length}`);
        const t0 = Date.now();
        const out = cli(['watch', dir, '--once', '--json', '--data-dir', dataDir, ...(config === 'waf' ? ['--config', WAF_YAML] : [])]);
        const r = scorePeriods(ndjson(out), labels);
        rows.push({ rate, duration, seed, variant, config, ...r, secs: (Date.now() - t0) / 1000 });
        const x = rows[rows.length - 1];
        console.log(`${x.rate.padEnd(5)} ${x.duration.padEnd(4)} seed ${String(x.seed).padEnd(3)} ${x.variant.padEnd(6)} ${x.config.padEnd(5)} found ${x.found}/${x.total}  false ${x.alarms}  (${x.secs.toFixed(1)} s)`);
        rmSync(dataDir, { recursive: true, force: true });
      }
      if (variant === 'files') rmSync(dir, { recursive: true, force: true });
    }
    rmSync(gen, { recursive: true, force: true });
  }
}

console.log('\n| rate | span | records | config | found / periods | false alarms (max per run) | runs passing |');
console.log('|---|---|---|---|---|---|---|');
const groups = new Map();
for (const r of rows) {
  const k = `${r.rate}|${r.duration}|${r.variant}|${r.config}`;
  (groups.get(k) ?? groups.set(k, []).get(k)).push(r);
}
let failing = 0;
for (const [k, rs] of groups) {
  const [rate, span, variant, config] = k.split('|');
  const found = rs.reduce((a, r) => a + r.found, 0);
  const total = rs.reduce((a, r) => a + r.total, 0);
  const fa = rs.reduce((a, r) => a + r.alarms, 0);
  const pass = rs.filter((r) => r.found === r.total && r.alarms <= 4).length;
  failing += rs.length - pass;
  console.log(`| ${rate} | ${span} | ${variant === 'files' ? 'one per file, no newline' : 'lines'} | ${config === 'waf' ? 'examples/waf.yaml' : 'none'} | ${found} / ${total} | ${fa} (${Math.max(...rs.map((r) => r.alarms))}) | ${pass} / ${rs.length} |`);
}
console.log(`\nseeds ${SEEDS.join(', ')}; a run passes with every period found and ≤ 4 false alarms; ${failing} run(s) fail`);
