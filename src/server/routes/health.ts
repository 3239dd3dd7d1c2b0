/**
 * `GET /healthz` (open, not rate limited) and `GET /metrics` (Prometheus text). With alerting on, health
 * carries an `alerts` block: per channel, messages sent, failed (after retries) and dropped; counts only.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

/** The health document: the same shape whether healthy (200) or not (503). */
const HEALTH = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    version: { type: 'string' },
    uptimeS: { type: 'integer' },
    store: { type: 'object', properties: { ok: { type: 'boolean' }, path: { type: 'string' }, problems: { type: 'array', items: { type: 'string' } } } },
    alerts: {
      type: 'object',
      properties: {
        incidents: { type: 'integer' },
        channels: {
          type: 'array',
          items: { type: 'object', properties: { channel: { type: 'string' }, sent: { type: 'integer' }, failed: { type: 'integer' }, dropped: { type: 'integer' } } },
        },
      },
    },
  },
};

export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/healthz',
    {
      schema: {
        hide: true,
        response: {
          200: HEALTH,
          503: HEALTH,
        },
      },
    },
    async (_req, reply) => {
      // quick_check at start found damaged pages: 503, so that a monitor notices
      const integrity = ctx.store.integrity ?? { ok: true, problems: [] };
      if (!integrity.ok) void reply.code(503);
      return {
        status: integrity.ok ? 'ok' : 'degraded',
        version: ctx.version,
        uptimeS: Math.floor((Date.now() - ctx.startedAt) / 1000),
        store: { ok: integrity.ok, path: ctx.store.path, problems: integrity.problems },
        alerts: alertsHealth(ctx),
      };
    },
  );
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const text = await ctx.prom.registry.metrics();
    return reply.type(ctx.prom.registry.contentType).send(text);
  });
}

/** Alert counters (components `alert.<channel>`, `alerts`), or nothing when alerting is off. */
function alertsHealth(ctx: ServerContext): { incidents: number; channels: Array<{ channel: string; sent: number; failed: number; dropped: number }> } | undefined {
  const channels = ctx.metrics
    .all()
    .filter((m) => m.component.startsWith('alert.'))
    .map((m) => ({ channel: m.component.slice(6), sent: m.emitted, failed: m.errors.send ?? 0, dropped: Object.values(m.dropped).reduce((s, n) => s + n, 0) }));
  if (channels.length === 0) return undefined;
  return { incidents: ctx.metrics.get('alerts').emitted, channels };
}
