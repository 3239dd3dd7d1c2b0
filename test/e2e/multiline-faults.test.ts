/**
 * RELIABILITY #12: multi-line stack traces split across writes, a kill -9 while a trace is held for its
 * continuation lines, and a rename rotation: one event per trace, nothing lost, nothing twice. A held
 * record keeps the file's checkpoint at its first line, so a restart reads it again whole.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach, startWatch, tmpDir, waitCaughtUp, waitFor, writeConfig } from '../helpers/cli.js';
import { LineWriter, makeLine } from '../helpers/linegen.js';
import { parseRaw, readEvents, status, type EventJson } from '../helpers/oracle.js';

cleanupAfterEach();

const SRC = 't12';
const POLL = '200ms';

/** Frame k of the trace logged by line `seq` (the seq ties every frame to its record). */
const frame = (seq: number, k: number) => `\tat t12.Worker.step${k}(Worker.java:${seq})`;

/** Builds the lines of a trace and remembers how many frames each seq must carry. */
class Traces {
  readonly frames = new Map<number, number>();
  /** `seq=N …` with `n` frames after it (0: a plain line), as text with a final LF. */
  record(seq: number, n: number): string {
    this.frames.set(seq, n);
    return [makeLine(seq, SRC), ...Array.from({ length: n }, (_, k) => frame(seq, k))].join('\n') + '\n';
  }
}

/** Every expected seq exactly once, each event a whole record: its line and all its frames in order. */
function check(events: EventJson[], expected: Map<number, number>): { missing: number[]; duplicated: number[]; broken: string[] } {
  const seen = new Map<number, number>();
  const broken: string[] = [];
  for (const e of events) {
    // the store keeps a record's line breaks as the two characters \n
    const [head, ...frames] = e.raw.split('\\n');
    const p = parseRaw(head);
    if (p.kind !== 'ok') {
      broken.push(e.raw.slice(0, 120));
      continue;
    }
    seen.set(p.seq, (seen.get(p.seq) ?? 0) + 1);
    const want = Array.from({ length: expected.get(p.seq) ?? 0 }, (_, k) => frame(p.seq, k));
    if (frames.join('\n') !== want.join('\n')) broken.push(`seq ${p.seq}: ${frames.length} of ${want.length} frames`);
  }
  const missing = [...expected.keys()].filter((s) => !seen.has(s));
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([s]) => s);
  return { missing, duplicated, broken };
}

describe('#12 multi-line records across writes, kill -9 and rotation', () => {
  it('one event per trace; a trace held at a kill -9 is read again whole after the restart', async () => {
    const root = tmpDir();
    const logs = join(root, 'logs');
    mkdirSync(logs);
    const data = join(root, 'data');
    const w = new LineWriter({ path: join(logs, 'app.log'), src: SRC });
    const t = new Traces();
    // a long flush timeout: the trace at the end of the file is surely still held when watch is killed
    const held = writeConfig(root, { parse: { multiline: { flushTimeout: '60s' } } });
    let seq = 0;
    let text = '';
    for (; seq < 20; seq++) text += t.record(seq, seq % 4 === 0 ? 3 : 0);
    const heldSeq = seq;
    const heldStart = Buffer.byteLength(text);
    const linesBefore = text.split('\n').length - 1;
    text += t.record(seq++, 4).split('\n').slice(0, 3).join('\n') + '\n'; // the head and two of its four frames
    w.writeRaw(text);
    let p = startWatch({ paths: [logs], dataDir: data, poll: POLL, config: held });
    // read and held: the checkpoint stops at the held trace's first line, short of the file's end
    await waitFor(async () => (await status(data).catch(() => undefined))?.files[0]?.offset === heldStart, { timeoutMs: 20_000, what: 'the checkpoint at the held trace', describe: () => p.stderr });
    expect((await status(data)).files[0].line).toBe(linesBefore);
    await p.kill9();

    // the rest of the held trace, then more traces, one of them split across two writes
    w.writeRaw(frame(heldSeq, 2) + '\n' + frame(heldSeq, 3) + '\n');
    w.writeRaw(t.record(seq++, 2) + t.record(seq++, 0));
    const split = t.record(seq++, 5).split('\n');
    const quick = writeConfig(root, { parse: { multiline: { flushTimeout: '500ms' } } });
    p = startWatch({ paths: [logs], dataDir: data, poll: POLL, config: quick });
    w.writeRaw(split.slice(0, 3).join('\n') + '\n');
    await sleep(600); // read (at least once) with only part of the trace there
    w.writeRaw(split.slice(3).join('\n'));
    w.writeRaw(t.record(seq++, 1));
    // rotation while the last trace of the old file may still be held
    w.writeRaw(t.record(seq++, 3));
    w.rotateRename();
    w.writeRaw(t.record(seq++, 2) + t.record(seq++, 0));
    // flushed by the timeout: no line follows the last trace
    w.writeRaw(t.record(seq++, 6));
    await waitCaughtUp(data, [logs], { timeoutMs: 30_000, watch: p });
    expect((await p.stop()).code).toBe(0);

    const events = await readEvents(data);
    const r = check(events, t.frames);
    expect(r, JSON.stringify(r)).toEqual({ missing: [], duplicated: [], broken: [] });
    expect(events).toHaveLength(t.frames.size);
    // each record keeps the line number of its first line
    const first = events.find((e) => e.raw.startsWith(`seq=${heldSeq} `));
    expect(first?.line).toBe(linesBefore + 1);
    w.close();
  });
});
