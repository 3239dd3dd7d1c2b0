/**
 * Records posted over HTTP (`POST /api/ingest?source=NAME`) as a source: each request becomes one batch
 * per source, emitted into the same pipeline as files, and the request is answered only once that batch
 * is committed. Lines are numbered per source as one endless stream (continued after a restart from
 * what the store holds), which is how the raw context of an anomaly is found again.
 */
import type { RawLine } from '../model/record.js';
import { LogradarError } from '../model/errors.js';
import type { Source, SourceContext } from './source.js';

export interface HttpSourceOptions {
  /** Where numbering of a source continues: its last stored line and the byte offset after it. */
  resume?: (source: string) => { line: number; offset: number };
  maxLineBytes: number;
}

export class HttpSource implements Source {
  readonly name = 'http';
  private ctx?: SourceContext;
  private stopped = false;
  private ended?: () => void;
  private readonly positions = new Map<string, { line: number; offset: number }>();

  constructor(private readonly opts: HttpSourceOptions) {}

  run(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => (this.ended = resolve));
  }

  stop(): void {
    this.stopped = true;
    this.ended?.();
  }

  /** True while records can be taken (the runner has started the source and not stopped it). */
  get open(): boolean {
    return this.ctx !== undefined && !this.stopped;
  }

  /** Emits the lines of one request as one batch of `source`; resolves once they are committed. */
  async ingest(source: string, texts: string[]): Promise<void> {
    const ctx = this.ctx;
    if (!ctx || this.stopped) throw new LogradarError('LOGRADAR_ERR_IO', 'the HTTP source is not running');
    if (texts.length === 0) return;
    const m = ctx.metrics.get('source.http');
    let pos = this.positions.get(source);
    if (!pos) this.positions.set(source, (pos = { ...(this.opts.resume?.(source) ?? { line: 0, offset: 0 }) }));
    const lines: RawLine[] = [];
    for (const t of texts) {
      let text = t;
      let truncated = false;
      const bytes = Buffer.byteLength(text);
      if (bytes > this.opts.maxLineBytes) {
        text = Buffer.from(text).subarray(0, this.opts.maxLineBytes).toString('utf8');
        truncated = true;
        m.drop('truncated');
      }
      lines.push({ text, offset: pos.offset, line: ++pos.line, truncated });
      pos.offset += bytes + 1;
    }
    m.received += lines.length;
    m.emitted += lines.length;
    await ctx.emit({ source, fileId: null, lines });
  }
}
