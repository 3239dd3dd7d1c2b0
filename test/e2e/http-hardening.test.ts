/**
 * The token-less server on a real socket against other web sites (DNS rebinding, cross-origin posts),
 * and the replies the framework itself makes (timeouts, a bad URL): security headers, the documented
 * error shape, the documented time.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let port: number;
beforeAll(async () => {
  s = await startTestServer({ server: { requestTimeout: '1s', allowedHosts: ['logs.example.internal'] } });
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  port = (s.app.server.address() as AddressInfo).port;
});
afterAll(() => s.close());

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Writes `head` on a raw socket, then nothing more; resolves with what the server answers and when. */
function stall(head: string): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const sock = connect(port, '127.0.0.1', () => sock.write(head));
    let text = '';
    sock.setEncoding('utf8');
    sock.on('data', (c: string) => (text += c));
    sock.on('close', () => resolve({ text, ms: Date.now() - t0 }));
    sock.on('error', reject);
    sock.setTimeout(20_000, () => sock.destroy());
  });
}

function expectSecured(headers: Record<string, string | string[] | undefined> | string): void {
  const h = typeof headers === 'string' ? headers.toLowerCase() : Object.entries(headers).map(([k, v]) => `${k}: ${String(v)}`).join('\r\n');
  expect(h).toMatch(/content-security-policy: default-src 'self'/);
  expect(h).toMatch(/x-content-type-options: nosniff/);
  expect(h).toMatch(/x-frame-options: deny/i);
  expect(h).toMatch(/referrer-policy: no-referrer/);
}

const ingestCount = async (source: string) => (JSON.parse((await http('GET', `/api/sources`, { host: `127.0.0.1:${port}` })).body) as { items: Array<{ name: string; lines?: number }> }).items.find((x) => x.name === source);

describe('Host check (DNS rebinding)', () => {
  it('answers 421 to a Host that is not the bound address or a configured name', async () => {
    const evil = await http('GET', '/api/anomalies', { host: `rebind.evil.example:${port}` });
    expect(evil.status).toBe(421);
    expect(JSON.parse(evil.body)).toEqual({ error: { code: 'misdirected_request', message: expect.stringContaining('rebind.evil.example') } });
    expectSecured(evil.headers);
    expect((await http('GET', '/healthz', { host: 'rebind.evil.example' })).status).toBe(421);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', 'logs.example.internal', `[::1]:${port}`]) {
      expect((await http('GET', '/api/anomalies', { host })).status, host).toBe(200);
    }
  });
});

describe('cross-origin ingest', () => {
  it('refuses a text/plain POST from another origin (Origin or Sec-Fetch-Site); curl without Origin and the same origin are stored', async () => {
    const post = (source: string, headers: Record<string, string>) => http('POST', `/api/ingest?source=${source}`, { host: `127.0.0.1:${port}`, 'content-type': 'text/plain', ...headers }, 'one line from somewhere\n');
    const cross = await post('evil', { origin: 'http://evil.example' });
    expect(cross.status).toBe(403);
    expect(JSON.parse(cross.body).error.code).toBe('cross_origin');
    expect((await post('evil', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post('evil', { origin: 'null' })).status).toBe(403);
    expect(await ingestCount('evil')).toBeUndefined();
    expect((await post('curl', {})).status).toBe(200);
    expect((await post('same', { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });
});

describe('framework-level replies', () => {
  it('slow headers: 408 at server.requestTimeout, with the security headers and the error shape', async () => {
    const r = await stall(`GET /api/anomalies HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
    expect(r.text).toMatch(/^HTTP\/1\.1 408/);
    expect(r.ms).toBeLessThan(4000);
    expectSecured(r.text);
    expect(JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'request_timeout', message: expect.any(String) } });
  });

  it('slow body: 408 at server.requestTimeout', async () => {
    const r = await stall(`POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nsome`);
    expect(r.text).toMatch(/^HTTP\/1\.1 408/);
    expect(r.ms).toBeLessThan(4000);
    expectSecured(r.text);
  });

  it('a bad URL: 400 with the security headers and the error shape', async () => {
    const r = await http('GET', '/api/anomalies/%E0%A4%A', { host: `127.0.0.1:${port}` });
    expect(r.status).toBe(400);
    expectSecured(r.headers);
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
  });
});
