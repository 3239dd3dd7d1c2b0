/** What every source implements. A slow consumer slows the source: `emit` is awaited before reading on. */
import type { Logger } from 'pino';
import type { MetricsRegistry } from '../model/metrics.js';
import type { RawLine } from '../model/record.js';
import type { FileRow } from '../model/store.js';

/** Lines read from one input, plus the checkpoint they bring the input to. */
export interface SourceBatch {
  source: string;
  /** The file these lines came from (its path), when the input is a file. */
  file?: string;
  fileId: number | null;
  lines: RawLine[];
  /** Written in the same transaction as everything derived from `lines`. */
  checkpoint?: Omit<FileRow, 'firstSeen'>;
}

export interface SourceContext {
  /** Processes and commits a batch; resolves once it is durable. */
  emit(batch: SourceBatch): Promise<void>;
  metrics: MetricsRegistry;
  log: Logger;
}

export interface Source {
  readonly name: string;
  /** Runs until `stop()` is called (live inputs) or the input ends (stdin, batch files). */
  run(ctx: SourceContext): Promise<void>;
  stop(): void;
}
