/** Standard input as a source (`watch -`): lines as they arrive, no checkpoint (a pipe cannot be re-read). */
import type { Readable } from 'node:stream';
import type { RawLine } from '../model/record.js';
import { LineFramer } from './framing.js';
import type { Source, SourceContext } from './source.js';

export interface StreamSourceOptions {
  name: string;
  /** The file the stream reads, when it is one (batch mode): batches carry it for line references. */
  file?: string;
  maxLineBytes: number;
  dedupConsecutive: boolean;
}

export class StreamSource implements Source {
  private stopped = false;

  constructor(
    private readonly input: Readable,
    private readonly opts: StreamSourceOptions,
  ) {}

  get name(): string {
    return this.opts.name;
  }

  async run(ctx: SourceContext): Promise<void> {
    const metrics = ctx.metrics.get(`source.${this.opts.name}`);
    const framer = new LineFramer({ offset: 0, line: 0, skipping: false }, this.opts, metrics);
    for await (const chunk of this.input) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      const lines: RawLine[] = [];
      framer.push(buf, lines);
      if (lines.length > 0) {
        metrics.emitted += lines.length;
        await ctx.emit({ source: this.opts.name, file: this.opts.file, fileId: null, lines });
      }
      if (this.stopped) break;
    }
    const rest: RawLine[] = [];
    framer.flushPartial(rest);
    if (rest.length > 0) {
      metrics.emitted += rest.length;
      await ctx.emit({ source: this.opts.name, file: this.opts.file, fileId: null, lines: rest });
    }
  }

  stop(): void {
    this.stopped = true;
    this.input.pause();
    this.input.destroy();
  }
}
