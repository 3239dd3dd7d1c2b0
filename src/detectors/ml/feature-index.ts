/**
 * Feature name → dimension number, shared by the vector models. Dimensions are numbered in order of
 * first appearance, so the numbering depends only on the input sequence (snapshots keep `names`).
 */
export class FeatureIndex {
  private readonly ids = new Map<string, number>();

  /** `max` bounds memory: names beyond it are treated like names never seen. */
  constructor(
    readonly names: string[] = [],
    private readonly max = Infinity,
  ) {
    names.forEach((n, i) => this.ids.set(n, i));
  }

  get size(): number {
    return this.names.length;
  }

  /** The dimension of a name, undefined when unknown. */
  get(name: string): number | undefined {
    return this.ids.get(name);
  }

  /** The dimension of a name, adding it when there is room. */
  add(name: string): number | undefined {
    let id = this.ids.get(name);
    if (id === undefined && this.names.length < this.max) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }
}

/** The value a model uses for a feature: finite numbers as they are; NaN, ±Infinity and non-numbers (untrusted input) count as absent, i.e. 0. */
export function featureValue(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
