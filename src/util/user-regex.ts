/**
 * Regexes a user types (session keys, masks, `parse.regex`, multiline starts) run on every line on the
 * ingest thread, which also serves HTTP: one catastrophic backtrack (`(a|a)*$` on 35 bytes) would stall
 * everything, and JavaScript has no time budget for a match. So each pattern runs on an engine whose
 * time is linear in the line:
 * - V8's own engine when an automaton analysis proves the pattern linear under search semantics (the
 *   common keys and masks: `blk_-?\d+`, `user=\w+`); V8 is several times faster per call than RE2, which
 *   matters on the hot path (a session key on RE2 took 1.3x the CPU time of `watch --once` over 1M lines);
 * - otherwise RE2, linear by construction;
 * - a pattern neither proved linear nor accepted by RE2 (backreferences, most lookaround) is refused.
 */
import { createRequire } from 'node:module';
import type RE2Type from 're2';
import type { checkSync as CheckSync } from 'recheck';

// Loaded on first use: both are large (a native engine and an analyser), and most commands hold no user regex.
const require = createRequire(import.meta.url);
let re2: typeof RE2Type | undefined;
let check: typeof CheckSync | undefined;
function newRe2(source: string, flags: string): RE2Type {
  re2 ??= require('re2') as typeof RE2Type;
  return new re2(source, flags);
}
const checkSync: typeof CheckSync = (...args) => (check ??= (require('recheck') as { checkSync: typeof CheckSync }).checkSync)(...args);

type Decision = { engine: 'v8' | 're2' } | { problem: string };

const decisions = new Map<string, Decision>();

/** Past this the analysis gives up and the pattern goes to RE2 (slower per line, never refused for it). */
const ANALYSIS_TIMEOUT_MS = 2000;

// a bounded body: no group, class, quantifier, alternation, anchor or backreference
const BODY = String.raw`((?:[^\\()[\]{}*+?|^$]|\\[^1-9k])+)`;
const LEADING_LOOKBEHIND = new RegExp(String.raw`^\(\?<=${BODY}\)`);
const TRAILING_LOOKAHEAD = new RegExp(String.raw`(^|[^\\])((?:\\\\)*)\(\?=${BODY}\)$`);

/**
 * The pattern the analysis sees. It cannot read lookaround, but a positive lookbehind of a bounded text
 * at the start (`(?<=user=)\w+`, the documented way to mask only a value) or such a lookahead at the end
 * tries exactly the paths of the pattern with that text matched in its place, so the two take the same
 * time up to a constant.
 */
function analysed(source: string): string {
  return source.replace(LEADING_LOOKBEHIND, '$1').replace(TRAILING_LOOKAHEAD, '$1$2$3');
}

function decide(source: string, flags: string): Decision {
  const cacheKey = `${flags}/${source}`;
  let d = decisions.get(cacheKey);
  if (d) return d;
  try {
    new RegExp(source, flags);
  } catch (e) {
    d = { problem: `not a valid regex: ${(e as Error).message}` };
  }
  if (!d) {
    const r = checkSync(analysed(source), flags, { checker: 'automaton', timeout: ANALYSIS_TIMEOUT_MS });
    if (r.status === 'safe') d = { engine: 'v8' };
    else {
      try {
        newRe2(source, flags);
        d = { engine: 're2' };
      } catch (e) {
        const why =
          r.status === 'vulnerable'
            ? `can take ${r.complexity.type} time on one line by backtracking`
            : `its matching time cannot be bounded (${r.error.kind === 'unsupported' ? r.error.message : r.error.kind})`;
        d = { problem: `${why}, and the linear-time engine cannot run it (${(e as Error).message}); rewrite it without backreferences or lookaround` };
      }
    }
  }
  decisions.set(cacheKey, d);
  return d;
}

/** Why `source` cannot be a user regex, or undefined when it can (config validation). */
export function userRegexProblem(source: string, flags = ''): string | undefined {
  const d = decide(source, flags);
  return 'problem' in d ? d.problem : undefined;
}

/** Which engine runs `source` (tests and diagnostics). */
export function userRegexEngine(source: string, flags = ''): 'v8' | 're2' | undefined {
  const d = decide(source, flags);
  return 'engine' in d ? d.engine : undefined;
}

/**
 * A user regex compiled on an engine that matches in linear time (exec, test, replace, lastIndex and
 * named groups behave as RegExp's). Throws, naming `where`, for a pattern `userRegexProblem` refuses.
 */
export function compileUserRegex(source: string, flags: string, where: string): RegExp {
  const d = decide(source, flags);
  if ('problem' in d) throw new Error(`${where}: ${d.problem}`);
  return d.engine === 'v8' ? new RegExp(source, flags) : newRe2(source, flags);
}
