/**
 * The miner's tokenising and masking, apart from its tree: messages split into tokens, tokens holding
 * digits masked (numbers, addresses, ids, hex, paths and URLs with digits) without regexes, templates
 * generalised token by token, and the values under a template's wildcards recovered as parameters.
 */
import { WILDCARD } from '../../model/masks.js';

/** Splits on runs of whitespace; template text joins tokens with single spaces (the Loghub convention). */
export function tokenize(message: string): string[] {
  // A global match is several times faster in V8 than a charCode loop with slices.
  return message.match(TOKEN) ?? [];
}

const TOKEN = /[^ \t\n\r\v\f]+/g; // the same whitespace as isSpace()

/** Space, tab, LF, VT, FF, CR: one comparison for the usual printable character. */
export function isSpace(c: number): boolean {
  return c <= 32 && (c === 32 || (c >= 9 && c <= 13));
}

/**
 * Tree levels key on words; a token holding a digit or a variable (a host name, `<*>:<*>`) goes under
 * `<*>`; a `key=value` token under its key.
 */
export function treeKey(tok: string): string {
  if (tok === WILDCARD) return tok;
  // key=value: the key is the constant part (`to=<a@b>` and `to=<c@d>` share a branch)
  const eq = kvSplit(tok);
  if (eq > 0) return tok.slice(0, eq + 1);
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c === 60 && tok.startsWith(WILDCARD, i))) return WILDCARD;
  }
  return tok;
}

/**
 * `key=value` tokens whose values are different plain words (`status=sent`, `status=bounced`) belong to
 * different templates: such values are states, not variables. A value that is already a whole variable
 * (`uid=<*>`) takes anything; two structured values (addresses, paths, `to=<a@b.c>,`) may merge; a word
 * and a structured value (`tty=NODEVssh`, `tty=:0`) may not. Other tokens are always compatible.
 */
export function kvCompatible(t: string, m: string): boolean {
  const et = kvSplit(t);
  if (et < 0) return true;
  const em = kvSplit(m);
  if (em < 0) return true;
  if (et !== em || t.slice(0, et) !== m.slice(0, em)) return false;
  if ((t.length - et === 4 && t.endsWith(WILDCARD)) || (m.length - em === 4 && m.endsWith(WILDCARD))) return true;
  return !isStateWord(t, et + 1) && !isStateWord(m, em + 1);
}

/** A plain word from `start` (letters, digits, `_`; a trailing `,` or `;` allowed): a state, not a variable. */
function isStateWord(tok: string, start: number): boolean {
  let end = tok.length;
  const last = tok.charCodeAt(end - 1);
  if (last === 44 || last === 59) end--;
  if (end <= start) return true; // an empty value is a state too (`rhost=`)
  for (let i = start; i < end; i++) {
    const c = tok.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}

/** Index of the `=` of a `key=value` token (key: a letter or _ then word characters, dots, dashes), else -1. */
function kvSplit(tok: string): number {
  const eq = tok.indexOf('=');
  if (eq <= 0) return -1;
  const c0 = tok.charCodeAt(0);
  if (!((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122) || c0 === 95)) return -1;
  for (let i = 1; i < eq; i++) {
    const c = tok.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45)) return -1;
  }
  return eq;
}

/**
 * Template text: tokens joined by single spaces, with a run of whole-token variables shown as one
 * `<*>` (the Loghub-2.0 convention: `at <*> <*> <*>:<*>` reads `at <*>:<*>`).
 */
export function render(tokens: readonly string[]): string {
  const text = tokens.join(' ');
  if (text.indexOf('<*> <*>') < 0) return text;
  let prev = '';
  let cur = text;
  while (cur !== prev) {
    prev = cur;
    cur = cur.replace(/<\*> <\*>/g, WILDCARD);
  }
  return cur;
}

/**
 * Splits a token into alternating pieces — text, delimiter, text, … — with empty texts kept, so `()`
 * and `(<*>)` line up; `<*>` counts as text, not as the delimiters `<` and `>`.
 */
function pieces(tok: string): string[] {
  const out: string[] = [];
  let text = '';
  for (let i = 0; i < tok.length; ) {
    if (tok.startsWith(WILDCARD, i)) {
      text += WILDCARD;
      i += WILDCARD.length;
    } else if (DELIMITER[tok.charCodeAt(i)]) {
      out.push(text, tok[i]);
      text = '';
      i++;
    } else text += tok[i++];
  }
  out.push(text);
  return out;
}

