/**
 * Every command that prints ends quietly when its reader goes away (DESIGN §6): `logradar X | head -1`
 * exits 0 or 141 with nothing on stderr. Run through a real shell pipe into `head -1`; the outputs are
 * made larger than a pipe's buffer so that the reader really is gone before the writer is done.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanupAfterEach, runCli, tmpDir, writeConfig } from '../helpers/cli.js';

cleanupAfterEach();

const root = tmpDir('logradar-pipes-');
const logs = join(root, 'logs');
const data = join(root, 'data');
const big = join(root, 'big.log');
// every record graded: enough anomalies for outputs well beyond a pipe's 64 KiB
const config = writeConfig(root, { detect: { threshold: 0.01, warmupRecords: 0 } });

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu'];
function line(i: number): string {
  const w: string[] = [];
  for (let j = 0; j < 6; j++) w.push(WORDS[(i * 7 + j * j * 13 + (i >> j)) % 12] + (i % 97 > j * 10 ? '' : 'x'));
  return `2026-11-21T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z ${w.join(' ')} took ${i % 500} ms`;
}

beforeAll(async () => {
  mkdirSync(logs);
  // many files: status lists each of them
  for (let f = 0; f < 300; f++) writeFileSync(join(logs, `app${f}.log`), Array.from({ length: 20 }, (_, i) => line(f * 20 + i)).join('\n') + '\n');
  writeFileSync(big, Array.from({ length: 6000 }, (_, i) => line(i)).join('\n') + '\n');
  const r = await runCli(['watch', logs, '--once', '--data-dir', data, '--config', config, '--log-level', 'warn']);
  expect(r.code, r.stderr).toBe(0);
  const t = await runCli(['train', big, '--model', join(root, 'model'), '--config', config, '--log-level', 'warn']);
  expect(t.code, t.stderr).toBe(0);
}, 120_000);

/** `logradar ARGS | head -1`: logradar's exit status and stderr (bash's PIPESTATUS). */
function piped(args: string[]): { status: number; stderr: string; first: string } {
  const errFile = join(root, `stderr-${args[0]}-${Math.random().toString(36).slice(2)}`);
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('bash', ['-c', `'${process.execPath}' '${BIN}' ${quoted} 2>'${errFile}' | head -1; echo "status=\${PIPESTATUS[0]}"; cat '${errFile}' >&2`], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const m = /status=(\d+)\n$/.exec(r.stdout);
  return { status: m ? Number(m[1]) : -1, stderr: r.stderr, first: r.stdout.split('\n')[0] };
}

describe('a reader that goes away ends the command quietly', () => {
  const d = ['--data-dir', data];
  const cases: Array<[string, string[]]> = [
    ['events', ['events', ...d, '--limit', '100000']],
    ['events --json', ['events', ...d, '--json']],
    ['anomalies', ['anomalies', ...d, '--limit', '100000']],
    ['anomalies --json', ['anomalies', ...d, '--json']],
    ['incidents', ['incidents', ...d, '--limit', '100000']],
    ['incidents --json', ['incidents', ...d, '--json']],
    ['status', ['status', ...d]],
    ['status --json', ['status', ...d, '--json']],
    ['parse', ['parse', big]],
    ['parse --json', ['parse', big, '--json']],
    ['report', ['report', ...d, '--since', '3650d', '--top', '100000']],
    ['report --format html', ['report', ...d, '--since', '3650d', '--top', '100000', '--format', 'html']],
    ['detect --json --all', ['detect', big, '--model', join(root, 'model'), '--json', '--all', '--records', '--config', config]],
    ['watch --once --json', ['watch', big, '--once', '--json', '--data-dir', join(root, 'w1'), '--config', config, '--log-level', 'warn']],
    ['watch --json (live)', ['watch', big, '--json', '--data-dir', join(root, 'w2'), '--config', config, '--log-level', 'warn', '--poll', '100ms']],
  ];
  for (const [name, args] of cases) {
    it(`${name} | head -1`, () => {
      const r = piped(args);
      expect(r.first.length, r.stderr).toBeGreaterThan(0);
      expect(r.stderr).toBe('');
      expect([0, 141]).toContain(r.status);
    });
  }
});

describe('a slow reader', () => {
  it('holds watch --json back (one drain listener, no MaxListenersExceededWarning); nothing is lost', async () => {
    const child = spawn(process.execPath, [BIN, 'watch', big, '--once', '--json', '--data-dir', join(root, 'slow'), '--config', config, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((res) => child.once('close', res));
    child.stdout.pause();
    await sleep(1500);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stdout.resume();
    expect(await exited, err).toBe(0);
    expect(err).not.toMatch(/MaxListenersExceeded/);
    const lines = out.trim().split('\n');
    expect(lines.length).toBeGreaterThan(200);
    for (const l of lines) expect(JSON.parse(l)).toHaveProperty('grade');
  });
});
