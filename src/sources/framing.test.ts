import { describe, expect, it } from 'vitest';
import { ComponentMetrics } from '../model/metrics.js';
import type { RawLine } from '../model/record.js';
import { Rng } from '../util/rng.js';
import { LineFramer, type FramerOptions } from './framing.js';

const START = { offset: 0, line: 0, skipping: false };

/** Frames `data` in one push (or in the given pieces), returning the lines and the framer. */
function frame(data: Buffer | string | (Buffer | string)[], opts: FramerOptions = { maxLineBytes: 1024 }, metrics?: ComponentMetrics) {
  const framer = new LineFramer(START, opts, metrics);
  const out: RawLine[] = [];
  for (const piece of Array.isArray(data) ? data : [data]) framer.push(Buffer.from(piece), out);
  return { framer, out };
}

/** Cuts `buf` into random pieces of 1..maxPiece bytes. */
function randomChunks(buf: Buffer, rng: Rng, maxPiece: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; ) {
    const n = 1 + rng.int(maxPiece);
    chunks.push(buf.subarray(i, i + n));
    i += n;
  }
  return chunks;
}

describe('LineFramer', () => {
  it('gives byte offsets and 1-based line numbers', () => {
    const { out, framer } = frame('alpha\nbé\nlast line\n');
    expect(out).toEqual([
      { text: 'alpha', offset: 0, line: 1, truncated: false },
      { text: 'bé', offset: 6, line: 2, truncated: false },
      { text: 'last line', offset: 10, line: 3, truncated: false },
    ]);
    expect(framer.position()).toEqual({ offset: 20, line: 3, skipping: false });
  });

  it('continues offsets and line numbers from a checkpoint', () => {
    const framer = new LineFramer({ offset: 100, line: 7, skipping: false }, { maxLineBytes: 1024 });
    const out: RawLine[] = [];
    framer.push(Buffer.from('x\ny\n'), out);
    expect(out.map((l) => [l.text, l.offset, l.line])).toEqual([
      ['x', 100, 8],
      ['y', 102, 9],
    ]);
  });

  it('frames the same lines whatever the chunk boundaries', () => {
    const rng = new Rng(42);
    const words = ['GET', '/index.html', 'é', '日本', '\r', 'x'.repeat(50), '', ' '];
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      lines.push(Array.from({ length: rng.int(6) }, () => rng.pick(words)).join(' '));
      if (i % 10 === 0) lines.push(lines[lines.length - 1]);
    }
    const text = Buffer.from(lines.join('\n') + '\n');
    // dedup is only compared without truncation: see the report on truncated lines and dedupConsecutive
    for (const opts of [{ maxLineBytes: 4096 }, { maxLineBytes: 40 }, { maxLineBytes: 4096, dedupConsecutive: true }]) {
      const wholeMetrics = new ComponentMetrics('a');
      const whole = frame(text, opts, wholeMetrics);
      for (const maxPiece of [1, 3, 17, 200]) {
        const metrics = new ComponentMetrics('b');
        const pieces = frame(randomChunks(text, rng, maxPiece), opts, metrics);
        expect(pieces.out, `maxPiece ${maxPiece}, ${JSON.stringify(opts)}`).toEqual(whole.out);
        expect(pieces.framer.position()).toEqual(whole.framer.position());
        expect(metrics.dropped).toEqual(wholeMetrics.dropped);
      }
      expect(whole.out.length).toBeGreaterThan(100);
      expect(wholeMetrics.dropped.empty).toBeGreaterThan(0);
      if (opts.maxLineBytes === 40) expect(wholeMetrics.dropped.truncated).toBeGreaterThan(0);
      if ('dedupConsecutive' in opts) expect(wholeMetrics.dropped.duplicate).toBeGreaterThan(0);
    }
  });

  it('strips CR before LF but keeps a CR inside the line', () => {
    const { out } = frame('one\r\ntwo\rthree\r\n');
    expect(out.map((l) => l.text)).toEqual(['one', 'two\rthree']);
    expect(out[1].offset).toBe(5);
  });

  it('drops empty lines, counts them and still numbers them', () => {
    const metrics = new ComponentMetrics('x');
    const { out, framer } = frame('a\n\n\r\nb\n', { maxLineBytes: 100 }, metrics);
    expect(out.map((l) => [l.text, l.line, l.offset])).toEqual([
      ['a', 1, 0],
      ['b', 4, 5],
    ]);
    expect(metrics.dropped.empty).toBe(2);
    expect(metrics.received).toBe(4);
    expect(framer.position().line).toBe(4);
  });

  it('holds a partial last line until its LF arrives', () => {
    const framer = new LineFramer(START, { maxLineBytes: 100 });
    const out: RawLine[] = [];
    framer.push(Buffer.from('done\npart'), out);
    expect(out.map((l) => l.text)).toEqual(['done']);
    expect(framer.hasPartial).toBe(true);
    expect(framer.position()).toEqual({ offset: 5, line: 1, skipping: false });
    expect(framer.readPosition).toBe(9);
    framer.push(Buffer.from('ial'), out);
    expect(framer.position().offset).toBe(5);
    framer.push(Buffer.from(' end\nnext'), out);
    expect(out.slice(1)).toEqual([{ text: 'partial end', offset: 5, line: 2, truncated: false }]);
    expect(framer.position()).toEqual({ offset: 17, line: 2, skipping: false });
  });

  it('flushPartial emits the held line as it is and moves past it', () => {
    const framer = new LineFramer(START, { maxLineBytes: 100 });
    const out: RawLine[] = [];
    framer.push(Buffer.from('a\nno newline'), out);
    framer.flushPartial(out);
    expect(out[1]).toEqual({ text: 'no newline', offset: 2, line: 2, truncated: false });
    expect(framer.hasPartial).toBe(false);
    expect(framer.position()).toEqual({ offset: 12, line: 2, skipping: false });
    framer.flushPartial(out);
    expect(out).toHaveLength(2);
  });

  it('truncates a long line to exactly maxLineBytes, counts it and keeps the next line intact', () => {
    const metrics = new ComponentMetrics('x');
    const { out, framer } = frame(`${'a'.repeat(25)}\nnext\n`, { maxLineBytes: 10 }, metrics);
    expect(out).toEqual([
      { text: 'a'.repeat(10), offset: 0, line: 1, truncated: true },
      { text: 'next', offset: 26, line: 2, truncated: false },
    ]);
    expect(metrics.dropped.truncated).toBe(1);
    expect(framer.position()).toEqual({ offset: 31, line: 2, skipping: false });
  });

  it('a line of exactly maxLineBytes is not truncated', () => {
    const metrics = new ComponentMetrics('x');
    const { out } = frame(['0123', '456789', '\nb\n'], { maxLineBytes: 10 }, metrics);
    expect(out.map((l) => [l.text, l.truncated])).toEqual([
      ['0123456789', false],
      ['b', false],
    ]);
    expect(metrics.dropped.truncated).toBeUndefined();
  });

  it('skips the rest of a long line spread over many chunks', () => {
    const metrics = new ComponentMetrics('x');
    const framer = new LineFramer(START, { maxLineBytes: 8 }, metrics);
    const out: RawLine[] = [];
    framer.push(Buffer.from('ok\nABCDEF'), out);
    framer.push(Buffer.from('GHIJKL'), out);
    expect(out[1]).toEqual({ text: 'ABCDEFGH', offset: 3, line: 2, truncated: true });
    expect(framer.position().skipping).toBe(true);
    for (let i = 0; i < 20; i++) framer.push(Buffer.from('zzzzz'), out);
    expect(out).toHaveLength(2);
    expect(framer.position()).toEqual({ offset: 115, line: 2, skipping: true });
    framer.push(Buffer.from('zz\nafter\n'), out);
    expect(out.slice(2)).toEqual([{ text: 'after', offset: 118, line: 3, truncated: false }]);
    expect(framer.position()).toEqual({ offset: 124, line: 3, skipping: false });
    expect(metrics.dropped.truncated).toBe(1);
  });

  it('resumes skipping from a checkpoint taken inside a long line', () => {
    const framer = new LineFramer({ offset: 50, line: 4, skipping: true }, { maxLineBytes: 8 });
    const out: RawLine[] = [];
    framer.push(Buffer.from('tail of long line\nfresh\n'), out);
    expect(out).toEqual([{ text: 'fresh', offset: 68, line: 5, truncated: false }]);
  });

  it('decodes invalid UTF-8 as U+FFFD, also across chunk boundaries for valid sequences', () => {
    const { out } = frame([Buffer.from([0x61, 0xff, 0x62, 0x0a]), Buffer.from([0xc3]), Buffer.from([0xa9, 0x0a])]);
    expect(out.map((l) => l.text)).toEqual(['a\uFFFDb', 'é']);
    expect(out[1].offset).toBe(4);
  });

  it('does not let NUL or control bytes break framing', () => {
    const { out } = frame(Buffer.from('a\0b\x1b[31m\nc\0\n'));
    expect(out.map((l) => [l.text, l.offset, l.line])).toEqual([
      ['a\0b\x1b[31m', 0, 1],
      ['c\0', 9, 2],
    ]);
  });

  it('dedupConsecutive drops repeats (counted) and keeps line numbers', () => {
    const metrics = new ComponentMetrics('x');
    const { out } = frame('x\nx\ny\nx\nx\n', { maxLineBytes: 100, dedupConsecutive: true }, metrics);
    expect(out.map((l) => [l.text, l.line])).toEqual([
      ['x', 1],
      ['y', 3],
      ['x', 4],
    ]);
    expect(metrics.dropped.duplicate).toBe(2);
    const plain = frame('x\nx\n', { maxLineBytes: 100 });
    expect(plain.out).toHaveLength(2);
  });
});

describe('LineFramer dedup across paths', () => {
  it('drops a duplicate whether or not its LF is in the same chunk as a truncated line', () => {
    const m1 = new ComponentMetrics('a');
    const whole = frame('abcdef\nabcdef\n', { maxLineBytes: 4, dedupConsecutive: true }, m1).out.map((l) => l.text);
    const m2 = new ComponentMetrics('b');
    const split = frame('abcdef\nabcdef', { maxLineBytes: 4, dedupConsecutive: true }, m2).out.map((l) => l.text);
    expect(whole).toEqual(['abcd']);
    expect(split).toEqual(['abcd']);
    expect(m2.dropped.duplicate).toBe(1);
  });
});