/**
 * Generalises a template token to cover a differing message token: when both have the same delimiters
 * (`(host)` and `(<*>)`, `rhost=a` and `rhost=<*>`) only the differing pieces become `<*>`.
 */
export function generalize(t: string, m: string): string {
  const a = pieces(t);
  if (a.length < 2) return WILDCARD;
  const b = pieces(m);
  if (a.length !== b.length) return WILDCARD;
  let out = '';
  for (let i = 0; i < a.length; i++) {
    // odd pieces are delimiters: they must agree; text pieces that differ become <*>
    if (i % 2 === 1) {
      if (a[i] !== b[i]) return WILDCARD;
      out += a[i];
    } else out += a[i] === b[i] ? a[i] : WILDCARD;
  }
  return out;
}

/**
 * Masks the variable parts of one token. A token is cut at delimiters (`: = ( ) [ ] { } , ; " ' < > |`)
 * and each piece that looks like a value becomes `<*>`, so `10.0.0.1:8080` → `<*>:<*>`,
 * `uid=0` → `uid=<*>`, `[1234]` → `[<*>]`, while words that merely hold a digit (`ssh2`, `x86`) stay.
 */
export function maskToken(tok: string, values?: string[]): string {
  return maskSpan(tok, 0, tok.length, values);
}

/** `maskToken` of text[start, end), without cutting the token out first in the common cases. */
function maskSpan(text: string, start: number, end: number, values?: string[]): string {
  let hasDigit = false;
  let hasDelim = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) hasDigit = true;
    else if (DELIMITER[c]) hasDelim = true;
  }
  if (!hasDigit) return whole(text, start, end);
  if (!hasDelim) return maskPiece(text, start, end, values);
  return maskDelimited(whole(text, start, end), values);
}

/** A token holding a digit and a delimiter: a URL, or its pieces masked one by one. */
export function maskDelimited(tok: string, values?: string[]): string {
  const scheme = tok.indexOf('://');
  if (scheme > 0) return maskUrl(tok, scheme, values);
  return maskPieces(tok, values);
}

/**
 * A URL holding digits, up to a closing bracket or quote: with a path (`hdfs://host:9000/a/b`) its body
 * is one value (`hdfs://<*>`); a bare authority is masked like an address (`hdfs://<*>:<*>`).
 */
function maskUrl(tok: string, scheme: number, values?: string[]): string {
  let end = scheme + 3;
  while (end < tok.length && !URL_END[tok.charCodeAt(end)]) end++;
  const head = tok.slice(0, scheme);
  const maskedHead = /\d/.test(head) ? maskPieces(head, values) : head;
  const body = tok.slice(scheme + 3, end);
  let maskedBody: string;
  if (body.indexOf('/') >= 0) {
    values?.push(body);
    maskedBody = WILDCARD;
  } else maskedBody = maskPieces(body, values);
  return maskedHead + '://' + maskedBody + (end < tok.length ? maskToken(tok.slice(end), values) : '');
}

const URL_END = new Uint8Array(128);
for (const ch of ']})\'",<>|') URL_END[ch.charCodeAt(0)] = 1;

function maskPieces(tok: string, values?: string[]): string {
  if (tok.length === 17 && (tok.charCodeAt(2) === 58 || tok.charCodeAt(2) === 45) && MAC.test(tok)) {
    values?.push(tok);
    return WILDCARD;
  }
  let out = '';
  let segStart = 0;
  for (let i = 0; i <= tok.length; i++) {
    const c = i < tok.length ? tok.charCodeAt(i) : -1;
    if (c !== -1 && !DELIMITER[c]) continue;
    if (i > segStart) out += maskPiece(tok, segStart, i, values);
    if (c !== -1) out += tok[i];
    segStart = i + 1;
  }
  return out;
}

/** A MAC address (`00:1A:2B:3C:4D:5E`) is one value, not six. */
const MAC = /^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/;

/**
 * Masks one piece between delimiters, in one pass over its characters. A piece is a value when it holds
 * a digit and starts like a number/path/id (`148`, `-3`, `/a/1`, `#2`), or has a digit run attached by
 * `_ - / . #` (`blk_-12`, `part-0101`, `v1.2`), or is half digits, or is a long hex string — so words
 * that merely hold a digit (`ssh2`, `x86`) stay.
 */
