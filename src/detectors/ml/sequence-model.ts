/**
 * DeepLog-style next-event model (Du et al., CCS 2017) over one session's template ids, as a back-off
 * n-gram (Markov) model instead of an LSTM: it counts which event follows each history of up to `order`
 * events, with a START and an END symbol so that a session missing its normal ending is visible.
 *
 * Each step of a session (every event, then END) gets:
 * - a top-k verdict, as DeepLog's: the event must be among the `topK` most frequent continuations of the
 *   longest history seen at least `minCount` times (an event never seen after that history is a miss);
 * - a surprisal −ln p, p from Witten–Bell interpolation of every history length down to the unigram, so
 *   unseen events and transitions get a small, finite probability.
 *
 * Score (the default combining rule): misses + unseen events + s / (1 + s), s = the largest surprisal.
 * DeepLog's verdict (any miss) stays the dominant term, so sessions rank first by how many steps left the
 * top k, and an event never seen at all counts twice (it is also a miss); the last term, in [0, 1), ranks
 * sessions with the same counts by their rarest step. On the HDFS fixture the misses rarely fire at k = 9
 * (histories there have fewer continuations than that), so the rarest step decides; the maximum beat the
 * mean and the sum of surprisals (the sum mostly measures length: short truncated sessions score low).
 *
 * The counts live in a suffix trie keyed by numbers (node → previous event → older event …), so learn and
 * score do O(order) Map lookups per step; the top-k rank counts the verdict history's continuations seen
 * more often (O(distinct continuations), a handful per history in real logs).
 */
import { checkSnapshot, type Contribution, type Features, type Model, type ModelSnapshot } from '../model.js';

export interface SequenceModelOptions {
  /** History length (events before the predicted one); shorter histories are the back-off. */
  order: number;
  /** DeepLog's g: an event outside the k most frequent continuations of its history is a miss. */
  topK: number;
  /** A history is used for the top-k verdict only once it has been seen this many times. */
  minCount: number;
  /** Sessions to learn before scores are meaningful. */
  warmupSessions: number;
  /** Accepted for interface uniformity: the model is deterministic. */
  seed: number;
}

export const SEQUENCE_DEFAULTS: SequenceModelOptions = {
  order: 2,
  topK: 9,
  minCount: 5,
  warmupSessions: 10,
  seed: 1,
};

const KIND = 'sequence';
const VERSION = 1;
/** Reserved symbols: template ids are non-negative integers; anything else is INVALID (never learned). */
const START = -1;
const END = -2;
const INVALID = -3;

interface Node {
  total: number;
  /** event → times it followed this history */
  next: Map<number, number>;
  /** older event → the history one event longer */
  children: Map<number, Node>;
}

/** One predicted step of a session. */
export interface SequenceStep {
  /** Index of the event in the session; the session's length for the END step. */
  position: number;
  /** The history used for the top-k verdict (oldest first), START/END as -1/-2. */
  history: number[];
  event: number;
  /** 1-based rank of the event among the history's continuations; Infinity when never seen after it. */
  rank: number;
  miss: boolean;
  /** −ln p of the event after its history. */
  surprisal: number;
  /** Never seen in training at all. */
  unseen: boolean;
}

function newNode(): Node {
  return { total: 0, next: new Map(), children: new Map() };
}

function symbolOf(id: number): number {
  return Number.isSafeInteger(id) && id >= 0 ? id : INVALID;
}

/** `T5`, `START`, `END`: how explanations name a symbol. */
export function symbolName(s: number): string {
  if (s === START) return 'START';
  if (s === END) return 'END';
  if (s === INVALID) return 'INVALID';
  return `T${s}`;
}

