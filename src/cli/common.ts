/** Helpers shared by the CLI commands: config from flags, data dir, error exit codes, JSON output. */
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { LogradarError, UsageError } from '../model/errors.js';
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

/** Wraps a command action: known errors print one line and exit with their code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof LogradarError) {
        process.stderr.write(`logradar: ${e.message}\n`);
        process.exit(e.exitCode);
      }
      throw e;
    }
  };
}

/** Writes one NDJSON line; returns a promise that resolves when the stream can take more. */
export function writeJsonLine(obj: unknown, out: NodeJS.WritableStream = process.stdout): Promise<void> | undefined {
  return writeOut(JSON.stringify(obj) + '\n', out);
}
