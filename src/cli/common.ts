/** Helpers shared by the CLI commands: config from flags, data dir, error exit codes, JSON output. */
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { accessSync, constants, statSync } from 'node:fs';
import { LogradarError, UsageError } from '../model/errors.js';
import { SqliteStore } from '../store/sqlite/store.js';
import { parseTimeSpec } from '../util/units.js';
import { writeOut } from './output.js';

export interface CommonFlags {
  config?: string;
  dataDir?: string;
  logLevel?: string;
}

/** Adds `--config`, `--data-dir` and `--log-level` to a command. */
export function withCommonFlags(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'YAML config file (else LOGRADAR_CONFIG; no file is read implicitly)')
    .option('--data-dir <dir>', 'data directory (default ./.logradar)')
    .option('--log-level <level>', 'service log level: fatal|error|warn|info|debug|trace|silent');
}

/** Loads the config named by the flags, with flag values overriding the file. */
export function configFromFlags(flags: CommonFlags, overrides: Record<string, unknown> = {}): Config {
  return loadConfig({
    file: flags.config,
    overrides: { dataDir: flags.dataDir, logLevel: flags.logLevel, ...overrides },
  });
}

export function timeFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = parseTimeSpec(value);
  if (t === undefined) throw new UsageError(`${name}: "${value}" is neither a duration (30s, 15m, 24h, 400d) nor an ISO 8601 time`);
  return t;
}

export function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${name}: "${value}" is not a number`);
  return n;
}

/** A count flag such as --limit: a whole number of at least 1 (a negative limit would print nothing). */
export function countFlag(name: string, value: string | undefined): number | undefined {
  const n = numberFlag(name, value);
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new UsageError(`${name}: "${value}" is not a positive whole number`);
  return n;
}

/** A grade flag such as --min-grade: grades lie between 0 and 1. */
export function gradeFlag(name: string, value: string | undefined): number | undefined {
  const n = numberFlag(name, value);
  if (n !== undefined && (n < 0 || n > 1)) throw new UsageError(`${name}: "${value}" is not a grade between 0 and 1`);
  return n;
}

/** Wraps a command action: an error prints one line and exits with its code (see `fail`). */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      fail(e);
    }
  };
}

/**
 * Ends the command on an error with one line: a LogradarError with its own code (2 for usage, config and
 * input); anything else is a failure at run time (exit 1), named by the store or path it concerns.
 */
export function fail(e: unknown): never {
  process.stderr.write(`logradar: ${describeError(e)}\n`);
  process.exit(e instanceof LogradarError ? e.exitCode : 1);
}

export function describeError(e: unknown): string {
  if (e instanceof LogradarError) return e.message;
  const err = e as Partial<NodeJS.ErrnoException>;
  const message = (err.message ?? String(e)).split('\n')[0];
  // better-sqlite3's errors carry SQLITE_* codes but not the file: name the stores this process opened
  if (typeof err.code === 'string' && err.code.startsWith('SQLITE_')) {
    const stores = [...SqliteStore.openedPaths].join(', ') || 'the store';
    const what = /CORRUPT|NOTADB/.test(err.code) ? 'is damaged' : /FULL|IOERR/.test(err.code) ? 'cannot be written (disk full?)' : 'failed';
    return `${stores} ${what}: ${message} (${err.code})`;
  }
  if (err.path !== undefined && !message.includes(err.path)) return `${err.path}: ${message}`;
  return message;
}

/** An input file the command reads: missing or unreadable is bad input (exit 2) naming it. */
export function checkInputFile(path: string): void {
  try {
    if (!statSync(path).isFile()) throw new UsageError(`${path}: not a regular file`);
    accessSync(path, constants.R_OK);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
}

/** Writes one NDJSON line; returns a promise that resolves when the stream can take more. */
export function writeJsonLine(obj: unknown, out: NodeJS.WritableStream = process.stdout): Promise<void> | undefined {
  return writeOut(JSON.stringify(obj) + '\n', out);
}
