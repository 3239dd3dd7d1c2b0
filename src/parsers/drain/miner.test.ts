import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../../test/helpers/loghub.js';
import { sharedData } from '../../../test/helpers/shared-data.js';
import { Rng } from '../../util/rng.js';
import { generalize, maskToken, render, tokenize } from './masking.js';
import { TemplateMiner, type MinerOptions } from './miner.js';

const HDFS_CSV = sharedData('loghub-2k/HDFS/HDFS_2k.log_structured.csv').path;
const OPTS: MinerOptions = { similarity: 0.5, depth: 2, maxTemplates: 5000 };

function counter(start = 0) {
  let n = start;
  return { next: () => ++n };
}

function miner(opts: Partial<MinerOptions> = {}, ids = counter()) {
  return new TemplateMiner({ ...OPTS, ...opts }, ids);
}

describe('tokenize and maskToken', () => {
  it('splits on runs of any whitespace', () => {
    expect(tokenize('  a \t b\r\n\fc  ')).toEqual(['a', 'b', 'c']);
    expect(tokenize('')).toEqual([]);
  });

  it('masks the value pieces of a token, keeping delimiters, keys and words', () => {
    const cases: [string, string][] = [
      ['blk_123', '<*>'],
      ['blk_-1608999687919862906', '<*>'],
      ['seq=42', 'seq=<*>'],
      ['hello', 'hello'],
      ['ssh2', 'ssh2'],
      ['10.251.73.231:54935', '<*>:<*>'],
      ['/10.251.73.231:54935', '<*>:<*>'],
      ['[1234]', '[<*>]'],
      ['(uid=0)', '(uid=<*>)'],
      ['audit(1122475266.4294967295:0):', 'audit(<*>:<*>):'],
      ['8020.', '<*>.'],
      ['core.1234', 'core.<*>'],
      ['instruction......0x00000', 'instruction......<*>'],
      ['FF:F2:9F:16:E5:A9', '<*>'],
      ['hdfs://host:9000/a/b1', 'hdfs://<*>'],
      ['hdfs://msra-sa-41:9000', 'hdfs://<*>:<*>'],
      ['http://wiki.apache.org/hadoop/NoRouteToHost', 'http://wiki.apache.org/hadoop/NoRouteToHost'],
      ['#3', '#<*>'],
      ['0x1f', '<*>'],
      ['deadbeef12', '<*>'],
      ['/user/root/rand3/part-01010.', '<*>'],
      // long values, where masking can stop early, and the dot rules that forbid it
      ['/user/root/rand/_temporary/_task_200811092030_0001_m_000590_0/part-00590', '<*>'],
      ['12345678901.', '<*>.'],
      ['-1234567890.', '<*>'],
      ['x_1234567890..5', '<*>..<*>'],
      ['blk_123456789..0', '<*>..<*>'],
      ['v_123456789:1', '<*>:<*>'],
      ['a1234567890', '<*>'],
      ['core.1234567890', 'core.<*>'],
      ['10.251.73.231', '<*>'],
      ['10.251.73.231.', '<*>.'],
      ['1234567.89.', '<*>.'],
      ['/1234567..89', '<*>..<*>'],
      ['+12345678.9', '<*>'],
    ];
    for (const [tok, want] of cases) expect(maskToken(tok), tok).toBe(want);
  });

  it('collects the masked values in order', () => {
    const values: string[] = [];
    expect(maskToken('src=10.0.0.1:80,dst=[2001]', values)).toBe('src=<*>:<*>,dst=[<*>]');
    expect(values).toEqual(['10.0.0.1', '80', '2001']);
  });

  it('renders runs of whole-token variables as one <*>', () => {
    expect(render(['at', '<*>', '<*>', '<*>:<*>:<*>', '<*>'])).toBe('at <*>:<*>:<*>');
    expect(render(['a', '<*>', 'b'])).toBe('a <*> b');
  });

  it('generalises token by token piece when the delimiters agree', () => {
    expect(generalize('(<*>)', '(host.example.org)')).toBe('(<*>)');
    expect(generalize('rhost=<*>', 'rhost=')).toBe('rhost=<*>');
    expect(generalize('abc', 'xyz')).toBe('<*>');
    expect(generalize('a:b', 'a(b')).toBe('<*>');
  });
});

