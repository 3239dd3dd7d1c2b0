/**
 * The dashboard: static files of the built dashboard (`dist/web`), with its index page for any other
 * page path (client-side routes); a placeholder page when it has not been built.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>logradar</title></head>
<body><h1>logradar</h1>
<p>The dashboard was not built. Build it with <code>npm run build</code> in the logradar package; the API is at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body></html>
`;

/** True when `webRoot` holds a built dashboard. */
export function hasDashboard(webRoot: string | undefined): webRoot is string {
  return webRoot !== undefined && existsSync(join(webRoot, 'index.html'));
}

/** Registers the dashboard's files (or the placeholder); true when a built dashboard is served. */
export async function webRoutes(app: FastifyInstance, webRoot: string | undefined): Promise<boolean> {
  if (hasDashboard(webRoot)) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', index: ['index.html'], wildcard: true });
    return true;
  }
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(PLACEHOLDER));
  return false;
}

/** A page path the dashboard routes itself (a reload of /anomalies/12): a GET outside the API that wants HTML. */
export function isPagePath(method: string, path: string, accept: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (path === '/metrics' || path === '/api' || path.startsWith('/api/') || /\.[a-z0-9]+$/i.test(path)) return false;
  return (accept ?? '').includes('text/html');
}
