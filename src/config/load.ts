/** Reads the YAML config (only the file named by --config or LOGRADAR_CONFIG), applies flag overrides, validates. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../model/errors.js';
import { configSchema, type Config } from './schema.js';

export interface LoadOptions {
  /** `--config FILE`; falls back to the LOGRADAR_CONFIG environment variable. */
  file?: string;
  /** Values set by command-line flags; they win over the file. Nested objects are merged. */
  overrides?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? (env.LOGRADAR_CONFIG || undefined);
  let input: unknown = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(file, '', `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    try {
      input = parseYaml(text) ?? {};
    } catch (e) {
      const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
      throw new ConfigError(file, '', `not valid YAML${where}: ${(e as Error).message.split('\n')[0]}`);
    }
    if (typeof input !== 'object' || Array.isArray(input)) throw new ConfigError(file, '', 'the top level must be a mapping of keys');
  }
  // The file alone first, so an error is blamed on the file only when the file holds the bad value.
  if (file) validateConfig(input, file);
  let merged = deepMerge(input as Record<string, unknown>, opts.overrides ?? {});
  // the token is a secret: it may come from the environment instead of a file (the file wins)
  if (env.LOGRADAR_TOKEN) merged = deepMerge({ auth: { token: env.LOGRADAR_TOKEN } }, merged);
  return validateConfig(merged, 'command-line flags');
}

export function validateConfig(input: unknown, origin: string): Config {
  const r = configSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new ConfigError(origin, issuePath(issue), issueReason(issue));
}

function issuePath(issue: z.core.$ZodIssue): string {
  const base = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') return [base, issue.keys[0]].filter(Boolean).join('.');
  return base;
}

function issueReason(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return 'unknown key';
  return issue.message;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}