export function maskPiece(tok: string, start: number, end: number, values?: string[]): string {
  let digits = 0;
  let alnum = 0;
  let hex = 0;
  let joined = false;
  let lastDot = -1;
  let numeric = true; // digits and dots only
  let prev = -1;
  for (let i = start; i < end; i++) {
    const c = tok.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (prev === 95 || prev === 45 || prev === 47 || prev === 46 || prev === 35) joined = true;
      // At the first digit of a piece that is surely a value, with no dot so far and none to come, the
      // rest cannot change the outcome (the dot rules below are off): skip a long tail such as
      // `blk_-1608999687919862906` or `/user/root/rand/_temporary/_task_200811092030_0001_m_000590_0/part-00590`.
      if (digits === 0 && end - i > 8 && surelyWholeValue(tok, start, i, end, joined, lastDot)) {
        values?.push(whole(tok, start, end));
        return WILDCARD;
      }
      digits++;
      alnum++;
      hex++;
    } else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
      alnum++;
      if ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)) hex++;
      numeric = false;
    } else if (c === 46) {
      // a run of dots is filler between a label and its value: `instruction......0x0` → `instruction......<*>`
      if (prev === 46) return splitDotRun(tok, start, end, i - 1, values);
      lastDot = i;
    } else {
      numeric = false;
      if (c === 47 && digits > 0) joined = true; // a path holding digits
    }
    prev = c;
  }
  if (digits === 0) return whole(tok, start, end);
  const value = startsLikeValue(tok.charCodeAt(start)) || joined || digits * 2 >= alnum || (alnum >= 8 && hex === alnum);
  if (!value) return whole(tok, start, end);
  // a word, a dot, a number: the word names the value (`core.1234` → `core.<*>`)
  if (!numeric && lastDot > start && lastDot < end - 1 && isNumeric(tok, lastDot + 1, end) && isAlpha(tok, start, lastDot)) {
    values?.push(tok.slice(lastDot + 1, end));
    return tok.slice(start, lastDot + 1) + WILDCARD;
  }
  // a full stop after a number ends the sentence: `port 8020.` → `port <*>.`
  if (numeric && lastDot === end - 1 && end - start > 1) {
    values?.push(tok.slice(start, end - 1));
    return WILDCARD + '.';
  }
  values?.push(whole(tok, start, end));
  return WILDCARD;
}

/** A digit, `-`, `+`, `/`, `.` or `#`: a piece holding a digit that starts so is a value. */
function startsLikeValue(first: number): boolean {
  return (first >= 48 && first <= 57) || first === 45 || first === 43 || first === 47 || first === 46 || first === 35;
}

/**
 * At the first digit (`i`) of the piece tok[start, end), with no dot run before it: is the piece surely a
 * value masked as a whole, whatever follows? The rules below that could still change the outcome all need
 * dots: a dot run (split), `word.<number>` (a letter-led piece) and a closing full stop after a number.
 * The dots are searched natively (long values such as `blk_-1608999687919862906`, HDFS paths and IPv4
 * addresses are then not scanned to their end).
 */
function surelyWholeValue(tok: string, start: number, i: number, end: number, joined: boolean, lastDot: number): boolean {
  const first = tok.charCodeAt(start);
  // a value, and no dot before or after the first digit
  if (lastDot < 0 && (joined || startsLikeValue(first))) {
    const dot = tok.indexOf('.', i);
    if (dot < 0 || dot >= end) return true;
  }
  // led by a digit, `/`, `#` or `+` (never a word naming its value), not ending with a dot, no dot run
  if ((first >= 48 && first <= 57) || first === 47 || first === 35 || first === 43) {
    if (tok.charCodeAt(end - 1) === 46) return false;
    const run = tok.indexOf('..', i);
    return run < 0 || run >= end - 1;
  }
  return false;
}

export function whole(tok: string, start: number, end: number): string {
  return start === 0 && end === tok.length ? tok : tok.slice(start, end);
}

function splitDotRun(tok: string, start: number, end: number, run: number, values?: string[]): string {
  let after = run;
  while (after < end && tok.charCodeAt(after) === 46) after++;
  return (run > start ? maskPiece(tok, start, run, values) : '') + tok.slice(run, after) + (after < end ? maskPiece(tok, after, end, values) : '');
}

