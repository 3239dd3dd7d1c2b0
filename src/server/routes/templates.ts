/** `GET /api/templates`: templates most frequent first, by source and text. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { cursorParam, limitParam, pageOf, sourceParam, templateSchema } from '../shapes.js';

interface Query {
  source?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

export function templateRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: Query }>(
    '/api/templates',
    {
      schema: {
        summary: 'Templates, most frequent first; q filters by substring (case-insensitive)',
        querystring: { type: 'object', properties: { source: sourceParam, q: { type: 'string', maxLength: 1000 }, limit: limitParam(50, 1000), cursor: cursorParam } },
        response: { 200: pageOf(templateSchema) },
      },
    },
    async (req) => ctx.queries.templatePage(req.query),
  );
}
