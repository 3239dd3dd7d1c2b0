/**
 * The four counters every component keeps: received, emitted, dropped{reason}, errors{stage}.
 * Plain objects so they can be stored as JSON and summed; prom-client wraps them at the server.
 */
export class ComponentMetrics {
  received = 0;
  emitted = 0;
  readonly dropped: Record<string, number> = {};
  readonly errors: Record<string, number> = {};

  constructor(readonly component: string) {}

  drop(reason: string, n = 1): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + n;
  }

  error(stage: string, n = 1): void {
    this.errors[stage] = (this.errors[stage] ?? 0) + n;
  }

  toJSON(): { component: string; received: number; emitted: number; dropped: Record<string, number>; errors: Record<string, number> } {
    return { component: this.component, received: this.received, emitted: this.emitted, dropped: { ...this.dropped }, errors: { ...this.errors } };
  }
}

/** A registry of component metrics, one per component name. */
export class MetricsRegistry {
  private readonly byName = new Map<string, ComponentMetrics>();

  get(component: string): ComponentMetrics {
    let m = this.byName.get(component);
    if (!m) {
      m = new ComponentMetrics(component);
      this.byName.set(component, m);
    }
    return m;
  }

  /** Continues from counters saved by an earlier run (`snapshot()` as stored): losses are not forgotten at a restart. */
  restore(saved: Record<string, unknown>): void {
    for (const [component, v] of Object.entries(saved)) {
      const c = v as Partial<ReturnType<ComponentMetrics['toJSON']>>;
      const m = this.get(component);
      m.received += num(c.received);
      m.emitted += num(c.emitted);
      for (const [k, n] of Object.entries(c.dropped ?? {})) m.drop(k, num(n));
      for (const [k, n] of Object.entries(c.errors ?? {})) m.error(k, num(n));
    }
  }

  all(): ComponentMetrics[] {
    return [...this.byName.values()];
  }

  snapshot(): Record<string, ReturnType<ComponentMetrics['toJSON']>> {
    const out: Record<string, ReturnType<ComponentMetrics['toJSON']>> = {};
    for (const m of this.byName.values()) out[m.component] = m.toJSON();
    return out;
  }
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
