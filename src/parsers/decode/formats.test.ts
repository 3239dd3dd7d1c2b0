/** The format decoders: syslog with <PRI>, nginx/Apache error logs, AWS records and exports, stack traces. */
import { describe, expect, it } from 'vitest';
import { ComponentMetrics } from '../../model/metrics.js';
import type { ParsedRecord, RawLine } from '../../model/record.js';
import { Decoder, type DecodeOptions } from './decoder.js';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const BASE: DecodeOptions = { format: 'auto', messageFields: ['message', 'msg'], timestampFields: ['timestamp', 'time', 'eventTime'] };

function decoder(format: DecodeOptions['format'] = 'auto') {
  const metrics = new ComponentMetrics('decode');
  return { d: new Decoder({ ...BASE, format }, metrics), metrics };
}

function line(text: string, at = { offset: 100, line: 7 }): RawLine {
  return { text, offset: at.offset, line: at.line, truncated: false };
}

function one(text: string, format: DecodeOptions['format'] = 'auto') {
  const { d, metrics } = decoder(format);
  const out: ParsedRecord[] = [];
  d.decodeMany(line(text), 'src', NOW, out);
  expect(out).toHaveLength(1);
  return { rec: out[0], errors: metrics.errors };
}

describe('syslog with <PRI>', () => {
  it('RFC 5424: header fields, facility and severity from PRI, structured data as fields, BOM dropped', () => {
    const { rec, errors } = one(
      '<165>1 2026-11-21T10:00:00.003Z mymachine.example.com evntslog 4711 ID47 [exampleSDID@32473 iut="3" eventSource="Appl\\"ic\\]ation"][meta seq="7"] \ufeffAn application event log entry 12',
    );
    expect(rec.fields).toEqual({
      'exampleSDID@32473.iut': '3',
      'exampleSDID@32473.eventSource': 'Appl"ic]ation',
      'meta.seq': '7',
      facility: 'local4',
      severity: 'notice',
      level: 'NOTICE',
      host: 'mymachine.example.com',
      program: 'evntslog',
      pid: '4711',
      msgid: 'ID47',
    });
    expect(rec.message).toBe('An application event log entry 12');
    expect(rec.ts).toBe(Date.UTC(2026, 10, 21, 10, 0, 0, 3));
    expect(rec.tsFromRecord).toBe(true);
    expect(errors).toEqual({});
  });

  it('RFC 5424 with nil values and no MSG: the message names the structured data', () => {
    const { rec } = one('<14>1 - - - - - [heartbeat@1 n="1"]');
    expect(rec.fields).toMatchObject({ facility: 'user', severity: 'info', 'heartbeat@1.n': '1' });
    expect(rec.fields.host).toBeUndefined();
    expect(rec.message).toBe('[heartbeat@1]');
    expect(rec.tsFromRecord).toBe(false);
  });

  it('RFC 5424 Postfix: the queue id is a field and key=value pairs are kept', () => {
    const { rec } = one('<22>1 2026-11-21T10:00:00Z mx1 postfix/smtp 4321 - - 3F2A81C0B4: to=<bob@example.org>, relay=mx.example.org[10.0.0.5]:25, status=sent (250 ok)');
    expect(rec.fields).toMatchObject({ facility: 'mail', severity: 'info', program: 'postfix/smtp', pid: '4321', queueId: '3F2A81C0B4', status: 'sent' });
    expect(rec.message.startsWith('to=<bob@example.org>')).toBe(true);
  });

  it('RFC 3164 after <PRI>: time, host and prog[pid] as with plain syslog, severity as the level', () => {
    const { rec } = one("<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick on /dev/pts/8");
    expect(rec.fields).toEqual({ program: 'su', pid: '230', facility: 'auth', severity: 'crit', level: 'CRIT' });
    expect(rec.message).toBe("'su root' failed for lonvick on /dev/pts/8");
    expect(rec.ts).toBe(Date.UTC(2026, 9, 11, 22, 14, 15));
    const iso = one('<13>2026-11-21T10:00:00Z web01 nginx: reloaded').rec;
    expect(iso.fields).toMatchObject({ program: 'nginx', facility: 'user', severity: 'notice' });
    expect(iso.message).toBe('reloaded');
  });

  it('malformed lines are kept as text: counted with --format syslog, silently in auto', () => {
    for (const bad of ['<13>1 2026-11-21T10:00:00Z host app - - [unterminated x="1"', '<999>Oct 11 22:14:15 host x: y', '<13>1  double space', 'no syslog at all']) {
      const s = one(bad, 'syslog');
      expect(s.rec.raw).toBe(bad);
      expect(s.errors['decode.syslog'], bad).toBe(1);
      const a = one(bad, 'auto');
      expect(a.errors).toEqual({});
    }
    expect(one('<13>1 2026-11-21T10:00:00Z host app - - [unterminated x="1"', 'syslog').rec.message).toBe('<13>1 2026-11-21T10:00:00Z host app - - [unterminated x="1"');
    // without <PRI>, --format syslog still reads RFC 3164
    expect(one('Nov 21 10:00:00 host cron[12]: job done', 'syslog')).toMatchObject({ rec: { message: 'job done', fields: { program: 'cron', pid: '12' } }, errors: {} });
  });
});

