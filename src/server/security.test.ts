/** Security by default: tokens and scopes, sessions, body limits (after decoding), rate limit, headers. */
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { ndjson, startTestServer, type TestServer } from '../../test/helpers/server.js';
import { Auth, checkBind, parseListen } from './auth.js';

const FULL = 'full-access-token-0123456789';
const READ = 'read-only-token-0123456789';
const INGEST = 'ingest-only-token-0123456789';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

let s: TestServer;
let app: FastifyInstance;
beforeAll(async () => {
  s = await startTestServer({ auth: { token: FULL, readTokens: [READ], ingestTokens: [INGEST] } });
  app = s.app;
  const r = await app.inject({ method: 'POST', url: '/api/ingest?source=app', headers: { ...bearer(INGEST), 'content-type': 'application/x-ndjson' }, payload: ndjson(30, [JSON.stringify({ level: 'FATAL', message: '<script>alert(1)</script> "><img src=x onerror=alert(1)>' })]) });
  expect(r.statusCode, r.body).toBe(200);
});
afterAll(() => s.close());

/** Every route of the app, from its OpenAPI document plus the routes outside /api. */
async function everyRoute(): Promise<Array<{ method: string; url: string }>> {
  const doc = (await app.inject({ url: '/api/openapi.json', headers: bearer(FULL) })).json() as { paths: Record<string, Record<string, unknown>> };
  const routes = [
    { method: 'GET', url: '/metrics' },
    { method: 'GET', url: '/api/openapi.json' },
  ];
  for (const [path, ops] of Object.entries(doc.paths)) for (const m of Object.keys(ops)) routes.push({ method: m.toUpperCase(), url: path.replace('{id}', '1') });
  return routes;
}

describe('with a token configured', () => {
  it('every route without a token answers 401, except /healthz, the session routes and the page', async () => {
    const routes = await everyRoute();
    expect(routes.length).toBeGreaterThanOrEqual(14);
    const open = new Set(['GET /api/session', 'POST /api/session', 'DELETE /api/session']);
    for (const r of routes) {
      if (open.has(`${r.method} ${r.url}`)) continue;
      const res = await app.inject({ method: r.method as 'GET', url: r.url, payload: r.method === 'POST' ? {} : undefined });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
      expect(res.headers['www-authenticate']).toContain('Bearer');
      const wrong = await app.inject({ method: r.method as 'GET', url: r.url, headers: bearer('not-a-token') });
      expect(wrong.statusCode, `${r.method} ${r.url} with a wrong token`).toBe(401);
    }
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/anomalies', headers: { authorization: 'Basic abc' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/anomalies', headers: bearer(FULL) })).statusCode).toBe(200);
  });

  it('a read-only token reads but may not ingest or give feedback (403); an ingest token only ingests', async () => {
    expect((await app.inject({ url: '/api/anomalies', headers: bearer(READ) })).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics', headers: bearer(READ) })).statusCode).toBe(200);
    const ingest = await app.inject({ method: 'POST', url: '/api/ingest', headers: { ...bearer(READ), 'content-type': 'text/plain' }, payload: 'x' });
    expect(ingest.statusCode).toBe(403);
    expect(ingest.json().error.code).toBe('forbidden');
    const id = (await app.inject({ url: '/api/anomalies', headers: bearer(READ) })).json().items[0].id;
    expect((await app.inject({ method: 'POST', url: `/api/anomalies/${id}/feedback`, headers: bearer(READ), payload: { action: 'confirm' } })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/anomalies', headers: bearer(INGEST) })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: `/api/anomalies/${id}/feedback`, headers: bearer(FULL), payload: { action: 'confirm' } })).statusCode).toBe(201);
  });

  it('log text comes back as JSON data, never as HTML', async () => {
    const r = await app.inject({ url: '/api/anomalies', headers: bearer(READ) });
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(r.json().items[0].raw).message).toBe('<script>alert(1)</script> "><img src=x onerror=alert(1)>');
  });

  it('sign-in exchanges a token for an HttpOnly SameSite=Strict cookie that reads, streams and writes but does not ingest', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/session', payload: { token: 'nope' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/session', payload: { token: INGEST } })).statusCode).toBe(403);
    const signIn = await app.inject({ method: 'POST', url: '/api/session', payload: { token: FULL } });
    expect(signIn.statusCode).toBe(204);
    const setCookie = String(signIn.headers['set-cookie']);
    expect(setCookie).toMatch(/^logradar_session=[\w-]{40,};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    const cookie = setCookie.split(';')[0];
    expect((await app.inject({ url: '/api/session', headers: { cookie } })).json()).toEqual({ auth: 'required', signedIn: true, scopes: ['read', 'write'] });
    expect((await app.inject({ url: '/api/session' })).json()).toEqual({ auth: 'required', signedIn: false, scopes: [] });
    expect((await app.inject({ url: '/api/sources', headers: { cookie } })).statusCode).toBe(200);
    const stream = await app.inject({ url: '/api/stream', headers: { cookie }, payloadAsStream: true });
    expect(stream.statusCode).toBe(200);
    stream.stream().destroy();
    const id = (await app.inject({ url: '/api/anomalies', headers: { cookie } })).json().items[0].id;
    expect((await app.inject({ method: 'POST', url: `/api/anomalies/${id}/feedback`, headers: { cookie }, payload: { action: 'confirm', by: 'cookie' } })).statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: '/api/ingest', headers: { cookie, 'content-type': 'text/plain' }, payload: 'x' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/sources', headers: { cookie: 'logradar_session=forged' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } })).statusCode).toBe(204);
    expect((await app.inject({ url: '/api/sources', headers: { cookie } })).statusCode).toBe(401);
    const readSession = await app.inject({ method: 'POST', url: '/api/session', payload: { token: READ } });
    const readCookie = String(readSession.headers['set-cookie']).split(';')[0];
    expect((await app.inject({ method: 'POST', url: `/api/anomalies/${id}/feedback`, headers: { cookie: readCookie }, payload: { action: 'confirm' } })).statusCode).toBe(403);
  });

  it('every reply carries the security headers, errors too', async () => {
    for (const r of [await app.inject({ url: '/api/sources' }), await app.inject({ url: '/healthz' }), await app.inject({ url: '/' })]) {
      expect(r.headers['content-security-policy']).toMatch(/^default-src 'self'/);
      expect(r.headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
  });
});

