import { describe, expect, it } from 'vitest';
import { compileUserRegex, userRegexEngine, userRegexProblem } from './user-regex.js';

/** The patterns of issue 14 (defect 3): each backtracks exponentially in V8 on a line of a's and a miss. */
const PATHOLOGICAL = ['((a+))+$', '(a|a)*$', '(a{1,})+$', '(a?a?)+$', '(\\w|a)+$'];
const evilLine = (n: number) => 'a'.repeat(n - 1) + '!';

describe('user regexes (RELIABILITY #26)', () => {
  it.each(PATHOLOGICAL)('%s runs in linear time on RE2: 35 bytes and 100 kB take well under a second', (src) => {
    expect(userRegexProblem(src)).toBeUndefined();
    expect(userRegexEngine(src)).toBe('re2');
    for (const flags of ['', 'g']) {
      const re = compileUserRegex(src, flags, 'session.key');
      for (const n of [35, 100_000]) {
        const t = performance.now();
        re.lastIndex = 0;
        re.exec(evilLine(n));
        evilLine(n).replace(re, '<*>');
        expect(performance.now() - t, `${n} bytes`).toBeLessThan(250);
      }
      re.lastIndex = 0;
      expect(re.exec('x aaa')?.index).toBe(new RegExp(src, flags).exec('x aaa')?.index);
    }
  });

  it('runs a pattern proved linear on V8, with RegExp behaviour (groups, g, lastIndex)', () => {
    expect(userRegexEngine('blk_-?\\d+')).toBe('v8');
    const key = compileUserRegex('blk_-?\\d+', '', 'session.key');
    expect(key.exec('Receiving block blk_-1954146007954377723 src')?.[0]).toBe('blk_-1954146007954377723');
    const named = compileUserRegex('^(?<level>\\w+) (?<message>.*)$', '', 'parse.regex');
    expect(named.exec('INFO all good')?.groups).toEqual({ level: 'INFO', message: 'all good' });
  });

  it('gives an RE2 pattern the same RegExp behaviour', () => {
    const re = compileUserRegex('(?<w>(a|a)+)b', 'g', 'parse.masks "x"');
    expect(re).not.toBeInstanceOf(RegExp);
    expect('aab ab b'.replace(re, '<*>')).toBe('<*> <*> b');
    re.lastIndex = 0;
    const m = re.exec('x aab');
    expect([m?.index, m?.groups?.w, re.lastIndex]).toEqual([2, 'aa', 5]);
  });

  it('runs a bounded lookbehind at the start or lookahead at the end on V8 when the pattern without it is linear', () => {
    expect(userRegexEngine('(?<=user=)[a-z]+', 'g')).toBe('v8');
    expect(userRegexEngine('id=\\d+(?=;)')).toBe('v8');
    expect(userRegexProblem('\\w+(?=\\.log)')).toMatch(/^can take polynomial time/); // each start scans the word
    expect(userRegexProblem('(?<=x)(a|a)*$')).toMatch(/^can take exponential time on one line by backtracking, and the linear-time engine cannot run it/);
    expect(userRegexProblem('(?<=a+)b')).toMatch(/cannot be bounded \(look-behind assertion\)/);
  });

  it('refuses, naming the key, what no linear-time engine runs: backreferences, lookaround; and invalid regexes', () => {
    expect(() => compileUserRegex('(a+)+b\\1', '', 'session.key')).toThrow(/^session\.key: its matching time cannot be bounded \(back-reference\), and the linear-time engine cannot run it/);
    expect(userRegexProblem('(?=(a+)+$)a')).toMatch(/cannot be bounded \(look-ahead assertion\).*rewrite it without backreferences or lookaround$/);
    expect(userRegexProblem('(unclosed')).toMatch(/^not a valid regex: /);
  });
});