describe('nginx and Apache error logs', () => {
  it('nginx: level, pid, tid, connection; the trailing `, key: value` pairs are fields', () => {
    const { rec } = one(
      '2026/11/21 10:00:00 [error] 123#0: *45 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 1.2.3.4, server: www.example.org, request: "GET /favicon.ico HTTP/1.1", host: "www.example.org"',
    );
    expect(rec.fields).toEqual({ level: 'ERROR', pid: '123', tid: '0', connection: '45', client: '1.2.3.4', server: 'www.example.org', request: 'GET /favicon.ico HTTP/1.1', host: 'www.example.org' });
    expect(rec.message).toBe('open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory)');
    expect(rec.ts).toBe(Date.UTC(2026, 10, 21, 10));
    const notice = one('2026/11/21 10:00:00 [notice] 1#1: signal process started').rec;
    expect(notice.fields).toEqual({ level: 'NOTICE', pid: '1', tid: '1' });
    expect(notice.message).toBe('signal process started');
  });

  it('Apache 2.4: module, level, pid, tid and client; Apache 2.2 keeps its message and gains the client field', () => {
    const { rec } = one('[Sat Nov 21 10:00:00.123456 2026] [core:error] [pid 2345:tid 140] [client 10.0.0.9:51234] AH00124: Request exceeded the limit of 10 internal redirects');
    expect(rec.fields).toEqual({ level: 'ERROR', module: 'core', pid: '2345', tid: '140', client: '10.0.0.9:51234' });
    expect(rec.message).toBe('[client 10.0.0.9:51234] AH00124: Request exceeded the limit of 10 internal redirects');
    const old = one('[Sun Dec 04 05:15:09 2005] [error] [client 222.166.160.184] Directory index forbidden by rule: /var/www/html/').rec;
    expect(old.fields).toMatchObject({ level: 'ERROR', client: '222.166.160.184' });
    expect(old.message).toBe('[client 222.166.160.184] Directory index forbidden by rule: /var/www/html/');
  });

  it('--format nginx/apache reads error and access lines; anything else is kept and counted', () => {
    expect(one('2026/11/21 10:00:00 [warn] 9#9: *1 upstream response is buffered', 'nginx').rec.fields).toMatchObject({ level: 'WARN', connection: '1' });
    expect(one('10.1.2.3 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5', 'nginx').rec.message).toBe('GET / HTTP/1.1 200');
    expect(one('[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok', 'apache').rec.message).toBe('workerEnv.init() ok');
    for (const bad of ['2026/11/21 10:00:00 no level here', 'GET / HTTP/1.1']) {
      const r = one(bad, 'nginx');
      expect(r.rec.message).toBe(bad);
      expect(r.errors['decode.nginx']).toBe(1);
    }
  });
});

