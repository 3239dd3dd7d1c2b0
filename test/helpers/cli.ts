/**
 * Spawning `bin/logradar` from tests: one-shot commands, a long-running `watch` that can be killed with
 * SIGKILL or stopped with SIGTERM, polling until a condition holds, temporary directories. Every child
 * is registered, and `cleanupAfterEach()` kills whatever is left after each test, passed or failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import { status, type StatusJson } from './oracle.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin', 'logradar');

const live = new Set<ChildProcess>();

function spawnCli(args: string[]): ChildProcess {
  // node + the script directly: the pid is logradar itself, so signals reach it (no shell in between).
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs one command to completion. */
export function runCli(args: string[], opts: { timeoutMs?: number } = {}): Promise<CliResult> {
  const started = Date.now();
  const child = spawnCli(args);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  return new Promise((resolveRun, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - started });
    });
  });
}

/** Runs one command, handing each stdout line to `onLine` (for large NDJSON outputs). */
export async function streamCli(args: string[], onLine: (line: string) => void, opts: { timeoutMs?: number } = {}): Promise<void> {
  const child = spawnCli(args);
  const err: Buffer[] = [];
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
  const closed = new Promise<number | null>((res, rej) => {
    child.once('error', rej);
    child.once('close', (code) => res(code));
  });
  try {
    const rl = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    for await (const line of rl) onLine(line);
    const code = await closed;
    if (code !== 0) throw new Error(`logradar ${args[0]} exited ${code}: ${Buffer.concat(err).toString('utf8').slice(0, 2000)}`);
  } finally {
    clearTimeout(timer);
  }
}

export interface WatchOptions {
  /** Directories, files or globs to watch. */
  paths: string[];
  dataDir: string;
  /** Poll interval (default 250ms). */
  poll?: string;
  config?: string;
  once?: boolean;
  extra?: string[];
}

/** A running `logradar watch`. */
export class WatchProcess {
  readonly child: ChildProcess;
  readonly started = Date.now();
  /** Resolves with the exit code (null when killed by a signal) and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private err = '';
  private out = '';
  private done = false;

  constructor(readonly opts: WatchOptions) {
    const args = ['watch', ...opts.paths, '--data-dir', opts.dataDir, '--poll', opts.poll ?? '250ms', '--log-level', 'warn', '--no-status'];
    if (opts.config) args.push('--config', opts.config);
    if (opts.once) args.push('--once');
    args.push(...(opts.extra ?? []));
    this.child = spawnCli(args);
    // Keep the tail of each stream (failure messages), never the whole flood of anomalies.
    this.child.stdout!.on('data', (b: Buffer) => (this.out = (this.out + b.toString('utf8')).slice(-4000)));
    this.child.stderr!.on('data', (b: Buffer) => (this.err = (this.err + b.toString('utf8')).slice(-20_000)));
    this.exited = new Promise((res) => {
      this.child.once('exit', (code, signal) => {
        this.done = true;
        res({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return !this.done;
  }

  get stderr(): string {
    return this.err;
  }

  get stdout(): string {
    return this.out;
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill9(): Promise<void> {
    if (this.done) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM; resolves with the exit status, or SIGKILLs and throws after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const t0 = Date.now();
    if (!this.done) this.child.kill('SIGTERM');
    const r = await Promise.race([this.exited, sleep(timeoutMs).then(() => undefined)]);
    if (!r) {
      await this.kill9();
      throw new Error(`watch did not exit within ${timeoutMs} ms of SIGTERM; stderr:\n${this.err}`);
    }
    return { ...r, ms: Date.now() - t0 };
  }

  /** Throws (with stderr) if the process ended on its own. */
  assertRunning(): void {
    if (this.done) throw new Error(`watch exited unexpectedly; stderr:\n${this.err}`);
  }
}

export function startWatch(opts: WatchOptions): WatchProcess {
  return new WatchProcess(opts);
}

/** `watch --once` to completion. */
export async function watchOnce(opts: Omit<WatchOptions, 'once'>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }> {
  const w = new WatchProcess({ ...opts, once: true });
  const t0 = Date.now();
  const r = await w.exited;
  return { ...r, stderr: w.stderr, ms: Date.now() - t0 };
}

