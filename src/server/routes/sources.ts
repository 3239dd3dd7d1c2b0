/** `GET /api/sources`: every source with its files, lag, rate, templates and anomalies. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { sourceSchema } from '../shapes.js';

/** Lines per second are averaged over this much ingestion time. */
const RATE_WINDOW_MS = 30_000;

export function sourceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/sources',
    { schema: { summary: 'Sources with their files, lag, rate, templates and anomalies', response: { 200: { type: 'object', properties: { items: { type: 'array', items: sourceSchema } }, required: ['items'] } } } },
    async () => {
      const now = Date.now();
      const status = new Map((ctx.pipeline?.status() ?? []).map((s) => [s.source, s]));
      const files = ctx.store.listFiles();
      const items = ctx.queries.sourceFigures(now - RATE_WINDOW_MS).map((f) => {
        const own = files
          .filter((x) => x.source === f.name)
          .map((x) => ({ path: x.path, size: x.size, offset: x.offset, lagBytes: x.gone ? 0 : Math.max(0, x.size - x.offset), gone: x.gone, lastRead: x.lastRead }));
        const reader = ctx.metrics.all().find((m) => m.component === `source.${f.name}`);
        return {
          name: f.name,
          lines: Math.max(f.lines, status.get(f.name)?.records ?? 0),
          linesPerSec: Math.round((f.recent * 1000 * 10) / RATE_WINDOW_MS) / 10,
          lagBytes: own.reduce((s, x) => s + x.lagBytes, 0),
          errors: reader ? Object.values(reader.errors).reduce((s, n) => s + n, 0) : 0,
          templates: f.templates,
          anomalies: f.anomalies,
          warmingUp: status.get(f.name)?.warmingUp ?? false,
          files: own,
        };
      });
      return { items };
    },
  );
}