const WAF = {
  timestamp: 1763719200123,
  formatVersion: 1,
  webaclId: 'arn:aws:wafv2:us-east-1:111122223333:regional/webacl/demo/a1b2',
  terminatingRuleId: 'AWS-AWSManagedRulesSQLiRuleSet',
  terminatingRuleType: 'MANAGED_RULE_GROUP',
  action: 'BLOCK',
  httpSourceName: 'ALB',
  httpRequest: {
    clientIp: '198.51.100.7',
    country: 'NL',
    headers: [
      { name: 'Host', value: 'shop.example.org' },
      { name: 'User-Agent', value: 'curl/8.5' },
    ],
    uri: '/api/orders/42',
    args: 'id=1%27%20OR%201=1',
    httpMethod: 'GET',
  },
  labels: [{ name: 'awswaf:managed:aws:sql-database:SQLi_QueryArguments' }],
};

const TRAIL = {
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', userName: 'bob' },
  eventTime: '2026-11-21T10:00:05Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'CreateUser',
  errorCode: 'AccessDenied',
  awsRegion: 'us-east-1',
  sourceIPAddress: '203.0.113.9',
};

describe('AWS records', () => {
  it('WAF: the message is action, terminating rule, method and uri; headers become named fields', () => {
    const { rec } = one(JSON.stringify(WAF));
    expect(rec.message).toBe('BLOCK AWS-AWSManagedRulesSQLiRuleSet GET /api/orders/42');
    expect(rec.fields).toMatchObject({ action: 'BLOCK', 'httpRequest.country': 'NL', 'httpRequest.headers.host': 'shop.example.org', 'httpRequest.headers.user-agent': 'curl/8.5' });
    expect(rec.fields['httpRequest.headers']).toBeUndefined();
    expect(rec.ts).toBe(1763719200123);
    // --format json stays generic (the WAF preset monitors fields and mines the record's shape)
    expect(one(JSON.stringify(WAF), 'json').rec.message).toMatch(/^json\{/);
  });

  it('CloudTrail JSON lines: eventSource eventName [errorCode] with the event time', () => {
    const { rec } = one(JSON.stringify(TRAIL), 'cloudtrail');
    expect(rec.message).toBe('iam.amazonaws.com CreateUser AccessDenied');
    expect(rec.fields).toMatchObject({ eventName: 'CreateUser', eventSource: 'iam.amazonaws.com', errorCode: 'AccessDenied', 'userIdentity.userName': 'bob' });
    expect(rec.ts).toBe(Date.UTC(2026, 10, 21, 10, 0, 5));
    expect(one(JSON.stringify({ ...TRAIL, errorCode: undefined })).rec.message).toBe('iam.amazonaws.com CreateUser');
  });

  it('a CloudTrail export is split into its records, each with its own text, line and offset (compact or pretty)', () => {
    const a = { ...TRAIL, eventName: 'GetObject', eventSource: 's3.amazonaws.com', errorCode: undefined };
    for (const text of [JSON.stringify({ Records: [a, TRAIL] }), JSON.stringify({ Records: [a, TRAIL] }, null, 2)]) {
      const { d } = decoder('auto');
      const out: ParsedRecord[] = [];
      d.decodeMany(line(text, { offset: 1000, line: 10 }), 'src', NOW, out);
      expect(out.map((r) => r.message)).toEqual(['s3.amazonaws.com GetObject', 'iam.amazonaws.com CreateUser AccessDenied']);
      for (const r of out) {
        expect(JSON.parse(r.raw)).toMatchObject({ eventVersion: '1.08' });
        // line and offset point at the record's first character in the file
        const before = text.slice(0, text.indexOf(r.raw));
        expect(r.line).toBe(10 + before.split('\n').length - 1);
        expect(r.offset).toBe(1000 + Buffer.byteLength(before));
      }
    }
  });

  it('CloudWatch Logs exports: the message is decoded again (JSON, or text with headers); the stream stays a field', () => {
    const ct = one(JSON.stringify({ timestamp: 1763719205000, message: JSON.stringify(TRAIL), logStream: '111122223333_CloudTrail_us-east-1', logGroup: 'trail' }));
    expect(ct.rec.message).toBe('iam.amazonaws.com CreateUser AccessDenied');
    expect(ct.rec.fields).toMatchObject({ eventName: 'CreateUser', logStream: '111122223333_CloudTrail_us-east-1', logGroup: 'trail' });

    const lambda = one(JSON.stringify({ timestamp: 1763719205000, message: '2026-11-21T10:00:06.500Z\tc0ffee00-1111-2222-3333-444455556666\tERROR\tpayment 42 failed', logStream: '2026/11/21/[$LATEST]abc' }), 'cloudwatch');
    expect(lambda.rec.message).toBe('payment 42 failed');
    expect(lambda.rec.fields).toMatchObject({ level: 'ERROR', logStream: '2026/11/21/[$LATEST]abc' });
    expect(lambda.rec.ts).toBe(Date.UTC(2026, 10, 21, 10, 0, 6, 500));
    expect(lambda.errors).toEqual({});

    const plain = one(JSON.stringify({ timestamp: 1763719205000, message: 'START RequestId: 42 Version: $LATEST', logStream: 's' }), 'cloudwatch');
    expect(plain.rec.message).toBe('START RequestId: 42 Version: $LATEST');
    expect(plain.rec.ts).toBe(1763719205000);
  });

  it('a CloudWatch subscription payload gives one record per log event with the group and stream', () => {
    const payload = { messageType: 'DATA_MESSAGE', owner: '111122223333', logGroup: 'app', logStream: 'web-1', logEvents: [{ id: '1', timestamp: 1763719200000, message: 'GET /health 200' }, { id: '2', timestamp: 1763719201000, message: '{"msg":"cache miss","key":"k9"}' }] };
    const { d } = decoder('cloudwatch');
    const out: ParsedRecord[] = [];
    d.decodeMany(line(JSON.stringify(payload)), 'src', NOW, out);
    expect(out.map((r) => r.message)).toEqual(['GET /health 200', 'cache miss']);
    expect(out[1].fields).toMatchObject({ key: 'k9', logGroup: 'app', logStream: 'web-1', owner: '111122223333' });
    expect(out[0].ts).toBe(1763719200000);
  });

  it('malformed records are kept as text and counted with an AWS format; never a crash', () => {
    const cases = ['{"Records": [{"eventName": "x"', 'not json', '{"some":"json","but":"not aws"}', '[1,2', '{"Records": [1, "x"]}'];
    for (const text of cases) {
      const { d, metrics } = decoder('cloudtrail');
      const out: ParsedRecord[] = [];
      d.decodeMany(line(text), 'src', NOW, out);
      expect(out.length, text).toBeGreaterThan(0);
      expect(out.every((r) => r.raw.length > 0 && r.message.length > 0)).toBe(true);
      expect(metrics.errors['decode.cloudtrail'], text).toBeGreaterThan(0);
    }
    const broken = one('{"Records": [{"eventName": "x"', 'cloudtrail').rec;
    expect(broken.message).toBe('{"Records": [{"eventName": "x"');
    expect(broken.fields).toEqual({});
  });
});

describe('multi-line records (grouped upstream)', () => {
  it('a Java stack trace is decoded by its first line; the exception joins the message', () => {
    const { rec } = one(
      [
        '2026-11-21 10:00:00,123 ERROR [main] OrderService: failed to process order 42',
        'java.lang.IllegalStateException: connection 7 refused',
        '\tat com.shop.OrderService.process(OrderService.java:88)',
        'Caused by: java.net.ConnectException: refused',
        '\t... 3 more',
      ].join('\n'),
    );
    expect(rec.message).toBe('failed to process order 42 java.lang.IllegalStateException: connection 7 refused');
    expect(rec.fields).toMatchObject({ level: 'ERROR', component: 'OrderService', exception: 'java.lang.IllegalStateException' });
  });

  it('a Python traceback adds its last exception line', () => {
    const { rec } = one(['2026-11-21 10:00:00 ERROR worker: job 9 crashed', 'Traceback (most recent call last):', '  File "w.py", line 3, in run', '    x = d["k"]', "KeyError: 'k'"].join('\n'));
    expect(rec.message).toBe("job 9 crashed KeyError: 'k'");
    expect(rec.fields.exception).toBe('KeyError');
  });
});
