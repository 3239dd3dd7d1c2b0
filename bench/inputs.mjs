/** Benchmark inputs shared by the bench scripts (built in a temp dir, never committed). */
import { execFileSync } from 'node:child_process';
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
