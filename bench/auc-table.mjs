#!/usr/bin/env node
/**
 * npm run docs:auc — runs the detector conformance suite and writes its AUC cases into the table of
 * docs/detectors.md (between the auc-table markers), so the table is the suite's output, not a copy.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'logradar-auc-'));
const out = join(work, 'auc.ndjson');
const r = spawnSync('npx', ['vitest', 'run', 'test/conformance/detectors.test.ts'], { cwd: ROOT, env: { ...process.env, LOGRADAR_AUC_OUT: out }, stdio: ['ignore', 'ignore', 'inherit'] });
if (r.status !== 0) {
  process.stderr.write('the conformance suite failed: the table is left as it was\n');
  process.exit(1);
}
const rows = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
rmSync(work, { recursive: true, force: true });
const table = [
  '| detector | scope | fixture | labelled inputs | AUC | minimum |',
  '|---|---|---|---|---|---|',
  ...rows.map((x) => `| \`${x.detector}\` | ${x.scope} | ${x.fixture} | ${x.inputs} | ${x.auc.toFixed(3)} | ${x.min}${x.why ? `: ${x.why}` : ''} |`),
].join('\n');
const doc = join(ROOT, 'docs', 'detectors.md');
const text = readFileSync(doc, 'utf8');
const start = '<!-- auc-table:start -->';
const end = '<!-- auc-table:end -->';
if (!text.includes(start) || !text.includes(end)) {
  process.stderr.write(`${doc}: no ${start} … ${end} markers\n`);
  process.exit(2);
}
writeFileSync(doc, text.slice(0, text.indexOf(start) + start.length) + '\n' + table + '\n' + text.slice(text.indexOf(end)));
console.log(`${rows.length} AUC cases written to docs/detectors.md`);
