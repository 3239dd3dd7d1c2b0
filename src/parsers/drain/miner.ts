/**
 * Online template miner in the style of Drain (He et al., 2017; IBM Drain3): messages are tokenised
 * once, tokens holding digits are masked, the first tokens pick a leaf, and the message joins the most
 * similar template of that leaf or starts a new one. Template ids come from a shared allocator, so they
 * are unique across sources, stable across restarts and never reused.
 *
 * The miner's whole state is its list of templates: `restore()` rebuilds the tree from them, which is
 * why the pipeline can persist it as rows in the same transaction as the events that changed it.
 */
import { WILDCARD } from '../../model/masks.js';
import {
  DELIMITER,
  generalize,
  isSpace,
  kvCompatible,
  maskDelimited,
  maskPiece,
  maskToken,
  paramsOf,
  paramsWithValues,
  render,
  tokenize,
  treeKey,
  whole,
} from './masking.js';
import type { UserMasks } from './masks.js';

export interface MinerOptions {
  /** Share of equal tokens needed to join a template. */
  similarity: number;
  /** Leading tokens that select a leaf. */
  depth: number;
  maxTemplates: number;
  /** `parse.masks`, applied to each message before everything else; none costs nothing. */
  masks?: UserMasks;
}

export interface Template {
  id: number;
  tokens: string[];
  count: number;
  firstSeen: number;
  lastSeen: number;
}

export interface MineResult {
  templateId: number;
  template: string;
  params: string[];
  change: 'created' | 'updated' | 'none';
}

export interface IdAllocator {
  next(): number;
}

const NO_PARAMS: string[] = [];
const MAX_SHAPES = 100_000;
const SNAPSHOT_VERSION = 1;


interface Cluster extends Template {
  text: string;
}

/** A tree level: children by token; clusters at the leaf level. Nested maps avoid building a key string per message. */
interface Node {
  children: Map<string, Node>;
  clusters: Cluster[];
}

const newNode = (): Node => ({ children: new Map(), clusters: [] });

export class TemplateMiner {
  /** Root level: by token count. */
  private readonly roots = new Map<number, Node>();
  private readonly byId = new Map<number, Cluster>();
  /**
   * The tree keys each cluster was filed under. Generalising can turn a leading token into `<*>` (whose key
   * differs), so removal must not recompute the path from the current tokens, or an evicted template would
   * stay in the tree and go on matching messages under an id that no longer exists.
   */
  private readonly filedUnder = new Map<Cluster, string[]>();
  private readonly dirty = new Set<Cluster>();
  private readonly evictedIds: number[] = [];
  evictions = 0;
  /** Masked shapes seen before → their template (bounded; cleared when full). */
  private readonly shapes = new Map<number, { h2: number; c: Cluster }>();
  private shape2 = 0;
  /** Set by bestMatch: the best template already covers every token (nothing to generalise). */
  private lastExact = false;
  /** Set by mask: the raw text under each masked token (a collapsed run of values joins its tokens). */
  private values: string[] = [];

  /**
   * Masks every token; a run of consecutive value tokens collapses into one `<*>`, so lists of
   * varying length (`delete blk_1 blk_2 …`) share a template.
   */
  private mask(raw: string[]): string[] {
    const out: string[] = [];
    let values: string[] | undefined;
    for (let i = 0; i < raw.length; i++) {
      const m = maskToken(raw[i]);
      if (m === WILDCARD && out.length > 0 && out[out.length - 1] === WILDCARD) {
        values ??= raw.slice(0, i);
        values[out.length - 1] += ' ' + raw[i];
        continue;
      }
      out.push(m);
      if (values) values.push(raw[i]);
    }
    this.values = values ?? raw;
    return out;
  }

