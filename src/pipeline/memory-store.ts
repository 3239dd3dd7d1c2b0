/**
 * A PipelineStore in memory: templates and per-source state, no events. Batch mode's model file and the
 * retraining replay build on it.
 */
import type { CommitBatch, PipelineStore, StateRow, TemplateRow } from '../model/store.js';

export class MemoryPipelineStore implements PipelineStore {
  protected readonly templates = new Map<number, TemplateRow>();
  protected readonly state = new Map<string, StateRow>();

  /** `idFloor`: template ids handed out start above it. */
  constructor(private readonly idFloor = 0) {}

  maxTemplateId(): number {
    let max = this.idFloor;
    for (const id of this.templates.keys()) if (id > max) max = id;
    return max;
  }

  loadTemplates(source: string): TemplateRow[] {
    return [...this.templates.values()].filter((t) => t.source === source);
  }

  loadState(key: string): StateRow | undefined {
    return this.state.get(key);
  }

  saveState(row: StateRow): void {
    this.state.set(row.key, row);
  }

  commit(b: CommitBatch): void {
    for (const t of b.templates ?? []) {
      if (t.evicted) this.templates.delete(t.id);
      else this.templates.set(t.id, t);
    }
    for (const s of b.state ?? []) this.state.set(s.key, s);
  }
}