describe('TemplateMiner', () => {
  it('puts messages differing in numbers in one template and extracts params', () => {
    const m = miner();
    const a = m.add('Received block blk_1 of size 67108864 from /10.0.0.1');
    const b = m.add('Received   block blk_2 of size 512 from /10.0.0.2');
    expect(a.change).toBe('created');
    expect(b.change).toBe('none');
    expect(b.templateId).toBe(a.templateId);
    expect(b.template).toBe('Received block <*> of size <*> from <*>');
    expect(b.params).toEqual(['blk_2', '512', '/10.0.0.2']);
    expect(m.size).toBe(1);
  });

  it('generalises a template when a word after the leading tokens differs (updated), then none', () => {
    const m = miner();
    const a = m.add('session opened for alice from web');
    const b = m.add('session opened for bob from web');
    const c = m.add('session opened for carol from web');
    expect([a.change, b.change, c.change]).toEqual(['created', 'updated', 'none']);
    expect(c.template).toBe('session opened for <*> from web');
    expect(c.params).toEqual(['carol']);
    expect(m.get(a.templateId)?.count).toBe(3);
  });

  it('keeps a different leading word (within depth) in its own template', () => {
    const m = miner({ depth: 2 });
    expect(m.add('user alice logged in').templateId).not.toBe(m.add('user bob logged in').templateId);
    const shallow = miner({ depth: 1 });
    expect(shallow.add('user alice logged in').templateId).toBe(shallow.add('user bob logged in').templateId);
  });

  it('keeps dissimilar messages apart and takes ids from the allocator, increasing', () => {
    const m = miner({}, counter(100));
    const ids = [m.add('connection opened to db').templateId, m.add('cache flushed').templateId, m.add('disk quota exceeded on volume').templateId, m.add('connection refused by peer').templateId];
    expect(ids).toEqual([101, 102, 103, 104]);
    expect(m.size).toBe(4);
  });

  it('match does not learn and finds the template of a trained line after it generalised', () => {
    const m = miner();
    const first = m.add('job run alpha finished ok');
    m.add('job run beta finished ok');
    const size = m.size;
    const count = m.get(first.templateId)!.count;
    expect(m.match('job run alpha finished ok')).toEqual({ templateId: first.templateId, template: 'job run <*> finished ok', params: ['alpha'], change: 'none' });
    expect(m.match('job run gamma finished ok')?.templateId).toBe(first.templateId);
    expect(m.match('something else entirely')).toBeUndefined();
    expect(m.match('job run alpha failed')).toBeUndefined();
    expect(m.match('job run delta ended ok')?.templateId).toBe(first.templateId); // 4 of 5 tokens match
    expect(m.size).toBe(size);
    expect(m.get(first.templateId)!.count).toBe(count);
    expect(m.get(first.templateId)!.tokens.join(' ')).toBe('job run <*> finished ok');
  });

  it('restores from templates() with the same ids and matches', () => {
    const m = miner();
    const lines = ['open file a.txt', 'open file b.txt', 'close file 3', 'user is x now', 'user is y now', 'disk full'];
    const ids = lines.map((l) => m.add(l, 10).templateId);
    const snapshot = JSON.parse(JSON.stringify(m.templates()));
    const r = miner({}, counter(1000));
    r.restore(snapshot);
    expect(r.size).toBe(m.size);
    expect(lines.map((l) => r.match(l)?.templateId)).toEqual(ids);
    expect(r.templates().map((t) => [t.id, t.tokens.join(' '), t.count])).toEqual(m.templates().map((t) => [t.id, t.tokens.join(' '), t.count]));
    // learning continues on the restored template instead of creating a new one
    expect(r.add('user is z now')).toMatchObject({ templateId: ids[3], change: 'none' });
    expect(r.add('printer on fire').templateId).toBe(1001);
  });

  it('takeChanges reports templates changed since the last call', () => {
    const m = miner();
    const a = m.add('alpha one 1');
    m.add('beta two three');
    expect(m.takeChanges().changed.map((t) => t.id).sort()).toEqual([1, 2]);
    m.add('alpha one 2');
    expect(m.takeChanges()).toEqual({ changed: [expect.objectContaining({ id: a.templateId, count: 2 })], evicted: [] });
    expect(m.takeChanges().changed).toEqual([]);
  });

  it('evicts the least recently seen template beyond maxTemplates and counts it', () => {
    const m = miner({ maxTemplates: 3 });
    const a = m.add('alpha event here', 1).templateId;
    const b = m.add('beta thing', 2).templateId;
    m.add('gamma', 3);
    m.add('alpha event here', 4); // a is now more recent than b
    const d = m.add('delta is new too ok', 5).templateId;
    expect(m.size).toBe(3);
    expect(m.evictions).toBe(1);
    expect(m.get(b)).toBeUndefined();
    expect(m.get(a)).toBeDefined();
    expect(m.get(d)).toBeDefined();
    expect(m.match('beta thing')).toBeUndefined();
    expect(m.takeChanges().evicted).toEqual([b]);
    m.add('epsilon', 6);
    expect(m.evictions).toBe(2);
  });

  it.skipIf(!fs.existsSync(HDFS_CSV))('mines a sane number of templates from Loghub HDFS (needs ../shared/data)', () => {
    const rows = readCsv(fs.readFileSync(HDFS_CSV, 'utf8'));
    const col = rows[0].indexOf('Content');
    const messages = rows.slice(1).map((r) => r[col]);
    expect(messages).toHaveLength(2000);
    const m = miner();
    const results = messages.map((msg) => m.add(msg));
    expect(m.size).toBeGreaterThanOrEqual(10);
    expect(m.size).toBeLessThanOrEqual(60);
    // every trained line matches the template it was last assigned to
    expect(messages.every((msg, i) => m.match(msg)?.templateId === results[i].templateId)).toBe(true);
  });
});

