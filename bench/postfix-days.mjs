/**
 * Postfix incidents over 14 generated days (issue 12): `generate postfix --days 14 --labels` for each rate
 * and seed, then `watch DIR --once --json` with no config, scored like the shared score-periods rule with
 * the first day left out (false alarms after day 1: distinct anomalous windows / records outside every
 * labelled incident); also `logradar incidents --since 400d` and the report's incident count, which must agree.
 *
 * Options: --rates 100/h,20/h,1000/h  --seeds 5,9,21,33  --bin path/to/bin/logradar
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ndjson, runCli, scorePeriods } from './common.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const BIN = opt('bin', join(ROOT, 'bin', 'logradar'));
const RATES = opt('rates', '100/h,20/h,1000/h').split(',');
const SEEDS = opt('seeds', '5,9,21,33').split(',').map(Number);
const END = '2026-11-30T00:00:00Z';
const DAY1 = Date.parse(END) - 13 * 86_400_000;

const work = mkdtempSync(join(tmpdir(), 'logradar-bench-postfix-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const cli = (argv) => runCli(BIN, argv);

const rows = [];
for (const rate of RATES)
  for (const seed of SEEDS) {
    const dir = join(work, `${rate.replace('/', 'per')}-${seed}`);
    const labelsFile = `${dir}.labels.ndjson`;
    cli(['generate', 'postfix', '--out', join(dir, 'logs'), '--days', '14', '--seed', String(seed), '--rate', rate, '--end', END, '--labels', labelsFile]);
    const labels = ndjson(readFileSync(labelsFile, 'utf8'));
    const t0 = Date.now();
    const anomalies = ndjson(cli(['watch', join(dir, 'logs'), '--once', '--json', '--data-dir', join(dir, 'data')]));
    const secs = (Date.now() - t0) / 1000;
    // false alarms after the first day (the score-periods rule with --skip-before the second day)
    const all = scorePeriods(anomalies, labels, DAY1);
    const incidents = ndjson(cli(['incidents', '--since', '400d', '--json', '--data-dir', join(dir, 'data')])).length;
    const report = cli(['report', '--since', '400d', '--data-dir', join(dir, 'data')]);
    const reported = Number(/(\d+) incidents/.exec(report)?.[1] ?? NaN);
    rows.push({ rate, seed, found: all.found, total: all.total, alarms: all.alarms, incidents, reported, secs });
    const x = rows[rows.length - 1];
    console.log(`${rate.padEnd(7)} seed ${String(seed).padEnd(3)} found ${x.found}/${x.total}  false after day 1: ${x.alarms}  incidents ${x.incidents} (report ${x.reported})  (${secs.toFixed(1)} s)`);
    rmSync(dir, { recursive: true, force: true });
  }

console.log('\n| rate | seeds | incidents found | false alarms after day 1 (per run) | incidents listed = report |');
console.log('|---|---|---|---|---|');
let failing = 0;
for (const rate of RATES) {
  const rs = rows.filter((r) => r.rate === rate);
  failing += rs.filter((r) => r.found < r.total || r.alarms > 6 || r.incidents !== r.reported).length;
  console.log(`| ${rate} | ${rs.map((r) => r.seed).join(', ')} | ${rs.reduce((a, r) => a + r.found, 0)} / ${rs.reduce((a, r) => a + r.total, 0)} | ${rs.map((r) => r.alarms).join(', ')} | ${rs.every((r) => r.incidents === r.reported) ? 'yes' : 'no'} |`);
}
console.log(`\na run passes with every incident found, ≤ 6 false alarms after day 1 and the report counting the listed incidents; ${failing} run(s) fail`);