describe('body limit (1 MiB, after decoding)', () => {
  const headers = { ...bearer(FULL), 'content-type': 'text/plain' };

  it('a 2 MiB body is refused with 413', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/ingest', headers, payload: 'x'.repeat(2 * 1024 * 1024) });
    expect(r.statusCode).toBe(413);
    expect(r.json().error.code).toBe('payload_too_large');
  });

  it('a gzip bomb (64 KiB that inflate to 64 MiB) is refused at the decoded limit; a body under it passes', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 'a'));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const r = await app.inject({ method: 'POST', url: '/api/ingest', headers: { ...headers, 'content-encoding': 'gzip' }, payload: bomb });
    expect(r.statusCode).toBe(413);
    expect(r.json().error.message).toContain('decoded body exceeds');
    const ok = gzipSync(Buffer.from('fine line\n'.repeat(100_000)));
    const r2 = await app.inject({ method: 'POST', url: '/api/ingest?source=zip', headers: { ...headers, 'content-encoding': 'gzip' }, payload: ok });
    expect(r2.json()).toEqual({ accepted: 100_000, rejected: 0 });
  });
});

describe('rate limit', () => {
  it('per token (or address): 429 with Retry-After beyond the limit', async () => {
    const t = await startTestServer({ auth: { token: FULL, readTokens: [READ] }, server: { rateLimit: { max: 3, window: '1m' } } });
    try {
      for (let i = 0; i < 3; i++) expect((await t.app.inject({ url: '/api/sources', headers: bearer(FULL) })).statusCode).toBe(200);
      const r = await t.app.inject({ url: '/api/sources', headers: bearer(FULL) });
      expect(r.statusCode).toBe(429);
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(r.json().error.code).toBe('rate_limited');
      // another token has its own budget; health checks are never limited
      expect((await t.app.inject({ url: '/api/sources', headers: bearer(READ) })).statusCode).toBe(200);
      for (let i = 0; i < 5; i++) expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      // guessing tokens spends the budget of the address
      for (let i = 0; i < 3; i++) expect((await t.app.inject({ url: '/api/sources', headers: bearer(`guess-${i}`) })).statusCode).toBe(401);
      expect((await t.app.inject({ url: '/api/sources', headers: bearer('guess-4') })).statusCode).toBe(429);
    } finally {
      await t.close();
    }
  });
});

describe('auth pieces', () => {
  it('tokens compare by digest; scopes add up; sessions carry scopes and end', () => {
    const a = new Auth({ token: 'full', readTokens: ['r'], ingestTokens: ['i', 'full'] });
    expect(a.tokenScopes('full')).toEqual(['read', 'write', 'ingest']);
    expect(a.tokenScopes('r')).toEqual(['read']);
    expect(a.tokenScopes('fulll')).toBeUndefined();
    expect(a.tokenScopes('')).toBeUndefined();
    const id = a.openSession(['read']);
    expect(a.sessionScopes(id)).toEqual(['read']);
    expect(a.sessionScopes(id, Date.now() + 13 * 3_600_000)).toBeUndefined();
    expect(new Auth({ readTokens: [], ingestTokens: [] }).required).toBe(false);
  });

  it('binding beyond loopback needs a token; LOGRADAR_TOKEN counts as one', () => {
    const cfg = (listen: string, env: NodeJS.ProcessEnv = {}) => loadConfig({ overrides: { server: { listen } }, env });
    expect(checkBind(cfg('127.0.0.1:7420'))).toEqual({ host: '127.0.0.1', port: 7420 });
    expect(checkBind(cfg('[::1]:0'))).toEqual({ host: '::1', port: 0 });
    expect(() => checkBind(cfg('0.0.0.0:7420'))).toThrow(/auth\.token.*LOGRADAR_TOKEN/);
    expect(() => checkBind(cfg('0.0.0.0:7420'))).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(cfg('0.0.0.0:1', { LOGRADAR_TOKEN: 'from-env' }).auth.token).toBe('from-env');
    expect(checkBind(cfg('0.0.0.0:1', { LOGRADAR_TOKEN: 'from-env' })).host).toBe('0.0.0.0');
    expect(() => parseListen('nohostport')).toThrow();
  });

  it('the request timeout reaches the socket server', () => {
    expect(app.server.requestTimeout).toBe(s.config.server.requestTimeout);
  });
});
