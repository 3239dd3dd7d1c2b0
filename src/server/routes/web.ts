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

export async function webRoutes(app: FastifyInstance, webRoot: string | undefined): Promise<void> {
  if (hasDashboard(webRoot)) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', index: ['index.html'], wildcard: true });
    return;
  }
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(PLACEHOLDER));
}
