import { describe, expect, it } from 'vitest';
import { ComponentMetrics } from '../../model/metrics.js';
import type { RawLine } from '../../model/record.js';
import { Decoder, flatten, type DecodeOptions } from './decoder.js';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const OPTS: DecodeOptions = { format: 'auto', messageFields: ['message', 'msg'], timestampFields: ['timestamp', 'time', 'ts'] };

function decode(text: string, opts: Partial<DecodeOptions> = {}, metrics?: ComponentMetrics) {
  const line: RawLine = { text, offset: 40, line: 3, truncated: false };
  return new Decoder({ ...OPTS, ...opts }, metrics).decode(line, 'src', NOW);
}

describe('Decoder: JSON lines', () => {
  it('flattens nested objects with dots and takes the message field', () => {
    const r = decode('{"message":"blocked request","httpRequest":{"country":"NL","headers":{"host":"a.example"}},"tags":["x","y"]}');
    expect(r.message).toBe('blocked request');
    expect(r.fields).toEqual({ message: 'blocked request', 'httpRequest.country': 'NL', 'httpRequest.headers.host': 'a.example', tags: ['x', 'y'] });
    expect(r).toMatchObject({ source: 'src', offset: 40, line: 3, ts: NOW, tsFromRecord: false, truncated: false });
  });

  it('uses the first message field holding a string', () => {
    expect(decode('{"message":5,"msg":"from msg"}').message).toBe('from msg');
  });

  it('mines a record without a message by its sorted key set', () => {
    const r = decode('{"b":1,"a":{"z":2,"y":3}}');
    expect(r.message).toBe('json{a.y a.z b}');
    expect(r.raw).toBe('{"b":1,"a":{"z":2,"y":3}}');
  });

  it('takes the time from epoch ms or ISO fields', () => {
    const ms = decode('{"timestamp":1763719200123,"message":"m"}');
    expect(ms.ts).toBe(1_763_719_200_123);
    expect(ms.tsFromRecord).toBe(true);
    expect(decode('{"time":"2026-11-21T10:00:00+01:00","message":"m"}').ts).toBe(Date.UTC(2026, 10, 21, 9));
    expect(decode('{"ts":1763719200,"message":"m"}').ts).toBe(1_763_719_200_000);
  });

  it('keeps a malformed JSON line as plain text and counts it in json format', () => {
    const metrics = new ComponentMetrics('decode');
    const r = decode('{"message": "oops", ', { format: 'json' }, metrics);
    expect(r.message).toBe('{"message": "oops", ');
    expect(r.fields).toEqual({});
    expect(r.ts).toBe(NOW);
    expect(metrics.errors['decode.json']).toBe(1);
    decode('[1,2,3]', { format: 'json' }, metrics);
    expect(metrics.errors['decode.json']).toBe(2);
  });

  it('does not count a brace-led free-text line as an error in auto format', () => {
    const metrics = new ComponentMetrics('decode');
    expect(decode('{not json} at all', {}, metrics).message).toBe('{not json} at all');
    expect(metrics.errors).toEqual({});
  });

  it('does not let __proto__ keys pollute prototypes', () => {
    const r = decode('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"message":"m"}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(r.fields)).toBeNull();
    expect(r.fields['__proto__.polluted']).toBe('yes');
    expect(r.fields['constructor.prototype.polluted']).toBe('yes');
    const top = decode('{"__proto__":"x","message":"m"}');
    expect(Object.keys(top.fields)).toEqual(['__proto__', 'message']);
    expect(top.fields.__proto__).toBe('x');
  });

  it('flatten keeps arrays and null as values', () => {
    expect(flatten({ a: { b: null, c: [1, { d: 2 }] } })).toEqual({ 'a.b': null, 'a.c': [1, { d: 2 }] });
  });
});

describe('Decoder: key=value and free text', () => {
  it('reads key=value pairs with quoted values in kv format', () => {
    const r = decode('level=warn msg="disk almost full" path=/var/log used=93%', { format: 'kv' });
    expect(r.fields).toEqual({ level: 'warn', msg: 'disk almost full', path: '/var/log', used: '93%' });
    expect(r.message).toBe(r.raw);
  });

  it('takes the time from a kv timestamp field', () => {
    const r = decode('ts=2026-11-21T10:00:00Z level=info', { format: 'kv' });
    expect(r.ts).toBe(Date.UTC(2026, 10, 21, 10));
    expect(r.tsFromRecord).toBe(true);
  });

  it('counts a kv-format line with fewer than two pairs as an error', () => {
    const metrics = new ComponentMetrics('decode');
    const r = decode('just words a=1', { format: 'kv' }, metrics);
    expect(r.fields).toEqual({});
    expect(metrics.errors['decode.kv']).toBe(1);
  });

  it('strips a leading timestamp from the message in auto format', () => {
    const r = decode('2026-11-21T10:00:00Z  worker 7 started');
    expect(r.message).toBe('worker 7 started');
    expect(r.raw).toBe('2026-11-21T10:00:00Z  worker 7 started');
    expect(r.ts).toBe(Date.UTC(2026, 10, 21, 10));
    expect(r.tsFromRecord).toBe(true);
  });

  it('keeps the whole text when there is nothing after the timestamp', () => {
    expect(decode('2026-11-21T10:00:00Z').message).toBe('2026-11-21T10:00:00Z');
  });

  it('keeps the leading time over a kv time field in auto format', () => {
    const r = decode('Nov 21 10:00:00 host user=bob time=1000000000');
    expect(r.message).toBe('host user=bob time=1000000000');
    expect(r.ts).toBe(Date.UTC(2026, 10, 21, 10));
    expect(r.fields).toEqual({ user: 'bob', time: '1000000000' });
  });

  it('plain format leaves the line alone', () => {
    const r = decode('2026-11-21T10:00:00Z {"a":1} k=v x=y', { format: 'plain' });
    expect(r.message).toBe('2026-11-21T10:00:00Z {"a":1} k=v x=y');
    expect(r.fields).toEqual({});
    expect(r.tsFromRecord).toBe(false);
  });
});

describe('Decoder: escapes', () => {
  it('unescapes quoted key=value values', () => {
    expect(decode('level=info msg="said \\"hi\\" there" path="C:\\\\tmp"').fields).toMatchObject({ msg: 'said "hi" there', path: 'C:\\tmp' });
  });
});

describe('Decoder: syslog, Postfix, access logs, user regex', () => {
  it('takes level and component from a header, program and pid from a syslog header', () => {
    const hdfs = decode('081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_3 terminating');
    expect(hdfs.message).toBe('PacketResponder 1 for block blk_3 terminating');
    expect(hdfs.fields).toMatchObject({ level: 'INFO', component: 'dfs.DataNode$PacketResponder' });
    const ssh = decode('Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186');
    expect(ssh.fields).toMatchObject({ program: 'sshd', pid: '24200' });
    expect(ssh.message).toBe('Invalid user webmaster from 173.234.31.186');
  });

  it('recognises Postfix lines: queue id as a field, key=value pairs kept with the header fields', () => {
    const r = decode('Nov 21 10:00:00 mx1 postfix/smtp[4321]: 3F2A81C0B4: to=<bob@example.org>, relay=mx.example.org[10.0.0.5]:25, delay=1.2, status=sent (250 ok)');
    expect(r.fields).toMatchObject({ program: 'postfix/smtp', pid: '4321', queueId: '3F2A81C0B4', to: '<bob@example.org>', status: 'sent' });
    expect(r.message.startsWith('to=<bob@example.org>')).toBe(true);
  });

  it('reads common/combined access logs into request fields', () => {
    const r = decode('10.1.2.3 - alice [21/Nov/2026:10:00:00 +0000] "GET /api/users/42 HTTP/1.1" 200 512 "-" "curl/8.5"');
    expect(r.fields).toMatchObject({ client: '10.1.2.3', user: 'alice', method: 'GET', path: '/api/users/42', status: '200', bytes: '512', userAgent: 'curl/8.5' });
    expect(r.message).toBe('GET /api/users/42 HTTP/1.1 200');
    expect(r.ts).toBe(Date.UTC(2026, 10, 21, 10));
  });

  it('applies a user regex with named groups; a line that does not match is kept and counted', () => {
    const m = new ComponentMetrics('d');
    const opts = { format: 'regex' as const, regex: '^(?<time>\\S+) \\[(?<level>\\w+)\\] (?<message>.*)$' };
    const r = decode('2026-11-21T10:00:00Z [warn] disk almost full', opts, m);
    expect(r.fields).toMatchObject({ level: 'warn' });
    expect(r.message).toBe('disk almost full');
    expect(r.ts).toBe(Date.UTC(2026, 10, 21, 10));
    const bad = decode('no brackets here', opts, m);
    expect(bad.message).toBe('no brackets here');
    expect(m.errors['decode.regex']).toBe(1);
  });
});

describe('Decoder: untrusted keys', () => {
  it('a __proto__=… pair in a line with header fields is not merged', () => {
    const r = decode('081109 203615 148 INFO dfs.X: a=1 __proto__=polluted b=2');
    expect(r.fields).toMatchObject({ level: 'INFO', a: '1', b: '2' });
    expect(Object.getPrototypeOf(r.fields)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