/** SIGKILLs every child still running (safe to call at any time). */
export async function killAll(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const c of live) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    waits.push(new Promise((res) => c.once('exit', res)));
    c.kill('SIGKILL');
  }
  await Promise.all(waits);
}

const tmpDirs: string[] = [];

/** A fresh temporary directory, removed after the file's tests (kept when LOGRADAR_KEEP_TMP is set). */
export function tmpDir(prefix = 'logradar-fault-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}

/** Registers cleanup hooks: kill children after each test, remove temporary directories at the end. */
export function cleanupAfterEach(): void {
  afterEach(killAll);
  afterAll(async () => {
    await killAll();
    if (process.env.LOGRADAR_KEEP_TMP) return;
    for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
}

/** Writes a config file (JSON is valid YAML). */
export function writeConfig(dir: string, config: Record<string, unknown>): string {
  const p = join(dir, 'logradar.yaml');
  writeFileSync(p, JSON.stringify(config, null, 2));
  return p;
}

/** Polls `cond` until it returns true (or a truthy value), or throws after `timeoutMs` with `describe()`. */
export async function waitFor<T>(cond: () => Promise<T | false | undefined | null> | T | false | undefined | null, opts: { timeoutMs: number; intervalMs?: number; what: string; describe?: () => string | Promise<string> }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) {
      const extra = opts.describe ? `\n${await opts.describe()}` : '';
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${extra}`);
    }
    await sleep(opts.intervalMs ?? 250);
  }
}

/** Regular files under `dir` (recursive), with their sizes and inodes. */
export function listFiles(dir: string): { path: string; size: number; ino: string; dev: string }[] {
  const out: { path: string; size: number; ino: string; dev: string }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const st = statSync(p, { bigint: true });
        out.push({ path: p, size: Number(st.size), ino: String(st.ino), dev: String(st.dev) });
      }
    }
  };
  walk(dir);
  return out;
}

export interface Lag {
  /** Files on disk whose checkpoint is behind their size (or that have no checkpoint row). */
  behind: { path: string; size: number; offset: number | null }[];
  status: StatusJson;
}

/**
 * Compares checkpoints with the files on disk: every file under `watched` must have a row (same inode)
 * whose offset equals its size. Files in `outside` (rotated out of the watched set) must be read to
 * their end if still tracked; a file no longer tracked is done with (whatever was missed shows in the oracle).
 */
export async function lag(dataDir: string, watched: string[], outside: string[] = []): Promise<Lag> {
  const st = await status(dataDir);
  const byIno = new Map(st.files.map((f) => [`${f.dev}:${f.ino}`, f]));
  const behind: Lag['behind'] = [];
  for (const f of watched.flatMap(listFiles)) {
    const row = byIno.get(`${f.dev}:${f.ino}`);
    if (!row || row.offset !== f.size) behind.push({ path: f.path, size: f.size, offset: row?.offset ?? null });
  }
  for (const f of outside.flatMap(listFiles)) {
    const row = byIno.get(`${f.dev}:${f.ino}`);
    if (row && row.offset !== f.size) behind.push({ path: f.path, size: f.size, offset: row.offset });
  }
  return { behind, status: st };
}

/** Waits until `lag()` reports nothing behind on two consecutive polls (the store has caught up). */
export async function waitCaughtUp(dataDir: string, watched: string[], opts: { timeoutMs: number; outside?: string[]; watch?: WatchProcess }): Promise<StatusJson> {
  let last: Lag | undefined;
  let streak = 0;
  return waitFor(
    async () => {
      opts.watch?.assertRunning();
      try {
        last = await lag(dataDir, watched, opts.outside);
      } catch (e) {
        // The store does not exist (or is not migrated) until watch has opened it.
        if (!/cannot open the store|needs a migration/.test((e as Error).message)) throw e;
        streak = 0;
        return false;
      }
      streak = last.behind.length === 0 ? streak + 1 : 0;
      return streak >= 2 ? last.status : false;
    },
    {
      timeoutMs: opts.timeoutMs,
      intervalMs: 300,
      what: 'the store to catch up with the files',
      describe: () => `behind: ${JSON.stringify(last?.behind.slice(0, 10))}\nwatch stderr:\n${opts.watch?.stderr ?? ''}`,
    },
  );
}
