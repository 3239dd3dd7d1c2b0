import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { ComponentMetrics } from '../model/metrics.js';
import type { RawLine } from '../model/record.js';
import { IDLE, withIdle } from '../util/idle.js';
import { Rng } from '../util/rng.js';
import { LineFramer } from './framing.js';
import { LineGrouper, multilineOptions, type MultilineOptions } from './multiline.js';

const OPTS: MultilineOptions = { maxLines: 500, maxBytes: 1 << 20, flushTimeout: 2000 };

const JAVA = [
  '2026-11-21 10:00:00,123 ERROR [main] OrderService: failed to process order 42',
  'java.lang.IllegalStateException: connection refused',
  '\tat com.shop.OrderService.process(OrderService.java:88)',
  '\tat com.shop.Main.main(Main.java:12)',
  'Caused by: java.net.ConnectException: refused',
  '\tat java.base/sun.nio.ch.Net.connect0(Native Method)',
  '\t... 2 more',
];
const PYTHON = [
  '2026-11-21 10:00:01 ERROR worker: job 9 crashed',
  'Traceback (most recent call last):',
  '  File "/app/worker.py", line 3, in run',
  '    x = d["k"]',
  "KeyError: 'k'",
  '',
  'During handling of the above exception, another exception occurred:',
  '',
  'Traceback (most recent call last):',
  '  File "/app/worker.py", line 5, in run',
  '    raise RuntimeError("job failed")',
  'RuntimeError: job failed',
];
const NEXT = '2026-11-21 10:00:02 INFO worker: job 10 done';

/** Frames `text` (in the given chunks) and groups the lines; returns the records and the grouper. */
function group(chunks: string[], opts: MultilineOptions = OPTS, metrics?: ComponentMetrics) {
  const framer = new LineFramer({ offset: 0, line: 0, skipping: false }, { maxLineBytes: 1 << 20 });
  const g = new LineGrouper(opts, metrics);
  const out: RawLine[] = [];
  for (const c of chunks) {
    const framed: RawLine[] = [];
    framer.push(Buffer.from(c), framed);
    for (const l of framed) g.push(l, out);
  }
  return { out, g };
}

