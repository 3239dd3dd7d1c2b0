import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ConfigError, LogradarError } from '../model/errors.js';
import { loadConfig, validateConfig } from './load.js';
import { defaultsYaml } from './print-defaults.js';
import { configSchema } from './schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logradar-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

/** The ConfigError thrown by `fn` (fails the test when it does not throw one). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the defaults when there is no file', () => {
    const c = loadConfig({ env: {} });
    expect(c.dataDir).toBe('./.logradar');
    expect(c.files.pollInterval).toBe(1000);
    expect(c.files.maxLineBytes).toBe(1_048_576);
    expect(c.detect.threshold).toBe(0.7);
    expect(c.detect.fields).toEqual([]);
    expect(c.store.retention.maxAge).toBe(7 * 86_400_000);
    expect(c.store.retention.maxBytes).toBe(1024 ** 3);
    expect(c.parse.miner).toEqual({ similarity: 0.75, depth: 2, maxTemplatesPerSource: 5000 });
  });

  it('applies YAML values and parses durations and sizes', () => {
    const f = file(
      'good.yaml',
      ['dataDir: /var/lib/lr', 'files:', '  pollInterval: 250ms', '  maxLineBytes: 64KiB', '  readChunkBytes: 4096', 'detect:', '  threshold: 0.9', '  fields:', '    - field: httpRequest.country', '      known: [NL, DE]'].join('\n'),
    );
    const c = loadConfig({ file: f, env: {} });
    expect(c.dataDir).toBe('/var/lib/lr');
    expect(c.files.pollInterval).toBe(250);
    expect(c.files.maxLineBytes).toBe(65_536);
    expect(c.files.readChunkBytes).toBe(4096);
    expect(c.files.partialLineTimeout).toBe(5000);
    expect(c.detect.threshold).toBe(0.9);
    expect(c.detect.fields).toEqual([{ field: 'httpRequest.country', known: ['NL', 'DE'] }]);
  });

  it('accepts an empty file', () => {
    expect(loadConfig({ file: file('empty.yaml', ''), env: {} }).detect.threshold).toBe(0.7);
  });

  it('rejects an unknown key naming file, key path and reason, with exit code 2', () => {
    const f = file('unknown.yaml', 'files:\n  bogus: 1\n');
    const e = configError(() => loadConfig({ file: f, env: {} }));
    expect(e.code).toBe('LOGRADAR_ERR_CONFIG');
    expect(e.exitCode).toBe(2);
    expect(e.file).toBe(f);
    expect(e.keyPath).toBe('files.bogus');
    expect(e.message).toBe(`${f}: files.bogus: unknown key`);
    expect(configError(() => loadConfig({ file: file('top.yaml', 'colour: red\n'), env: {} })).keyPath).toBe('colour');
  });

  it('rejects a bad value naming the key path', () => {
    const f = file('threshold.yaml', 'detect:\n  threshold: 2\n');
    const e = configError(() => loadConfig({ file: f, env: {} }));
    expect(e.exitCode).toBe(2);
    expect(e.keyPath).toBe('detect.threshold');
    expect(e.message.startsWith(`${f}: detect.threshold: `)).toBe(true);
    expect(e.reason).toMatch(/<=\s*1/);
    const d = configError(() => loadConfig({ file: file('dur.yaml', 'files:\n  pollInterval: fast\n'), env: {} }));
    expect(d.keyPath).toBe('files.pollInterval');
    expect(d.reason).toContain('not a duration: "fast"');
    const s = configError(() => loadConfig({ file: file('size.yaml', 'files:\n  maxLineBytes: 5 parsecs\n'), env: {} }));
    expect(s.keyPath).toBe('files.maxLineBytes');
    expect(s.reason).toContain('not a size');
    const k = configError(() => loadConfig({ file: file('known.yaml', 'detect:\n  fields:\n    - field: a\n      known: []\n'), env: {} }));
    expect(k.keyPath).toBe('detect.fields.0.known');
  });

  it('rejects invalid YAML and a non-mapping top level, naming the file', () => {
    const f = file('broken.yaml', 'files:\n  include: [a, b\n');
    const e = configError(() => loadConfig({ file: f, env: {} }));
    expect(e.exitCode).toBe(2);
    expect(e.message.startsWith(`${f}: (root): not valid YAML`)).toBe(true);
    const l = file('list.yaml', '- a\n- b\n');
    expect(configError(() => loadConfig({ file: l, env: {} })).message).toBe(`${l}: (root): the top level must be a mapping of keys`);
  });

  it('names a file it cannot read', () => {
    const missing = path.join(dir, 'nope.yaml');
    const e = configError(() => loadConfig({ file: missing, env: {} }));
    expect(e.message).toBe(`${missing}: (root): cannot read: ENOENT`);
  });

  it('uses LOGRADAR_CONFIG when no file is given, and the file option over it', () => {
    const fromEnv = file('env.yaml', 'detect:\n  threshold: 0.8\n');
    const fromOpt = file('opt.yaml', 'detect:\n  threshold: 0.6\n');
    expect(loadConfig({ env: { LOGRADAR_CONFIG: fromEnv } }).detect.threshold).toBe(0.8);
    expect(loadConfig({ file: fromOpt, env: { LOGRADAR_CONFIG: fromEnv } }).detect.threshold).toBe(0.6);
    expect(loadConfig({ env: { LOGRADAR_CONFIG: '' } }).detect.threshold).toBe(0.7);
  });

  it('lets flag overrides win over the file, merging nested sections', () => {
    const f = file('base.yaml', 'logLevel: warn\nfiles:\n  pollInterval: 2s\n  from: end\n');
    const c = loadConfig({ file: f, env: {}, overrides: { logLevel: undefined, dataDir: '/tmp/d', files: { pollInterval: '250ms', from: undefined } } });
    expect(c.files.pollInterval).toBe(250);
    expect(c.files.from).toBe('end');
    expect(c.logLevel).toBe('warn');
    expect(c.dataDir).toBe('/tmp/d');
  });

  it('names the command-line flags when a flag value is bad, even with a good file', () => {
    const e = configError(() => loadConfig({ env: {}, overrides: { files: { pollInterval: 'soon' } } }));
    expect(e.message.startsWith('command-line flags: files.pollInterval: not a duration')).toBe(true);
    const good = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'logradar-cfg-')), 'good.yaml');
    fs.writeFileSync(good, 'files: { pollInterval: 2s }\n');
    const e2 = configError(() => loadConfig({ env: {}, file: good, overrides: { files: { pollInterval: 'fast' } } }));
    expect(e2.message).toMatch(/^command-line flags: files\.pollInterval/);
  });
});

describe('defaults YAML', () => {
  it('parses and validates back to the defaults', () => {
    const text = defaultsYaml();
    expect(text).toContain('# Longer lines are truncated');
    const parsed = parseYaml(text) as Record<string, unknown>;
    expect((parsed.files as Record<string, unknown>).maxLineBytes).toBe('1MiB');
    expect(validateConfig(parsed, 'defaults')).toEqual(configSchema.parse({}));
  });
});

describe('the built CLI', () => {
  const bin = path.join(ROOT, 'bin/logradar');
  const env = { ...process.env, LOGRADAR_CONFIG: '' };

  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, 'dist/cli/main.js'))) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  });

  it('exits 2 naming file and key for a bad config', () => {
    const bad = file('BAD.yaml', 'files:\n  bogus: true\n');
    const r = spawnSync(process.execPath, [bin, 'watch', path.join(dir, 'x'), '--config', bad, '--data-dir', path.join(dir, 'data')], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toContain('files.bogus');
    expect(r.stderr).toContain('unknown key');
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
  });

  it('config --print-defaults prints YAML that validates when fed back', () => {
    const r = spawnSync(process.execPath, [bin, 'config', '--print-defaults'], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    const printed = file('printed.yaml', r.stdout);
    expect(loadConfig({ file: printed, env: {} })).toEqual(configSchema.parse({}));
    const check = spawnSync(process.execPath, [bin, 'config', '--check', '--config', printed], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
    expect(check.status).toBe(0);
    expect(check.stdout).toBe('config ok\n');
  });
});

describe('error classes', () => {
  it('ConfigError is a LogradarError with (root) for an empty key path', () => {
    const e = new ConfigError('f.yaml', '', 'boom');
    expect(e).toBeInstanceOf(LogradarError);
    expect(e.message).toBe('f.yaml: (root): boom');
    expect(e.name).toBe('ConfigError');
  });
});

describe('parse.regex', () => {
  it('accepts a plain regex, runs a backtracking one in linear time, and rejects one that neither engine can bound (RELIABILITY #26)', () => {
    expect(validateConfig({ parse: { format: 'regex', regex: '^(?<a>\\w+) (?<message>.*)$' } }, 'x.yaml').parse.regex).toBe('^(?<a>\\w+) (?<message>.*)$');
    for (const slow of ['(a+)+$', '(x*)*y', '(\\d+\\s*)+$', '([a-z]+){2,}']) expect(validateConfig({ parse: { regex: slow } }, 'x.yaml').parse.regex, slow).toBe(slow);
    for (const bad of ['(a+)+b\\1', '(?=(a+)+$)a']) {
      const e = configError(() => validateConfig({ parse: { regex: bad } }, 'x.yaml'));
      expect(e.message, bad).toMatch(/^x\.yaml: parse\.regex: its matching time cannot be bounded .* rewrite it without backreferences or lookaround$/);
    }
    expect(configError(() => validateConfig({ parse: { regex: '(unclosed' } }, 'x.yaml')).message).toMatch(/parse\.regex: not a valid regex/);
  });
});
