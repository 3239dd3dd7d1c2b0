/**
 * Presents a rule detector (severity, rarity, field rate, session signature…: a detector object plus a
 * state the caller owns, see detector.ts) as a `Model<X>` (model.ts), so one conformance suite and one
 * snapshot format cover rule detectors and learned models alike. A binding says how the detector learns
 * and scores an input against a state; the model owns one state and snapshots it as versioned JSON.
 * Rule detectors draw no random numbers: the seed of `Model` has nothing to drive, determinism is theirs.
 */
import type { Finding } from './detector.js';
import { checkSnapshot, type Contribution, type Model, type ModelSnapshot } from './model.js';

export interface RuleBinding<X, S> {
  /** The detector's name, also the snapshot kind. */
  readonly kind: string;
  init(): S;
  /** Updates the state with one input. */
  learn(x: X, st: S): void;
  /** Pure: the detector's findings for `x` against `st` (none = nothing unusual). */
  findings(x: X, st: S): Finding[];
  /** True once the detector is past its warm-up. */
  ready(st: S): boolean;
  /** Plain JSON of the state (never aliases it). */
  toJson(st: S): unknown;
  fromJson(j: unknown): S;
}

const VERSION = 1;

export class RuleModel<X, S> implements Model<X> {
  readonly kind: string;

  constructor(
    private readonly binding: RuleBinding<X, S>,
    private readonly state: S = binding.init(),
  ) {
    this.kind = binding.kind;
  }

  learn(x: X): void {
    this.binding.learn(x, this.state);
  }

  /** The strongest finding's grade (0 when none): already on the 0..1 grade scale. */
  score(x: X): number {
    return this.strongest(x)?.grade ?? 0;
  }

  ready(): boolean {
    return this.binding.ready(this.state);
  }

  /** Rules learn as they go: nothing to refit. */
  fit(): void {}

  explain(x: X, top: number): Contribution[] {
    const f = this.strongest(x);
    if (!f) return [];
    const given = Array.isArray(f.explain.contributions) ? (f.explain.contributions as Array<{ feature?: unknown; weight?: unknown }>) : [];
    const contributions = given
      .filter((c) => typeof c.feature === 'string' && typeof c.weight === 'number')
      .map((c) => ({ feature: c.feature as string, weight: c.weight as number }));
    return (contributions.length > 0 ? contributions : [{ feature: f.reason, weight: f.grade }]).slice(0, top);
  }

  snapshot(): ModelSnapshot {
    return { kind: this.kind, version: VERSION, state: this.binding.toJson(this.state) };
  }

  private strongest(x: X): Finding | undefined {
    let best: Finding | undefined;
    for (const f of this.binding.findings(x, this.state)) if (!best || f.grade > best.grade) best = f;
    return best;
  }
}

export function restoreRuleModel<X, S>(binding: RuleBinding<X, S>, s: unknown): RuleModel<X, S> {
  checkSnapshot(s, binding.kind, VERSION);
  return new RuleModel(binding, binding.fromJson(s.state));
}

/** JSON copy of a plain-data state. */
export function plainCopy<T>(st: T): T {
  return JSON.parse(JSON.stringify(st)) as T;
}