describe('LineGrouper', () => {
  it('groups a Java stack trace with the line that logged it; the record keeps its first line number and offset', () => {
    const text = ['INFO start', ...JAVA, NEXT, ''].join('\n');
    const { out, g } = group([text]);
    expect(out.map((r) => r.text)).toEqual(['INFO start', JAVA.join('\n')]);
    expect(out[1]).toMatchObject({ line: 2, offset: 'INFO start\n'.length, truncated: false });
    // the last line is held: it may be continued by lines not written yet
    expect(g.holding).toBe(true);
    expect(g.first).toMatchObject({ text: NEXT, line: 2 + JAVA.length });
    g.flush(out);
    expect(out.map((r) => r.text)).toEqual(['INFO start', JAVA.join('\n'), NEXT]);
    expect(g.holding).toBe(false);
  });

  it('groups a chained Python traceback up to its last exception line (blank lines are dropped by framing)', () => {
    const { out, g } = group([[...PYTHON, NEXT, ''].join('\n')]);
    g.flush(out);
    expect(out.map((r) => r.text)).toEqual([PYTHON.filter((l) => l !== '').join('\n'), NEXT]);
  });

  it('a traceback printed on its own is a record; a line after its exception line starts the next one', () => {
    const tb = PYTHON.slice(1, 5);
    const { out, g } = group([[...tb, 'next: unrelated line', ''].join('\n')]);
    g.flush(out);
    expect(out.map((r) => r.text)).toEqual([tb.join('\n'), 'next: unrelated line']);
  });

  it('gives the same records whatever the chunk boundaries (a record split across reads)', () => {
    const lines: string[] = [];
    for (let i = 0; i < 50; i++) lines.push(...(i % 3 === 0 ? JAVA : i % 3 === 1 ? PYTHON : [`2026-11-21 10:00:0${i % 10} INFO step ${i}`]));
    const text = Buffer.from(lines.join('\n') + '\n');
    const whole = group([text.toString()]);
    whole.g.flush(whole.out);
    const rng = new Rng(12);
    for (let round = 0; round < 20; round++) {
      // a cut may fall anywhere, also inside a record's first line
      const parts: Buffer[] = [];
      for (let i = 0; i < text.length; ) {
        const n = 1 + rng.int(200);
        parts.push(text.subarray(i, i + n));
        i += n;
      }
      const framer = new LineFramer({ offset: 0, line: 0, skipping: false }, { maxLineBytes: 1 << 20 });
      const g = new LineGrouper(OPTS);
      const out: RawLine[] = [];
      for (const p of parts) {
        const framed: RawLine[] = [];
        framer.push(p, framed);
        for (const l of framed) g.push(l, out);
      }
      g.flush(out);
      expect(out).toEqual(whole.out);
    }
    expect(whole.out.length).toBe(50);
  });

  it('emits a record reaching maxLines or maxBytes as it is, and counts it', () => {
    const m = new ComponentMetrics('multiline');
    const frames = Array.from({ length: 9 }, (_, i) => `\tat f${i}(X.java:${i})`);
    const { out, g } = group([['ERROR boom', ...frames, ''].join('\n')], { ...OPTS, maxLines: 4 }, m);
    g.flush(out);
    expect(out.map((r) => r.text.split('\n').length)).toEqual([4, 4, 2]);
    expect(m.errors['multiline.limit']).toBe(2);
    expect(m.received).toBe(10);
    expect(m.emitted).toBe(3);
    const small = group([['ERROR boom', ...frames, ''].join('\n')], { ...OPTS, maxBytes: 40 });
    small.g.flush(small.out);
    expect(small.out.every((r) => Buffer.byteLength(r.text) <= 40)).toBe(true);
    expect(small.out.map((r) => r.text).join('\n')).toBe(['ERROR boom', ...frames].join('\n'));
  });

  it('takes a pretty-printed JSON document whole; a JSON line is a record at once, never held', () => {
    const doc = JSON.stringify({ Records: [{ a: 1, s: 'x } ] {' }, { b: [2, 3] }] }, null, 2);
    const { out, g } = group([`${doc}\n{"message":"one line"}\n`]);
    expect(out.map((r) => r.text)).toEqual([doc, '{"message":"one line"}']);
    expect(g.holding).toBe(false);
    // [INFO]-style brackets and free text starting with a brace are ordinary lines
    const t = group(['[INFO] starting {\n  indented continuation\n{not json} at all\n']);
    t.g.flush(t.out);
    expect(t.out.map((r) => r.text)).toEqual(['[INFO] starting {\n  indented continuation', '{not json} at all']);
  });

  it('a document that never closes is emitted when an unindented line arrives', () => {
    const { out, g } = group(['{\n  "a": 1,\nERROR after a broken document\n']);
    g.flush(out);
    expect(out.map((r) => r.text)).toEqual(['{\n  "a": 1,', 'ERROR after a broken document']);
  });

  it('with a start regex, every line not matching it continues the record', () => {
    const { out, g } = group(['2026-11-21 a\nfree text\n{"json":1}\n2026-11-21 b\n'], { ...OPTS, start: '^\\d{4}-\\d\\d-\\d\\d ' });
    g.flush(out);
    expect(out.map((r) => r.text)).toEqual(['2026-11-21 a\nfree text\n{"json":1}', '2026-11-21 b']);
  });
});

describe('multilineOptions', () => {
  it('is off for format plain, whatever the config says, and when disabled', () => {
    const c = (parse: unknown) => configSchema.parse({ parse }).parse;
    expect(multilineOptions(c({ format: 'plain', multiline: { enabled: true } }))).toBeUndefined();
    expect(multilineOptions(c({ format: 'auto', multiline: { enabled: false } }))).toBeUndefined();
    expect(multilineOptions(c({}))).toEqual({ maxLines: 500, maxBytes: 1 << 20, flushTimeout: 300, start: undefined });
    expect(configSchema.safeParse({ parse: { multiline: { start: '(x+)+\\1' } } }).success).toBe(false);
  });
});

describe('withIdle', () => {
  it('reports idleness while something is held, without losing or reordering items', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* source() {
      yield 'a';
      await gate; // the second item comes only after the reader has seen IDLE
      yield 'b';
    }
    const seen: unknown[] = [];
    let holding = false;
    for await (const x of withIdle(source(), 5, () => holding)) {
      seen.push(x);
      if (x === 'a') holding = true;
      if (x === IDLE) {
        holding = false;
        release();
      }
    }
    expect(seen).toEqual(['a', IDLE, 'b']);
  });
});
