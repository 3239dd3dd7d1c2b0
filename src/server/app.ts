/**
 * The HTTP server (fastify): REST API, live stream, HTTP ingest, Prometheus metrics and the dashboard,
 * over the store and (when one runs) the pipeline of the same process. `buildServer` returns the app
 * without listening, so tests drive it with `inject()`; `listen()` binds it.
 *
 * Order of the request hooks matters: security headers first (every reply carries them, errors too),
 * cookies, the rate limit (before auth, so guessing tokens is limited too), then auth.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { MetricsRegistry } from '../model/metrics.js';
import type { LogStore, StoredAnomaly } from '../model/store.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { HttpSource } from '../sources/http.js';
import { Auth, checkBind, SESSION_COOKIE, type Scope } from './auth.js';
import type { ServerContext } from './context.js';
import { httpError } from './errors.js';
import { crossOrigin, hostAllowed, hostNames } from './origin.js';
import { promMetrics } from './prom.js';
import { anomalyRoutes } from './routes/anomalies.js';
import { incidentRoutes } from './routes/incidents.js';
import { healthRoutes } from './routes/health.js';
import { ingestRoutes } from './routes/ingest.js';
import { seriesRoutes } from './routes/series.js';
import { bearerToken, sessionRoutes } from './routes/session.js';
import { sourceRoutes } from './routes/sources.js';
import { streamRoutes } from './routes/stream.js';
import { templateRoutes } from './routes/templates.js';
import { isPagePath, webRoutes } from './routes/web.js';
import { apiAnomaly } from './shapes.js';
import { StreamHub } from './stream.js';
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export const VERSION = '0.1.0';

export interface ServerOptions {
  config: Config;
  store: LogStore;
  pipeline?: Pipeline;
  metrics: MetricsRegistry;
  log: Logger;
  /** Directory of the built dashboard (index.html and assets); a placeholder page without it. */
  webRoot?: string;
  /** The HTTP ingest source the pipeline runs; without it ingest answers 503. */
  ingest?: HttpSource;
  /** SSE heartbeat (default 15 s). */
  heartbeatMs?: number;
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const { config, store, pipeline, metrics, log } = opts;
  const app = Fastify({
    logger: false,
    bodyLimit: config.server.bodyLimit,
    requestTimeout: config.server.requestTimeout,
    // Node's own defaults would give headers 60 s, and look at the clock only every 30 s
    http: { requestTimeout: config.server.requestTimeout, headersTimeout: config.server.requestTimeout, connectionsCheckingInterval: Math.min(1000, config.server.requestTimeout) },
    // replies made before a route is found (timeouts, a bad URL) carry the headers and shape of every other
    clientErrorHandler: clientError,
    frameworkErrors: (err, _req, reply) => {
      void (reply as FastifyReply).headers(SECURITY_HEADERS).code(400).send({ error: { code: 'bad_request', message: err.message } });
    },
    // hijacked event streams are ended by the hub on close; idle keep-alive sockets are closed too
    forceCloseConnections: 'idle',
    ajv: { customOptions: { coerceTypes: 'array', useDefaults: true, removeAdditional: true, allErrors: false } },
  });
  const auth = new Auth(config.auth);
  const hub = new StreamHub(opts.heartbeatMs ?? 15_000);
  const prom = promMetrics(metrics, pipeline, store);
  const ctx: ServerContext = { config, store, queries: store.queries, pipeline, metrics, log, auth, hub, prom, ingest: opts.ingest, startedAt: Date.now(), version: VERSION };

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'self'"], baseUri: ["'self'"], formAction: ["'self'"], frameAncestors: ["'none'"], objectSrc: ["'none'"] },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // plain HTTP on loopback by default: HSTS would pin a host name to HTTPS it does not serve
    strictTransportSecurity: false,
  });
  // before anything else answers: a page of another site in the user's browser gets nothing
  const names = hostNames(config);
  app.addHook('onRequest', async (req) => {
    if (!hostAllowed(req.headers.host, names)) throw httpError(421, 'misdirected_request', `this server does not answer to Host ${JSON.stringify(req.headers.host)} (add it to server.allowedHosts)`);
    const cross = crossOrigin(req);
    if (cross) throw httpError(403, 'cross_origin', `refused a request from another site (${cross})`);
  });
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'logradar API', version: VERSION, description: 'See docs/api.md. Log text in responses is data: render it as text.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } },
      security: [{ bearer: [] }, { session: [] }],
    },
  });

  // an app-wide hook, not the plugin's per-route ones: those would run after auth and let token guessing go unlimited
  app.addHook(
    'onRequest',
    app.rateLimit({
      max: config.server.rateLimit.max,
      timeWindow: config.server.rateLimit.window,
      keyGenerator: (req) => rateKey(req, auth),
      allowList: (req) => req.routeOptions.url === '/healthz',
      errorResponseBuilder: (_req, c) => ({ statusCode: 429, code: 'rate_limited', message: `rate limit exceeded, retry in ${c.after}` }),
    }),
  );
  app.addHook('onRequest', async (req, reply) => {
    const need = routeScope(req);
    if (need === 'public' || !auth.required) return;
    const bearer = bearerToken(req.headers.authorization);
    // the cookie serves the dashboard (read, feedback); machines ingest with their token
    const scopes = bearer !== undefined ? auth.tokenScopes(bearer) : need === 'ingest' ? undefined : auth.sessionScopes(req.cookies[SESSION_COOKIE]);
    if (!scopes) {
      reply.header('www-authenticate', 'Bearer realm="logradar"');
      throw httpError(401, 'unauthorized', 'a token is required: Authorization: Bearer <token>, or sign in');
    }
    if (!scopes.includes(need)) throw httpError(403, 'forbidden', `this token may not ${need === 'read' ? 'read' : need === 'ingest' ? 'ingest' : 'write'}`);
  });
  app.addHook('onResponse', async (req, reply) => {
    prom.httpRequests.inc({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });
  app.addHook('preClose', async () => hub.close());

  app.setErrorHandler((err: FastifyError | Record<string, unknown>, _req, reply) => {
    const e = err as Partial<FastifyError> & { statusCode?: number; code?: string; message?: string };
    let status = typeof e.statusCode === 'number' && e.statusCode >= 400 ? e.statusCode : 500;
    let code: string;
    if (e.validation) {
      status = 400;
      code = 'bad_request';
    } else if (status === 413) code = 'payload_too_large';
    else if (status === 415) code = 'unsupported_media_type';
    else if (status === 429) code = 'rate_limited';
    else if (typeof e.code === 'string' && !e.code.startsWith('FST_') && status < 500) code = e.code;
    else code = status >= 500 ? 'internal' : 'bad_request';
    if (status >= 500 && code === 'internal') log.error({ err: e.message, stack: (e as Error).stack }, 'request failed');
    const message = status >= 500 && code === 'internal' ? 'internal error' : (e.message ?? 'error');
    return reply.code(status).send({ error: { code, message } });
  });
  let dashboard = false;
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    if (dashboard && isPagePath(req.method, path, req.headers.accept)) return reply.sendFile('index.html');
    return reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${path}` } });
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  healthRoutes(app, ctx);
  sessionRoutes(app, ctx);
  sourceRoutes(app, ctx);
  templateRoutes(app, ctx);
  anomalyRoutes(app, ctx);
  incidentRoutes(app, ctx);
  seriesRoutes(app, ctx);
  streamRoutes(app, ctx);
  ingestRoutes(app, ctx);
  dashboard = await webRoutes(app, opts.webRoot);

  if (pipeline) {
    pipeline.onAnomaly((a) => {
      prom.anomaly(a);
      if (a.id !== undefined) hub.send('anomaly', apiAnomaly({ created: Date.now(), ...a } as StoredAnomaly));
    });
    pipeline.onSuppressed((a) => prom.anomaly(a));
    pipeline.onSeries((rows) => {
      for (const r of rows) hub.send('series', { source: r.source, key: r.key, t: r.start, value: r.value });
    });
  }
  return app;
}

/** Helmet's headers as configured above, for the replies made before helmet's hook runs. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self';base-uri 'self';form-action 'self';frame-ancestors 'none';object-src 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** Errors of the HTTP parser and the request timeout, answered on the raw socket (no request object yet). */
function clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request_timeout', 'the request was not sent within server.requestTimeout']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers_too_large', 'request headers too large']
        : [400, 'bad_request', 'malformed request'];
  if (socket.writable) {
    const body = JSON.stringify({ error: { code, message } });
    const headers = { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), connection: 'close' };
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`);
  }
  socket.destroy();
}

