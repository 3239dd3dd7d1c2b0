/**
 * Finds the files to read under the watched arguments: directories (recursive), single files, or globs.
 * Synchronous on purpose: a poll of thousands of files is a tight loop of stat calls, cheaper without
 * a promise per file, and the caller yields between polls.
 */
import { readdirSync, statSync, type BigIntStats } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';

export interface WatchRoot {
  /** The argument as given. */
  arg: string;
  /** Directory walked (absolute). */
  base: string;
  /** A single file, when the argument named one. */
  file?: string;
  /** Glob from the argument itself, relative to `base`. */
  pattern?: picomatch.Matcher;
  label: string;
}

export interface Discovered {
  path: string;
  root: WatchRoot;
  stat: BigIntStats;
}

const GLOB_CHARS = /[*?[\]{}]/;

export function makeRoot(arg: string): WatchRoot {
  const abs = resolve(arg);
  if (GLOB_CHARS.test(arg)) {
    const parts = abs.split(sep);
    const i = parts.findIndex((p) => GLOB_CHARS.test(p));
    const base = parts.slice(0, i).join(sep) || sep;
    const rel = parts.slice(i).join('/');
    return { arg, base, pattern: picomatch(rel, { dot: true }), label: basename(base) || 'root' };
  }
  let isFile = false;
  try {
    isFile = statSync(abs).isFile();
  } catch {
    // not there yet: treat a name with an extension-like dot as a file to wait for, else as a directory
    isFile = /\.[^/]+$/.test(basename(abs));
  }
  if (isFile) return { arg, base: dirname(abs), file: abs, label: basename(dirname(abs)) || 'root' };
  return { arg, base: abs, label: basename(abs) || 'root' };
}

/** The path `arg` needs that does not exist: itself, or for a glob the directory it starts from. */
export function missingPath(arg: string): string | undefined {
  const root = makeRoot(arg);
  const need = root.pattern ? root.base : (root.file ?? root.base);
  try {
    statSync(need);
    return undefined;
  } catch {
    return need;
  }
}

export interface DiscoverOptions {
  include: picomatch.Matcher;
  exclude: picomatch.Matcher;
  /** Remembers the glob decision per path: a poll of 10,000 files should not run 20,000 matchers. */
  decisions?: Map<string, boolean>;
  /** Absolute directories never walked into (logradar's own data dir). */
  skipDirs?: string[];
  /** Called for directories that cannot be read (permissions, vanished mid-walk). */
  onError?: (path: string, err: NodeJS.ErrnoException) => void;
}

export function compileGlobs(include: string[], exclude: string[]): { include: picomatch.Matcher; exclude: picomatch.Matcher } {
  return { include: picomatch(include, { dot: true }), exclude: picomatch(exclude, { dot: true }) };
}

/** Lists the regular files currently matching the roots, with their stats (bigint: exact inodes). */
export function discover(roots: WatchRoot[], opts: DiscoverOptions, out: Discovered[] = []): Discovered[] {
  for (const root of roots) {
    if (root.file) {
      const st = statQuiet(root.file);
      if (st?.isFile()) out.push({ path: root.file, root, stat: st });
      continue;
    }
    walk(root.base, root, opts, out);
  }
  return out;
}

function walk(dir: string, root: WatchRoot, opts: DiscoverOptions, out: Discovered[]): void {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') opts.onError?.(dir, e as NodeJS.ErrnoException);
    return;
  }
  for (const ent of entries) {
    const path = join(dir, ent.name);
    if (ent.isDirectory()) {
      if (!opts.skipDirs?.includes(resolve(path))) walk(path, root, opts, out);
      continue;
    }
    if (!ent.isFile() && !ent.isSymbolicLink()) continue;
    let wanted = opts.decisions?.get(path);
    if (wanted === undefined) {
      const rel = relative(root.base, path).split(sep).join('/');
      wanted = (!root.pattern || root.pattern(rel)) && opts.include(rel) && !opts.exclude(rel);
      if (opts.decisions) {
        if (opts.decisions.size > 200_000) opts.decisions.clear();
        opts.decisions.set(path, wanted);
      }
    }
    if (!wanted) continue;
    const st = statQuiet(path);
    if (st?.isFile()) out.push({ path, root, stat: st });
  }
}

function statQuiet(path: string): BigIntStats | undefined {
  try {
    return statSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}

/**
 * The source a file belongs to. `family` masks digit runs and drops rotation suffixes so that
 * `app.log`, `app.log.1` and `app.log-20261121` share one source (and one model).
 */
export function sourceNameFor(path: string, root: WatchRoot, mode: 'family' | 'path' | 'root'): string {
  if (mode === 'path') return path;
  if (mode === 'root') return root.arg;
  const rel = root.file ? basename(path) : relative(root.base, path).split(sep).join('/');
  let fam = rel.replace(/\d+/g, '*');
  // rotation suffixes: .1, .*, -*, _*, .*-*-* (dates), repeated
  for (let prev = ''; prev !== fam; ) {
    prev = fam;
    fam = fam.replace(/([._-]\*)+$/, '');
  }
  return `${root.label}/${fam || rel}`;
}