/** Only letters (and `_`, `-`, `.` between them). */
function isAlpha(tok: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = tok.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46)) return false;
  }
  return end > start;
}

// Character tables over every UTF-16 code unit, so a lookup is never out of bounds (a holey JS array
// would be looked up through its prototype chain on every miss).
export const DELIMITER = new Uint8Array(65536);
for (const ch of ':=()[]{},;"\'<>|#') DELIMITER[ch.charCodeAt(0)] = 1;

/** Only digits and dots (a number, an IPv4 address, a version). */
function isNumeric(tok: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = tok.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || c === 46)) return false;
  }
  return true;
}

/** The values under the template's wildcards: whole tokens, or the masked pieces of a token (`<*>:<*>`). */
export function paramsOf(template: string[], raw: string[]): string[] {
  const params: string[] = [];
  for (let i = 0; i < template.length; i++) tokenParams(template[i], raw[i], params);
  return params;
}

function tokenParams(t: string, tok: string, out: string[]): void {
  if (t === WILDCARD) out.push(tok);
  else if (t.length > 3 && t.includes(WILDCARD)) {
    // the token as masking saw it gives its values; a token generalised by clustering is aligned piecewise
    const vals: string[] = [];
    if (maskToken(tok, vals) === t) out.push(...vals);
    else piecesUnder(t, tok, out);
  }
}

/**
 * `paramsOf` for a message rewritten by user masks: `userValues` holds the original text of each `<*>`
 * in the message, in order. Values are matched token by token, so a `<*>` that ends up inside a
 * template's constant part cannot shift the values of later tokens.
 */
export function paramsWithValues(template: string[], raw: string[], userValues: string[]): string[] {
  const params: string[] = [];
  let u = 0;
  for (let i = 0; i < template.length; i++) {
    const tok = raw[i];
    const k = countWild(tok);
    if (k === 0) {
      tokenParams(template[i], tok, params);
      continue;
    }
    const mine = userValues.slice(u, u + k);
    u += k;
    const t = template[i];
    const found: string[] = [];
    if (t === WILDCARD) found.push(tok);
    else if (t.includes(WILDCARD)) alignWild(t, tok, found);
    let j = 0;
    for (const p of found) params.push(p.indexOf(WILDCARD) < 0 ? p : p.replace(/<\*>/g, () => mine[j++] ?? WILDCARD));
  }
  return params;
}

/**
 * The text under each `<*>` of template token `t` in `tok`: `t`'s constant segments are found in
 * order (the last one at the end). Pushes `tok` whole when they are not there.
 */
function alignWild(t: string, tok: string, out: string[]): void {
  const segs = t.split(WILDCARD);
  if (!tok.startsWith(segs[0])) {
    out.push(tok);
    return;
  }
  const found: string[] = [];
  let pos = segs[0].length;
  for (let s = 1; s < segs.length; s++) {
    const seg = segs[s];
    const last = s === segs.length - 1;
    const end = last ? (tok.endsWith(seg) && tok.length - seg.length >= pos ? tok.length - seg.length : -1) : seg === '' ? pos : tok.indexOf(seg, pos);
    if (end < 0) {
      out.push(tok);
      return;
    }
    found.push(tok.slice(pos, end));
    pos = end + seg.length;
  }
  out.push(...found);
}

/** Occurrences of `<*>` in `s`. */
export function countWild(s: string): number {
  let n = 0;
  for (let i = s.indexOf(WILDCARD); i >= 0; i = s.indexOf(WILDCARD, i + WILDCARD.length)) n++;
  return n;
}

/** Aligns a partly masked template token with the raw token by their delimiters. */
function piecesUnder(t: string, tok: string, out: string[]): void {
  let ti = 0;
  let segStart = 0;
  for (let i = 0; i <= tok.length; i++) {
    const c = i < tok.length ? tok.charCodeAt(i) : -1;
    if (c !== -1 && !DELIMITER[c]) continue;
    if (i > segStart) {
      if (t.startsWith(WILDCARD, ti)) {
        out.push(tok.slice(segStart, i));
        ti += WILDCARD.length;
      } else ti += i - segStart;
    }
    if (c !== -1) ti += 1;
    segStart = i + 1;
  }
}
