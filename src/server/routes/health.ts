/** `GET /healthz` (open, not rate limited) and `GET /metrics` (Prometheus text). */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/healthz',
    {
      config: { rateLimit: false },
      schema: { hide: true, response: { 200: { type: 'object', properties: { status: { type: 'string' }, version: { type: 'string' }, uptimeS: { type: 'integer' } } } } },
    },
    async () => ({ status: 'ok', version: ctx.version, uptimeS: Math.floor((Date.now() - ctx.startedAt) / 1000) }),
  );
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const text = await ctx.prom.registry.metrics();
    return reply.type(ctx.prom.registry.contentType).send(text);
  });
}
