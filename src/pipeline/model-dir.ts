/**
 * A trained model on disk for batch `train`/`detect`: one versioned JSON file (`model.json`) holding
 * every source's templates and detector state, written atomically (temp file + rename). It is the
 * PipelineStore of batch mode, so batch and `watch` share the pipeline code; events are not kept.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../model/errors.js';
import type { TemplateRow } from '../model/store.js';
import { MemoryPipelineStore } from './memory-store.js';

export const MODEL_FILE = 'model.json';
const KIND = 'logradar-model';
const VERSION = 1;

export interface ModelInfo {
  created: string;
  /** The files the model was trained on, with their line counts. */
  trainedOn: Array<{ file: string; lines: number }>;
  /** Session settings used in training (detect warns when they differ). */
  session?: { key?: string; field?: string };
}

interface ModelFile extends ModelInfo {
  kind: typeof KIND;
  version: number;
  templates: TemplateRow[];
  state: Array<{ key: string; version: number; value: unknown }>;
}

export class ModelDir extends MemoryPipelineStore {
  info?: ModelInfo;

  private constructor(readonly dir: string) {
    super();
  }

  /** A new, empty model (train). */
  static create(dir: string): ModelDir {
    return new ModelDir(dir);
  }

  /** An existing model (detect): a missing or unreadable model is a usage error naming the file. */
  static load(dir: string): ModelDir {
    const path = join(dir, MODEL_FILE);
    if (!existsSync(path)) throw new UsageError(`${path}: no model here (run \`logradar train FILES --model ${dir}\` first)`);
    let m: ModelFile;
    try {
      m = JSON.parse(readFileSync(path, 'utf8')) as ModelFile;
    } catch (e) {
      throw new UsageError(`${path}: not a readable model: ${(e as Error).message}`);
    }
    if (m?.kind !== KIND) throw new UsageError(`${path}: not a logradar model`);
    if (m.version !== VERSION) throw new UsageError(`${path}: model version ${String(m.version)} is not supported (this logradar reads version ${VERSION})`);
    const md = new ModelDir(dir);
    md.info = { created: m.created, trainedOn: m.trainedOn, session: m.session };
    for (const t of m.templates) md.templates.set(t.id, t);
    for (const s of m.state) md.state.set(s.key, { key: s.key, version: s.version, value: JSON.stringify(s.value) });
    return md;
  }

  /** Writes model.json atomically. */
  save(info: ModelInfo): void {
    mkdirSync(this.dir, { recursive: true });
    const file: ModelFile = {
      kind: KIND,
      version: VERSION,
      ...info,
      templates: [...this.templates.values()].sort((a, b) => a.id - b.id),
      state: [...this.state.values()].map((s) => ({ key: s.key, version: s.version, value: JSON.parse(s.value) as unknown })),
    };
    const path = join(this.dir, MODEL_FILE);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(file));
    renameSync(tmp, path);
    this.info = info;
  }
}
