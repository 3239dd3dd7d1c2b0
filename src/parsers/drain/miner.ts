/**
 * Online template miner in the style of Drain (He et al., 2017; IBM Drain3): messages are tokenised
 * once, tokens holding digits are masked, the first tokens pick a leaf, and the message joins the most
 * similar template of that leaf or starts a new one. Template ids come from a shared allocator, so they
 * are unique across sources, stable across restarts and never reused.
 *
 * The miner's whole state is its list of templates: `restore()` rebuilds the tree from them, which is
 * why the pipeline can persist it as rows in the same transaction as the events that changed it.
 */
export interface MinerOptions {
  /** Share of equal tokens needed to join a template. */
  similarity: number;
  /** Leading tokens that select a leaf. */
  depth: number;
  maxTemplates: number;
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

export const WILDCARD = '<*>';

interface Cluster extends Template {
  text: string;
}

export class TemplateMiner {
  private readonly leaves = new Map<string, Cluster[]>();
  private readonly byId = new Map<number, Cluster>();
  private readonly dirty = new Set<Cluster>();
  private readonly evictedIds: number[] = [];
  evictions = 0;

  constructor(
    private readonly opts: MinerOptions,
    private readonly ids: IdAllocator,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  /** Learns from one message. */
  add(message: string, now = 0): MineResult {
    const raw = tokenize(message);
    const masked = raw.map(maskToken);
    const key = this.leafKey(masked);
    let leaf = this.leaves.get(key);
    const best = leaf ? this.bestMatch(leaf, masked) : undefined;
    if (best) {
      let change: MineResult['change'] = 'none';
      const t = best.tokens;
      for (let i = 0; i < t.length; i++) {
        if (t[i] !== WILDCARD && t[i] !== masked[i]) {
          t[i] = WILDCARD;
          change = 'updated';
        }
      }
      if (change === 'updated') best.text = t.join(' ');
      best.count++;
      best.lastSeen = now;
      this.dirty.add(best);
      return { templateId: best.id, template: best.text, params: paramsOf(best.tokens, raw), change };
    }
    const c: Cluster = { id: this.ids.next(), tokens: masked, text: masked.join(' '), count: 1, firstSeen: now, lastSeen: now };
    if (!leaf) this.leaves.set(key, (leaf = []));
    leaf.push(c);
    this.byId.set(c.id, c);
    this.dirty.add(c);
    if (this.byId.size > this.opts.maxTemplates) this.evictOldest(c);
    return { templateId: c.id, template: c.text, params: paramsOf(c.tokens, raw), change: 'created' };
  }

  /** The template a message would get, without learning anything. */
  match(message: string): MineResult | undefined {
    const raw = tokenize(message);
    const masked = raw.map(maskToken);
    const leaf = this.leaves.get(this.leafKey(masked));
    const best = leaf ? this.bestMatch(leaf, masked) : undefined;
    if (!best) return undefined;
    return { templateId: best.id, template: best.text, params: paramsOf(best.tokens, raw), change: 'none' };
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

  /** Rebuilds the miner from persisted templates. */
  restore(templates: Iterable<Template>): void {
    for (const t of templates) {
      const tokens = t.tokens.slice();
      const c: Cluster = { ...t, tokens, text: tokens.join(' ') };
      const key = this.leafKey(tokens);
      let leaf = this.leaves.get(key);
      if (!leaf) this.leaves.set(key, (leaf = []));
      leaf.push(c);
      this.byId.set(c.id, c);
    }
  }

  private leafKey(masked: string[]): string {
    let key = String(masked.length);
    const d = Math.min(this.opts.depth, masked.length);
    for (let i = 0; i < d; i++) key += '\u0001' + masked[i];
    return key;
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
      for (let i = 0; i < n; i++) {
        if (t[i] === WILDCARD) wild++;
        else if (t[i] === masked[i]) same++;
      }
      // wildcards count as matches: a generalised template keeps matching its own messages
      const sim = n === 0 ? 1 : (same + wild) / n;
      if (sim > bestSim || (sim === bestSim && wild > bestWild)) {
        best = c;
        bestSim = sim;
        bestWild = wild;
      }
    }
    return best && bestSim >= this.opts.similarity ? best : undefined;
  }

  private evictOldest(keep: Cluster): void {
    let oldest: Cluster | undefined;
    for (const c of this.byId.values()) if (c !== keep && (!oldest || c.lastSeen < oldest.lastSeen)) oldest = c;
    if (!oldest) return;
    this.byId.delete(oldest.id);
    const key = this.leafKey(oldest.tokens);
    const leaf = this.leaves.get(key);
    if (leaf) {
      const i = leaf.indexOf(oldest);
      if (i >= 0) leaf.splice(i, 1);
      if (leaf.length === 0) this.leaves.delete(key);
    }
    this.dirty.delete(oldest);
    this.evictedIds.push(oldest.id);
    this.evictions++;
  }
}

/** Splits on runs of whitespace; template text joins tokens with single spaces (the Loghub convention). */
export function tokenize(message: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    const space = c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
    if (space) {
      if (start >= 0) {
        out.push(message.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(message.slice(start));
  return out;
}

/** A token holding a digit is a variable; `key=value` keeps its key (`seq=<*>`). */
export function maskToken(tok: string): string {
  let digit = -1;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digit = i;
      break;
    }
  }
  if (digit < 0) return tok;
  const eq = tok.indexOf('=');
  if (eq > 0 && eq < digit) return tok.slice(0, eq + 1) + WILDCARD;
  return WILDCARD;
}

function paramsOf(template: string[], raw: string[]): string[] {
  const params: string[] = [];
  for (let i = 0; i < template.length; i++) if (template[i] === WILDCARD || template[i].endsWith('=' + WILDCARD)) params.push(raw[i]);
  return params;
}
