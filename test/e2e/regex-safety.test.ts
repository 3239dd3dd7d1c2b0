/**
 * RELIABILITY #26 (issue 14, defect 3): a user regex that backtracks exponentially must not stall ingest.
 * Each pattern, as session key and as mask, either is refused at start (`config --check` and `watch`
 * alike: exit 2, one line naming the key) or runs with ingest unaffected: a pathological line and 10,000
 * lines behind it are all stored within 5 s of being appended.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach, runCli, startWatch, tmpDir, waitCaughtUp, waitFor, writeConfig } from '../helpers/cli.js';

cleanupAfterEach();

const PATHOLOGICAL = ['((a+))+$', '(a|a)*$', '(a{1,})+$', '(a?a?)+$', '(\\w|a)+$'];
const EVIL_LINE = 'a'.repeat(34) + '!'; // 35 bytes: exponential in V8 for every pattern above
const BEHIND = 10_000;

const asKey = (regex: string) => ({ session: { key: regex }, parse: { multiline: { enabled: false } } });
const asMask = (regex: string) => ({ parse: { masks: [{ name: 'evil', regex }], multiline: { enabled: false } } });

async function check(config: Record<string, unknown>, key: string): Promise<void> {
  const root = tmpDir('logradar-regex-');
  const logs = join(root, 'logs');
  const data = join(root, 'data');
  mkdirSync(logs);
  const file = join(logs, 'app.log');
  writeFileSync(file, 'watch started\n');
  const cfg = writeConfig(root, config);

  const checked = await runCli(['config', '--check', '--config', cfg], { timeoutMs: 30_000 });
  const p = startWatch({ paths: [logs], dataDir: data, config: cfg });
  if (checked.code !== 0) {
    expect(checked.code).toBe(2);
    const exited = await Promise.race([p.exited, sleep(30_000).then(() => undefined)]);
    expect(exited?.code, 'watch refuses what config --check refuses').toBe(2);
    expect(p.stderr.trim().split('\n')).toEqual([expect.stringContaining(`${cfg}: ${key}: `)]);
    return;
  }

  await waitCaughtUp(data, [logs], { timeoutMs: 30_000, watch: p });
  const db = new Database(join(data, 'logradar.db'), { readonly: true, fileMustExist: true });
  try {
    const stored = db.prepare<[], { n: number }>('SELECT COALESCE(SUM(n), 0) AS n FROM event_blocks');
    const before = stored.get()!.n;
    const lines = [EVIL_LINE];
    for (let i = 0; i < BEHIND; i++) lines.push(`${EVIL_LINE.slice(0, 10)} request ${i} done`);
    const t0 = Date.now();
    appendFileSync(file, lines.join('\n') + '\n');
    await waitFor(() => stored.get()!.n - before === BEHIND + 1, { timeoutMs: 5_000, intervalMs: 20, what: `${BEHIND + 1} lines stored`, describe: () => `stored ${stored.get()!.n - before}; stderr:\n${p.stderr}` });
    expect(Date.now() - t0).toBeLessThan(5_000);
  } finally {
    db.close();
  }
  p.assertRunning();
  expect((await p.stop()).code).toBe(0);
}

describe('backtracking user regexes do not stall watch (RELIABILITY #26)', () => {
  it.each(PATHOLOGICAL)('session.key %s', (regex) => check(asKey(regex), 'session.key'));
  it.each(PATHOLOGICAL)('parse.masks %s', (regex) => check(asMask(regex), 'parse.masks.0.regex'));

  it('a pattern no linear-time engine can run is refused alike by config --check and watch', async () => {
    const root = tmpDir('logradar-regex-');
    const cfg = writeConfig(root, asKey('(a+)+b\\1'));
    const checked = await runCli(['config', '--check', '--config', cfg]);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toMatch(/^logradar: .*: session\.key: its matching time cannot be bounded \(back-reference\)/);
    await check(asKey('(a+)+b\\1'), 'session.key');
  });
});