describe('TemplateMiner grouping rules', () => {
  it('collapses lists of values so lists of any length share a template', () => {
    const m = miner();
    const a = m.add('ask 10.0.0.1:50010 to delete blk_1 blk_2 blk_3');
    const b = m.add('ask 10.0.0.2:50010 to delete blk_9');
    expect(b.templateId).toBe(a.templateId);
    expect(b.template).toBe('ask <*>:<*> to delete <*>');
    expect(a.params).toEqual(['10.0.0.1', '50010', 'blk_1 blk_2 blk_3']);
  });

  it('keeps key=value states apart but merges numeric values', () => {
    const m = miner();
    const sent = m.add('delivery to=<a@b.c> relay=mx status=sent');
    const bounced = m.add('delivery to=<a@b.c> relay=mx status=bounced');
    expect(bounced.templateId).not.toBe(sent.templateId);
    expect(m.add('job done uid=7 state=ok').templateId).toBe(m.add('job done uid=12 state=ok').templateId);
  });

  it('merges structured key=value values (addresses) but not a word with a structured value', () => {
    const m = miner();
    const a = m.add('to=<alice@example.org>, relay=mx.example.org[10.0.0.1]:25, delay=0.4, status=sent (250 ok)');
    const b = m.add('to=<bob@other.net>, relay=mx.other.net[10.0.0.2]:25, delay=1.1, status=sent (250 ok)');
    expect(b.templateId).toBe(a.templateId);
    expect(b.template).toBe('to=<<*>>, relay=<*>[<*>]:<*>, delay=<*>, status=sent (<*> ok)');
    const c = m.add('to=<carol@x.org>, relay=mx.x.org[10.0.0.3]:25, delay=9, status=deferred (450 try later)');
    expect(c.templateId).not.toBe(a.templateId);
    expect(m.add('login tty=NODEVssh rhost=a').templateId).not.toBe(m.add('login tty=:0 rhost=a').templateId);
  });

  it('hashes equal masked shapes alike and different ones apart (the fast path relies on it)', () => {
    const toks = ['/a/1', 'blk_-12', '(10)', '10.0.0.1:8080', 'a..b1', 'x......0x0', '1..2', '..5', 'x1.', '8020.', 'core.1234', 'ssh2', 'x86', '#2', '-3', '+3',
      'v1.2', 'part-0101', 'deadbeef12', 'hdfs://h:9000/a', '[1234]', 'uid=0', '1,2', 'é1', 'word', 'a.b', 'BLOCK*', '12', 'z9z9z9z9', '-', '3.',
      'blk_-1608999687919862906', '/user/root/rand/_temporary/_task_200811092030_0001_m_000590_0/part-00590', '/user/x/part-00590.', 'x_1234567890.5', 'x_1234567890..5',
      '#123456789012', '-1234567890.', 'a1234567890', 'ab_123456789a.b', 'core_12345678.1234', '12345678901.', 'abcdef0123456789', 'v_123456789:1',
      '10.251.73.231', '10.251.73.231.', '/10.251.73.231:54935', '1234567.89.', '/1234567..89', '+12345678.9', '123456789.0.0.1'];
    const shapeOf = (msg: string) => {
      // the slow path's masked sequence: each token masked, runs of whole-token values collapsed
      const out: string[] = [];
      for (const t of tokenize(msg).map((x) => maskToken(x))) if (!(t === '<*>' && out[out.length - 1] === '<*>')) out.push(t);
      return out.join(' ');
    };
    const m = miner() as unknown as { shape(s: string): number; shape2: number };
    const byShape = new Map<string, string>();
    const byHash = new Map<string, string>();
    const rng = new Rng(7);
    for (let i = 0; i < 4000; i++) {
      const msg = Array.from({ length: 1 + rng.int(4) }, () => toks[rng.int(toks.length)]).join(i % 3 ? ' ' : '  ');
      const hash = `${m.shape(msg)}:${m.shape2}`;
      const shape = shapeOf(msg);
      if (!byShape.has(shape)) byShape.set(shape, hash);
      expect(hash, msg).toBe(byShape.get(shape));
      if (!byHash.has(hash)) byHash.set(hash, shape);
      expect(byHash.get(hash), msg).toBe(shape);
    }
    expect(byShape.size).toBeGreaterThan(500);
  });

  it('puts a token holding digits under the wildcard branch of the tree', () => {
    const m = miner();
    const a = m.add('Resolved 10.0.0.1 to /default-rack');
    const b = m.add('Resolved host-5.example.com to /default-rack');
    expect(b.templateId).toBe(a.templateId);
  });
});