/** The scope a route needs: the page, its assets, health and sign-in are open. */
function routeScope(req: FastifyRequest): Scope | 'public' {
  const url = req.routeOptions.url;
  const read = req.method === 'GET' || req.method === 'HEAD';
  if (url === '/healthz' || url === '/api/session') return 'public';
  if (url === '/api/ingest') return 'ingest';
  // by the route matched and by the path asked for: the dashboard's catch-all route must not open /api/*
  const isApi = (p: string) => p === '/metrics' || p === '/api' || p.startsWith('/api/');
  const api = (url !== undefined && isApi(url)) || isApi(req.url.split('?')[0]);
  if (!api && read) return 'public';
  return read ? 'read' : 'write';
}

/** Rate limit key: a known token or session, else the client address (unknown tokens share their address's budget). */
function rateKey(req: FastifyRequest, auth: Auth): string {
  const bearer = bearerToken(req.headers.authorization);
  if (bearer && auth.tokenScopes(bearer)) return 't:' + createHash('sha256').update(bearer).digest('base64url');
  const sid = req.cookies?.[SESSION_COOKIE];
  if (sid && auth.sessionScopes(sid)) return 's:' + sid;
  return 'ip:' + req.ip;
}

/** Listens on `server.listen`; refuses (exit 2) an address other than loopback without a token. */
export async function listen(app: FastifyInstance, config: Config): Promise<string> {
  const { host, port } = checkBind(config);
  await app.listen({ host, port });
  const a = app.server.address();
  if (a && typeof a === 'object') return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  return `http://${host}:${port}`;
}