/** Template id → count as features (`t:<id>`), e.g. for an Isolation Forest over sessions. */
export function sessionCounts(seq: readonly number[]): Features {
  const out: Features = {};
  for (const id of seq) {
    const key = `t:${symbolOf(id) === INVALID ? 'invalid' : id}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

export class SequenceModel implements Model<number[]> {
  readonly kind = KIND;
  private readonly opts: SequenceModelOptions;
  private root: Node = newNode();
  private sessions = 0;
  /** Sessions not learned because they held an invalid id. */
  private skipped = 0;

  constructor(opts: Partial<SequenceModelOptions> = {}) {
    this.opts = { ...SEQUENCE_DEFAULTS, ...opts };
    const { order, topK, minCount } = this.opts;
    if (!Number.isInteger(order) || order < 0 || order > 16) throw new Error(`sequence model: order ${order} is not an integer in 0..16`);
    if (!Number.isInteger(topK) || topK < 1) throw new Error(`sequence model: topK ${topK} is not an integer ≥ 1`);
    if (!(minCount >= 1)) throw new Error(`sequence model: minCount ${minCount} is not ≥ 1`);
  }

  learn(seq: number[]): void {
    const tokens = tokenize(seq);
    if (tokens.includes(INVALID)) {
      this.skipped++;
      return;
    }
    const order = this.opts.order;
    for (let i = 1; i < tokens.length; i++) {
      const e = tokens[i];
      let node = this.root;
      count(node, e);
      for (let j = 1; j <= order && i - j >= 0; j++) {
        const h = tokens[i - j];
        let child = node.children.get(h);
        if (!child) node.children.set(h, (child = newNode()));
        node = child;
        count(node, e);
      }
    }
    this.sessions++;
  }

  ready(): boolean {
    return this.sessions >= this.opts.warmupSessions;
  }

  fit(): void {
    // online model: counts are always current
  }

  score(seq: number[]): number {
    if (!this.ready()) return 0;
    let misses = 0;
    let unseen = 0;
    let maxSurprisal = 0;
    const known = this.root.next;
    this.walk(seq, (miss, surprisal, e) => {
      if (miss) misses++;
      if (!known.has(e)) unseen++;
      if (surprisal > maxSurprisal) maxSurprisal = surprisal;
    });
    return misses + unseen + maxSurprisal / (1 + maxSurprisal);
  }

  /** Every step of `seq` with its verdict (pure). */
  steps(seq: number[]): SequenceStep[] {
    const out: SequenceStep[] = [];
    const tokens = tokenize(seq);
    this.walk(seq, (miss, surprisal, e, i, depth, rank) => {
      out.push({
        position: i - 1,
        history: tokens.slice(i - depth, i),
        event: e,
        rank,
        miss,
        surprisal,
        unseen: !this.root.next.has(e),
      });
    });
    return out;
  }

  /**
   * The surprising steps (top-k misses and steps less likely than 1/topK), as "after [T2,T3]: T9",
   * weighted by surprisal plus 1 for a miss; `steps()` has their positions.
   */
  explain(seq: number[], top: number): Contribution[] {
    if (!this.ready()) return [];
    const weights = new Map<string, number>();
    const plain = Math.log(this.opts.topK);
    for (const s of this.steps(seq)) {
      if (!s.miss && s.surprisal <= plain) continue;
      const feature = `after [${s.history.map(symbolName).join(',')}]: ${symbolName(s.event)}`;
      const w = (s.miss ? 1 : 0) + s.surprisal;
      weights.set(feature, Math.max(weights.get(feature) ?? 0, w));
    }
    return [...weights]
      .map(([feature, weight]) => ({ feature, weight }))
      .sort((a, b) => b.weight - a.weight || (a.feature < b.feature ? -1 : 1))
      .slice(0, Math.max(0, top));
  }

  static restore(s: unknown): SequenceModel {
    checkSnapshot(s, KIND, VERSION);
    const o = s.options as Record<string, unknown> | undefined;
    if (!o || typeof o !== 'object') throw new Error('sequence snapshot: no options');
    if (!isCount(s.sessions) || !isCount(s.skipped)) throw new Error('sequence snapshot: bad counters');
    const opts: Partial<SequenceModelOptions> = {};
    for (const k of Object.keys(SEQUENCE_DEFAULTS) as (keyof SequenceModelOptions)[]) {
      if (typeof o[k] !== 'number') throw new Error(`sequence snapshot: option ${k} is not a number`);
      opts[k] = o[k];
    }
    const m = new SequenceModel(opts);
    m.root = decodeNode(s.trie, m.opts.order);
    m.sessions = s.sessions;
    m.skipped = s.skipped;
    return m;
  }

  snapshot(): ModelSnapshot {
    return {
      kind: KIND,
      version: VERSION,
      options: { ...this.opts },
      sessions: this.sessions,
      skipped: this.skipped,
      trie: encodeNode(this.root),
    };
  }

  /**
   * Visits each predicted step: `depth` = length of the history used for the top-k verdict, `rank` its
   * rank there. Probabilities interpolate upward from the unigram, each level weighted by Witten–Bell.
   */
  private walk(
    seq: number[],
    visit: (miss: boolean, surprisal: number, e: number, i: number, depth: number, rank: number) => void,
  ): void {
    const tokens = tokenize(seq);
    const { order, topK, minCount } = this.opts;
    const root = this.root;
    // unknown events share one extra slot of the base distribution
    const base = 1 / (root.next.size + 1);
    for (let i = 1; i < tokens.length; i++) {
      const e = tokens[i];
      let p = interpolate(root, e, base);
      let verdictNode = root;
      let depth = 0;
      let node = root;
      for (let j = 1; j <= order && i - j >= 0; j++) {
        const child = node.children.get(tokens[i - j]);
        if (!child) break;
        node = child;
        p = interpolate(node, e, p);
        if (node.total >= minCount) {
          verdictNode = node;
          depth = j;
        }
      }
      const rank = rankOf(verdictNode, e);
      visit(rank > topK, -Math.log(p), e, i, depth, rank);
    }
  }
}

function tokenize(seq: readonly number[]): number[] {
  const tokens = new Array<number>(seq.length + 2);
  tokens[0] = START;
  for (let i = 0; i < seq.length; i++) tokens[i + 1] = symbolOf(seq[i]);
  tokens[seq.length + 1] = END;
  return tokens;
}

function count(node: Node, e: number): void {
  node.total++;
  node.next.set(e, (node.next.get(e) ?? 0) + 1);
}

/** Witten–Bell: the history's counts, with weight for unseen continuations ∝ how many distinct ones it had. */
function interpolate(node: Node, e: number, lower: number): number {
  const types = node.next.size;
  if (node.total === 0) return lower;
  return ((node.next.get(e) ?? 0) + types * lower) / (node.total + types);
}

/** 1 + continuations seen strictly more often (ties share a rank, so order of insertion never matters). */
function rankOf(node: Node, e: number): number {
  const c = node.next.get(e);
  if (c === undefined) return Infinity;
  let rank = 1;
  for (const n of node.next.values()) if (n > c) rank++;
  return rank;
}

/** [total, [[event, count]...], [[older, child]...]] — compact and order-preserving. */
type EncodedNode = [number, [number, number][], [number, EncodedNode][]];

function encodeNode(n: Node): EncodedNode {
  return [n.total, [...n.next], [...n.children].map(([h, c]) => [h, encodeNode(c)])];
}

/** `depthLeft`: history levels still allowed below this node (the trie is never deeper than the order). */
function decodeNode(e: unknown, depthLeft: number): Node {
  if (depthLeft < 0 || !Array.isArray(e) || e.length !== 3) throw new Error('sequence snapshot: bad trie node');
  const [total, next, children] = e as unknown[];
  if (!isCount(total) || !Array.isArray(next) || !Array.isArray(children)) {
    throw new Error('sequence snapshot: bad trie node');
  }
  const node = newNode();
  node.total = total;
  for (const pair of next) {
    if (!Array.isArray(pair) || !isSymbol(pair[0]) || !isCount(pair[1])) throw new Error('sequence snapshot: bad count');
    node.next.set(pair[0], pair[1]);
  }
  for (const pair of children) {
    if (!Array.isArray(pair) || !isSymbol(pair[0])) throw new Error('sequence snapshot: bad child');
    node.children.set(pair[0], decodeNode(pair[1], depthLeft - 1));
  }
  return node;
}

function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function isSymbol(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= END;
}

export function restoreSequenceModel(s: unknown): SequenceModel {
  return SequenceModel.restore(s);
}