describe('TemplateMiner bounds and params', () => {
  it('gives the value of key=value parameters', () => {
    const m = miner();
    m.add('seq=1 src=a');
    expect(m.add('seq=42 src=a').params).toEqual(['42']);
  });

  it('never answers with an evicted template whose leading token was generalised', () => {
    // `b="x"` and `b="__y__=1"` share the branch `b=`, then the template's token becomes <*> (another branch)
    const m = miner({ maxTemplates: 2 });
    const first = m.add('a b="x" c', 1);
    expect(m.add('a b="__y__=1" c', 2)).toMatchObject({ templateId: first.templateId, change: 'updated' });
    m.add('other words here', 3);
    m.add('more other words', 4);
    expect(m.get(first.templateId)).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      const r = m.add('a b="z" c', 5 + i);
      expect(r.templateId).not.toBe(first.templateId);
      expect(m.get(r.templateId)).toBeDefined();
    }
    const roots = (m as unknown as { roots: Map<number, { children: Map<string, { children: Map<string, { clusters: unknown[] }> }> }> }).roots;
    expect(roots.get(3)!.children.get('a')!.children.get('b=')!.clusters).toHaveLength(1);
  });

  it('prunes tree nodes of evicted templates', () => {
    const m = miner({ maxTemplates: 10 });
    for (let i = 0; i < 500; i++) m.add(`word${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))} only here`, i);
    expect(m.size).toBe(10);
    const roots = (m as unknown as { roots: Map<number, { children: Map<string, unknown> }> }).roots;
    expect(roots.get(3)!.children.size).toBe(10);
  });
});

describe('TemplateMiner snapshots', () => {
  it('round-trips through versioned JSON: same ids, same matches, new ids continue', () => {
    const ids = counter();
    const a = miner({}, ids);
    const lines = ['user 1 logged in from 10.0.0.1', 'user 2 logged in from 10.0.0.2', 'disk full on sda', 'disk full on sdb', 'job 7 done in 3 ms'];
    const got = lines.map((l) => a.add(l).templateId);
    const snap = a.snapshot();
    expect(JSON.parse(snap).version).toBe(1);
    const b = miner({}, counter(100));
    b.restoreSnapshot(snap);
    expect(lines.map((l) => b.match(l)?.templateId)).toEqual(got);
    expect(b.match('disk full on sdc')?.template).toBe('disk full on <*>');
    expect(b.add('something entirely new').templateId).toBe(101);
  });

  it('rejects another version or malformed data without changing the miner', () => {
    const m = miner();
    expect(() => m.restoreSnapshot('{"version":2,"templates":[]}')).toThrow(/version/);
    expect(() => m.restoreSnapshot('{"version":1,"templates":[{"id":"x"}]}')).toThrow(/malformed/);
    expect(() => m.restoreSnapshot('not json')).toThrow();
    expect(m.size).toBe(0);
  });
});
