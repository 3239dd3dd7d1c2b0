/**
 * User masks (`parse.masks`): regexes applied to a message before the miner's own masking, each match
 * replaced by a fixed text (`<*>` by default, which the miner treats as a variable). The built-in
 * masking (numbers, addresses, ids, hex, paths and URLs holding digits) needs no regex; these are for
 * what it leaves as words. A user's regex runs on a linear-time engine (util/user-regex.ts); a replacement
 * is literal text (`$1` is not expanded).
 */
import { isShippedMask, WILDCARD, type MaskRule } from '../../model/masks.js';
import { countWild } from './masking.js';
import { compileUserRegex } from '../../util/user-regex.js';

interface Compiled {
  re: RegExp;
  replacement: string;
  /** How many `<*>` the replacement holds (each takes the matched text as its value). */
  wild: number;
  requires?: string;
}

export class UserMasks {
  private readonly rules: Compiled[];

  constructor(rules: readonly MaskRule[]) {
    this.rules = rules.map((r) => ({
      re: isShippedMask(r.regex) ? new RegExp(r.regex, 'g') : compileUserRegex(r.regex, 'g', `parse.masks "${r.name}"`),
      replacement: r.replacement,
      wild: countWild(r.replacement),
      requires: r.requires,
    }));
  }

  /**
   * The message with every mask applied in order. With `values`, the original text under each `<*>` of
   * the result is appended, in order (a `<*>` already in the message stands for itself), so parameters
   * can show what a mask replaced.
   */
  apply(text: string, values?: string[]): string {
    if (!values) {
      for (const r of this.rules) if (!r.requires || text.includes(r.requires)) text = text.replace(r.re, (m) => (m === '' ? '' : r.replacement));
      return text;
    }
    let vals: string[] = new Array<string>(countWild(text)).fill(WILDCARD);
    for (const r of this.rules) {
      if (r.requires && !text.includes(r.requires)) continue;
      const re = r.re;
      re.lastIndex = 0;
      let m = re.exec(text);
      if (!m) continue;
      let out = '';
      let last = 0;
      let vi = 0;
      const next: string[] = [];
      for (; m; m = re.exec(text)) {
        const start = m.index;
        const end = start + m[0].length;
        if (end === start) {
          re.lastIndex++; // an empty match replaces nothing
          continue;
        }
        const before = text.slice(last, start);
        for (let k = countWild(before); k > 0; k--) next.push(vals[vi++]);
        // the value is the original text: earlier masks' placeholders inside the match are put back
        let value = text.slice(start, end);
        if (value.indexOf(WILDCARD) >= 0) value = value.replace(/<\*>/g, () => vals[vi++]);
        for (let k = 0; k < r.wild; k++) next.push(k === 0 ? value : '');
        out += before + r.replacement;
        last = end;
      }
      const tail = text.slice(last);
      for (let k = countWild(tail); k > 0; k--) next.push(vals[vi++]);
      text = out + tail;
      vals = next;
    }
    for (const v of vals) values.push(v);
    return text;
  }
}