  constructor(
    private readonly opts: MinerOptions,
    private readonly ids: IdAllocator,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  /** Learns from one message. */
  add(message: string, now = 0, withParams = true): MineResult {
    const masks = this.opts.masks;
    if (masks === undefined) return this.learn(message, now, withParams);
    if (!withParams) return this.learn(masks.apply(message), now, false);
    const values: string[] = [];
    const masked = masks.apply(message, values);
    const r = this.learn(masked, now, false);
    r.params = this.paramsMasked(r.templateId, masked, values);
    return r;
  }

  private learn(message: string, now: number, withParams: boolean): MineResult {
    // Fast path: a message whose masked shape was seen before belongs to the same template, which still
    // covers it (templates only ever generalise). The shape is hashed straight from the characters.
    const h1 = this.shape(message);
    const h2 = this.shape2;
    const hit = this.shapes.get(h1);
    if (hit !== undefined && hit.h2 === h2 && this.byId.get(hit.c.id) === hit.c) {
      const c = hit.c;
      c.count++;
      c.lastSeen = now;
      this.dirty.add(c);
      const params = withParams ? this.paramsOf(c.id, message) : NO_PARAMS;
      return { templateId: c.id, template: c.text, params, change: 'none' };
    }
    const result = this.addSlow(message, now, withParams);
    if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
    this.shapes.set(h1, { h2, c: this.byId.get(result.templateId)! });
    return result;
  }

  /**
   * Hashes the masked token sequence of a message (two independent 32-bit FNV-style hashes; the second
   * is left in `shape2`). Words are hashed from the message's characters without making substrings;
   * tokens holding a digit go through `maskToken`, so the shape is exactly what the slow path masks.
   */
  private shape(message: string): number {
    let h1 = 0x811c9dc5 | 0;
    let h2 = 0;
    let prevWild = false;
    const n = message.length;
    let i = 0;
    while (i < n) {
      let c = message.charCodeAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      // a token: hash it while scanning; at its first digit, stop hashing (it will be rewound and its
      // masked form hashed instead) and only look for its end and its delimiters
      const start = i;
      const s1 = h1;
      const s2 = h2;
      let digit = false;
      let delim = 0;
      do {
        if (c >= 48 && c <= 57) {
          digit = true;
          break;
        }
        delim |= DELIMITER[c];
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = (Math.imul(h2, 31) + c) | 0;
        c = ++i < n ? message.charCodeAt(i) : 32;
      } while (!isSpace(c));
      if (digit) {
        do {
          delim |= DELIMITER[c];
          c = ++i < n ? message.charCodeAt(i) : 32;
        } while (!isSpace(c));
        // a value without delimiters (a number, an id) is classified in place; others go through maskSpan
        const text = delim === 0 ? maskPiece(message, start, i) : maskDelimited(whole(message, start, i));
        const wild = text === WILDCARD;
        if (wild && prevWild) {
          // runs of values collapse, as in mask()
          h1 = s1;
          h2 = s2;
          continue;
        }
        prevWild = wild;
        h1 = s1;
        h2 = s2;
        for (let k = 0; k < text.length; k++) {
          const t = text.charCodeAt(k);
          h1 = Math.imul(h1 ^ t, 0x01000193);
          h2 = (Math.imul(h2, 31) + t) | 0;
        }
      } else prevWild = false;
      h1 = Math.imul(h1 ^ 32, 0x01000193);
      h2 = (Math.imul(h2, 31) + 32) | 0;
    }
    this.shape2 = h2;
    return h1;
  }

  private addSlow(message: string, now: number, withParams: boolean): MineResult {
    const raw = tokenize(message);
    const masked = this.mask(raw);
    const values = this.values;
    const leaf = this.leaf(masked, false);
    const best = leaf ? this.bestMatch(leaf.clusters, masked) : undefined;
    if (best) {
      let change: MineResult['change'] = 'none';
      const t = best.tokens;
      if (!this.lastExact) {
        for (let i = 0; i < t.length; i++) {
          if (t[i] !== WILDCARD && t[i] !== masked[i]) {
            t[i] = generalize(t[i], masked[i]);
            change = 'updated';
          }
        }
        if (change === 'updated') best.text = render(t);
      }
      best.count++;
      best.lastSeen = now;
      this.dirty.add(best);
      return { templateId: best.id, template: best.text, params: withParams ? paramsOf(best.tokens, values) : NO_PARAMS, change };
    }
    const c: Cluster = { id: this.ids.next(), tokens: masked, text: render(masked), count: 1, firstSeen: now, lastSeen: now };
    this.file(c, leaf);
    this.byId.set(c.id, c);
    this.dirty.add(c);
    if (this.byId.size > this.opts.maxTemplates) this.evictOldest(c);
    return { templateId: c.id, template: c.text, params: withParams ? paramsOf(c.tokens, values) : NO_PARAMS, change: 'created' };
  }

  /** The template a message would get, without learning anything. */
  match(message: string): MineResult | undefined {
    const userValues: string[] | undefined = this.opts.masks ? [] : undefined;
    if (userValues) message = this.opts.masks!.apply(message, userValues);
    const masked = this.mask(tokenize(message));
    const values = this.values;
    const leaf = this.leaf(masked, false);
    const best = leaf ? this.bestMatch(leaf.clusters, masked) : undefined;
    if (!best) return undefined;
    const params = userValues ? paramsWithValues(best.tokens, values, userValues) : paramsOf(best.tokens, values);
    return { templateId: best.id, template: best.text, params, change: 'none' };
  }

  /** The parameters of a message under a template (for explanations, when `add` was told to skip them). */
  paramsOf(templateId: number, message: string): string[] {
    const masks = this.opts.masks;
    if (masks !== undefined) {
      const values: string[] = [];
      const masked = masks.apply(message, values);
      return this.paramsMasked(templateId, masked, values);
    }
    const c = this.byId.get(templateId);
    if (!c) return [];
    // as many tokens as the template: masking collapsed nothing, so raw tokens align one to one
    const raw = tokenize(message);
    if (raw.length === c.tokens.length) return paramsOf(c.tokens, raw);
    this.mask(raw);
    return c.tokens.length === this.values.length ? paramsOf(c.tokens, this.values) : [];
  }

  /** Parameters of a message the user masks have already rewritten, with their values put back. */
  private paramsMasked(templateId: number, masked: string, userValues: string[]): string[] {
    const c = this.byId.get(templateId);
    if (!c) return [];
    this.mask(tokenize(masked));
    return c.tokens.length === this.values.length ? paramsWithValues(c.tokens, this.values, userValues) : [];
  }

  get(id: number): Template | undefined {
    return this.byId.get(id);
  }

  templates(): Template[] {
    return [...this.byId.values()];
  }

  /** Templates changed since the last call (for persisting), with ids evicted meanwhile. */
  takeChanges(): { changed: Template[]; evicted: number[] } {
    const changed = [...this.dirty];
    this.dirty.clear();
    return { changed, evicted: this.evictedIds.splice(0) };
  }

  /** The miner's whole state as versioned JSON (data only, never code). */
  snapshot(): string {
    const templates = [...this.byId.values()].map((c) => ({ id: c.id, tokens: c.tokens, count: c.count, firstSeen: c.firstSeen, lastSeen: c.lastSeen }));
    return JSON.stringify({ version: SNAPSHOT_VERSION, templates });
  }

  /** Restores a `snapshot()`; throws on another version or a malformed snapshot (the caller keeps its state). */
  restoreSnapshot(json: string): void {
    const data = JSON.parse(json) as { version?: unknown; templates?: unknown };
    if (data.version !== SNAPSHOT_VERSION) throw new Error(`miner snapshot version ${String(data.version)} is not ${SNAPSHOT_VERSION}`);
    if (!Array.isArray(data.templates)) throw new Error('miner snapshot has no templates');
    const list: Template[] = [];
    for (const t of data.templates as Template[]) {
      if (!Number.isSafeInteger(t?.id) || !Array.isArray(t.tokens) || !t.tokens.every((x) => typeof x === 'string')) throw new Error('malformed template in miner snapshot');
      list.push({ id: t.id, tokens: t.tokens, count: Number(t.count) || 0, firstSeen: Number(t.firstSeen) || 0, lastSeen: Number(t.lastSeen) || 0 });
    }
    this.restore(list);
  }

  /** Rebuilds the miner from persisted templates. */
  restore(templates: Iterable<Template>): void {
    for (const t of templates) {
      const tokens = t.tokens.slice();
      const c: Cluster = { ...t, tokens, text: render(tokens) };
      this.file(c);
      this.byId.set(c.id, c);
    }
  }

  /** The leaf for a token sequence: token count, then the first `depth` tokens. */
  private leaf(masked: string[], create: boolean): Node | undefined {
    let node: Node | undefined = this.roots.get(masked.length);
    if (!node) {
      if (!create) return undefined;
      node = newNode();
      this.roots.set(masked.length, node);
    }
    const d = Math.min(this.opts.depth, masked.length);
    for (let i = 0; i < d; i++) {
      const key = treeKey(masked[i]);
      let next: Node | undefined = node.children.get(key);
      if (!next) {
        if (!create) return undefined;
        node.children.set(key, (next = newNode()));
      }
      node = next;
    }
    return node;
  }

  private bestMatch(leaf: Cluster[], masked: string[]): Cluster | undefined {
    let best: Cluster | undefined;
    let bestSim = -1;
    let bestWild = -1;
    const n = masked.length;
    for (const c of leaf) {
      let same = 0;
      let wild = 0;
      const t = c.tokens;
      let compatible = true;
      for (let i = 0; i < n; i++) {
        if (t[i] === WILDCARD) wild++;
        else if (t[i] === masked[i]) same++;
        else if (!kvCompatible(t[i], masked[i])) {
          compatible = false;
          break;
        }
      }
      if (!compatible) continue;
      // wildcards count as matches: a generalised template keeps matching its own messages
      const sim = n === 0 ? 1 : (same + wild) / n;
      if (sim > bestSim || (sim === bestSim && wild > bestWild)) {
        best = c;
        bestSim = sim;
        bestWild = wild;
      }
    }
    this.lastExact = bestSim === 1;
    if (!best) return undefined;
    // Masking has already turned most variables into <*>, so the bar is high; one differing token is
    // always allowed, so short messages with a single variable word still share a template.
    const mismatches = Math.round((1 - bestSim) * n);
    return bestSim >= this.opts.similarity || mismatches <= 1 ? best : undefined;
  }

  /** Puts a new cluster in its leaf (`leaf` when already looked up), remembering the keys of the path. */
  private file(c: Cluster, leaf?: Node): void {
    (leaf ?? this.leaf(c.tokens, true)!).clusters.push(c);
    this.filedUnder.set(c, c.tokens.slice(0, Math.min(this.opts.depth, c.tokens.length)).map(treeKey));
  }

  /** Unlinks a cluster and prunes the tree nodes it leaves empty, so memory stays bounded by maxTemplates. */
  private removeFromTree(c: Cluster): void {
    const keys = this.filedUnder.get(c)!;
    this.filedUnder.delete(c);
    const path: Node[] = [];
    let node = this.roots.get(c.tokens.length);
    for (let i = 0; node && i < keys.length; i++) {
      path.push(node);
      node = node.children.get(keys[i]);
    }
    if (!node) return;
    const i = node.clusters.indexOf(c);
    if (i >= 0) node.clusters.splice(i, 1);
    for (let k = path.length - 1; k >= 0 && node.clusters.length === 0 && node.children.size === 0; k--) {
      path[k].children.delete(keys[k]);
      node = path[k];
    }
    if (path.length > 0 && path[0].children.size === 0 && path[0].clusters.length === 0) this.roots.delete(c.tokens.length);
  }

  private evictOldest(keep: Cluster): void {
    let oldest: Cluster | undefined;
    for (const c of this.byId.values()) if (c !== keep && (!oldest || c.lastSeen < oldest.lastSeen)) oldest = c;
    if (!oldest) return;
    this.byId.delete(oldest.id);
    this.removeFromTree(oldest);
    this.dirty.delete(oldest);
    this.evictedIds.push(oldest.id);
    this.evictions++;
  }
}
