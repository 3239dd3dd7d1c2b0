/**
 * Errors a user meets at the command line: one line naming the path (or flag, or key) and the cause;
 * exit 2 for bad input or usage, 1 for a failure at run time; "run npm ci" only when dist/ is missing.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync, closeSync, writeFileSync, writeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanupAfterEach, runCli, tmpDir, writeConfig } from '../helpers/cli.js';

cleanupAfterEach();

const root = tmpDir('logradar-errors-');
const input = join(root, 'in.log');
writeFileSync(input, Array.from({ length: 50 }, (_, i) => `worker ${i % 3} finished job ${i}`).join('\n') + '\n');

/** Exactly one line on stderr, naming `what`; no stack trace, no advice to reinstall. */
function oneLine(stderr: string, ...what: string[]): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^logradar: /);
  for (const w of what) expect(lines[0]).toContain(w);
  expect(lines[0]).not.toContain('npm ci');
}

describe('bad input or usage: exit 2, one line naming the path', () => {
  it('a data dir that is a file', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const r = await runCli(['watch', input, '--once', '--data-dir', file, '--log-level', 'warn']);
    expect(r.code).toBe(2);
    oneLine(r.stderr, file, 'not a directory');
  });

  it('a data dir that cannot be created (a file in its path; a file system that refuses it)', async () => {
    const file = join(root, 'b-file');
    writeFileSync(file, 'x');
    const r = await runCli(['watch', input, '--once', '--data-dir', join(file, 'data'), '--log-level', 'warn']);
    expect(r.code).toBe(2);
    oneLine(r.stderr, join(file, 'data'), 'cannot create');
    // /sys refuses new directories even to root (EPERM), as a read-only mount or a directory without
    // write permission refuses them to a user (EROFS, EACCES)
    const r2 = await runCli(['watch', input, '--once', '--data-dir', '/sys/logradar-test/data', '--log-level', 'warn']);
    expect(r2.code).toBe(2);
    oneLine(r2.stderr, '/sys/logradar-test/data', 'cannot create');
  });

  it('parse of a missing file', async () => {
    const r = await runCli(['parse', join(root, 'nonexistent.log')]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, join(root, 'nonexistent.log'), 'no such file');
  });

  it('watch of a missing path says so and exits 2; --allow-missing waits for it', async () => {
    const missing = join(root, 'no', 'such', 'path');
    const r = await runCli(['watch', missing, '--data-dir', join(root, 'd-missing'), '--log-level', 'warn'], { timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    oneLine(r.stderr, missing, '--allow-missing');
    const glob = join(root, 'nodir', '*.log');
    const g = await runCli(['watch', glob, '--data-dir', join(root, 'd-missing'), '--log-level', 'warn'], { timeoutMs: 15_000 });
    expect(g.code).toBe(2);
    oneLine(g.stderr, join(root, 'nodir'));
    const ok = await runCli(['watch', missing, '--allow-missing', '--once', '--data-dir', join(root, 'd-missing'), '--log-level', 'warn']);
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe('values that would silently drop everything or print nothing: exit 2 naming the flag or key', () => {
  it('--limit -1, --limit 1.5, --min-grade 2', async () => {
    const data = join(root, 'flags');
    expect((await runCli(['watch', input, '--once', '--data-dir', data, '--log-level', 'warn'])).code).toBe(0);
    for (const [cmd, flag, value] of [['events', '--limit', '-1'], ['anomalies', '--limit', '1.5'], ['anomalies', '--min-grade', '2'], ['anomalies', '--min-grade', '-0.1']]) {
      const r = await runCli([cmd, '--data-dir', data, flag, value]);
      expect(r.code, `${cmd} ${flag} ${value}`).toBe(2);
      oneLine(r.stderr, flag, value);
    }
  });

  it('files.maxLineBytes: 0', async () => {
    const cfg = join(root, 'zero');
    mkdirSync(cfg);
    const file = writeConfig(cfg, { files: { maxLineBytes: 0 } });
    const r = await runCli(['watch', input, '--once', '--config', file, '--data-dir', join(root, 'd-zero')]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, file, 'files.maxLineBytes');
  });
});

describe('failures at run time: exit 1, one line naming the store and the cause', () => {
  it('a page corrupted under a query', async () => {
    const data = join(root, 'corrupt');
    const big = join(root, 'big.log');
    writeFileSync(big, Array.from({ length: 20_000 }, (_, i) => `2026-11-21T10:00:00Z request ${i} from 10.0.${i % 255}.${i % 7} served in ${i % 900} ms with payload ${'x'.repeat(i % 40)}`).join('\n') + '\n');
    const w = await runCli(['watch', big, '--once', '--data-dir', data, '--log-level', 'warn']);
    expect(w.code, w.stderr).toBe(0);
    const db = join(data, 'logradar.db');
    // garbage over pages in the second half of the file: the first rows are read, then the query fails
    const size = statSync(db).size;
    const fd = openSync(db, 'r+');
    for (let off = Math.floor(size * 0.6) & ~4095; off < size - 4096; off += 4096 * 3) writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, off);
    closeSync(fd);
    const r = await runCli(['events', '--data-dir', data, '--json']);
    expect(r.code).toBe(1);
    oneLine(r.stderr, db, 'malformed');
  });
});

describe('bin/logradar', () => {
  it('advises npm ci only when dist/ is missing', () => {
    const dir = join(root, 'nodist', 'bin');
    mkdirSync(dir, { recursive: true });
    copyFileSync(BIN, join(dir, 'logradar'));
    const r = spawnSync(process.execPath, [join(dir, 'logradar'), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('npm ci');
  });

  it('a config error still names the file and key (exit 2)', async () => {
    const cfg = writeConfig(join(root), { files: { pollInterval: 'soon' } });
    const r = await runCli(['watch', input, '--once', '--config', cfg, '--data-dir', join(root, 'd-cfg')]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, cfg, 'files.pollInterval');
  });
});
