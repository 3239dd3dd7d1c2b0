/** Standard input as a source (`watch -`): lines as they arrive, no checkpoint (a pipe cannot be re-read). */
import type { Readable } from 'node:stream';
import type { RawLine } from '../model/record.js';
import { IDLE, withIdle } from '../util/idle.js';
import { LineFramer } from './framing.js';
import { LineGrouper, type MultilineOptions } from './multiline.js';
import type { Source, SourceContext } from './source.js';

export interface StreamSourceOptions {
  name: string;
  /** The file the stream reads, when it is one (batch mode): batches carry it for line references. */
  file?: string;
  maxLineBytes: number;
  dedupConsecutive: boolean;
  /** Group continuation lines into records; undefined: every line is a record. */
  multiline?: MultilineOptions;
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
    const ml = this.opts.multiline;
    const grouper = ml ? new LineGrouper(ml, ctx.metrics.get('multiline')) : undefined;
    const emit = async (lines: RawLine[]) => {
      if (lines.length === 0) return;
      metrics.emitted += lines.length;
      await ctx.emit({ source: this.opts.name, file: this.opts.file, fileId: null, lines });
    };
    /** Framed lines, through the grouper when there is one. */
    const group = (framed: RawLine[]): RawLine[] => {
      if (!grouper) return framed;
      const out: RawLine[] = [];
      for (const l of framed) grouper.push(l, out);
      return out;
    };
    // a held record goes out once the input has been quiet for the flush timeout
    for await (const chunk of withIdle(this.input as AsyncIterable<string | Buffer>, ml?.flushTimeout ?? 0, () => grouper?.holding === true)) {
      if (chunk === IDLE) {
        const held: RawLine[] = [];
        grouper!.flush(held);
        await emit(held);
        continue;
      }
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const lines: RawLine[] = [];
      framer.push(buf, lines);
      await emit(group(lines));
      if (this.stopped) break;
    }
    const rest: RawLine[] = [];
    framer.flushPartial(rest);
    const out = group(rest);
    grouper?.flush(out);
    await emit(out);
  }

  stop(): void {
    this.stopped = true;
    this.input.pause();
    this.input.destroy();
  }
}
