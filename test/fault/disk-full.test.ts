/**
 * #16 disk full on the data dir. The store cannot grow past a file size limit (`ulimit -f`: writes fail
 * as on a full disk, without privileges or a small mount); `watch` must exit 1 with one line naming the
 * store and the cause, and a restart with room must end with every line stored exactly once.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanupAfterEach, runCli, streamCli, tmpDir } from '../helpers/cli.js';

cleanupAfterEach();

const LINES = 200_000;

function watchLimited(args: string[], fileSizeKb: number): Promise<{ code: number | null; stderr: string }> {
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const child = spawn('bash', ['-c', `ulimit -f ${fileSizeKb}; exec '${process.execPath}' '${BIN}' ${quoted}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((res) => child.once('close', (code) => res({ code, stderr })));
}

describe('#16 disk full on the data dir', () => {
  it('exits 1 naming the store; after a restart with room every line is stored exactly once', async () => {
    const root = tmpDir();
    const log = join(root, 'app.log');
    const data = join(root, 'data');
    writeFileSync(log, Array.from({ length: LINES }, (_, i) => `2026-11-21T10:00:00Z request ${i + 1} served in ${i % 900} ms`).join('\n') + '\n');
    const args = ['watch', log, '--once', '--data-dir', data, '--log-level', 'fatal'];
    const full = await watchLimited(args, 3000);
    expect(full.code, full.stderr).toBe(1);
    const lines = full.stderr.trimEnd().split('\n');
    expect(lines, full.stderr).toHaveLength(1);
    expect(lines[0]).toContain(join(data, 'logradar.db'));
    expect(lines[0]).toMatch(/disk full/);

    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    const seen = new Map<number, number>();
    await streamCli(['events', '--data-dir', data, '--json'], (l) => {
      const n = (JSON.parse(l) as { line: number }).line;
      seen.set(n, (seen.get(n) ?? 0) + 1);
    });
    const dup = [...seen.values()].filter((c) => c > 1).length;
    expect({ stored: seen.size, duplicated: dup }).toEqual({ stored: LINES, duplicated: 0 });
  });
});
