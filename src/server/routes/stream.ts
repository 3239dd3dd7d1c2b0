/** `GET /api/stream`: Server-Sent Events (anomaly, series, ping); the connection is handed to the hub. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

export function streamRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/stream',
    {
      config: { rateLimit: false },
      schema: {
        summary: 'Server-Sent Events: `anomaly` (an Anomaly), `series` ({source, key, t, value} per closed window), `ping` every 15 s',
        produces: ['text/event-stream'],
      },
    },
    (req, reply) => {
      reply.hijack();
      // headers set so far (security headers) go out with the stream's own
      for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined && !reply.raw.hasHeader(k)) reply.raw.setHeader(k, v as string);
      ctx.hub.add(reply.raw);
      req.raw.on('close', () => reply.raw.end());
    },
  );
}
