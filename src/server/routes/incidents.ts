/** Incidents (issue 12): the list (newest first, overlapping a range, cursor pages) and one incident. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { httpError } from '../errors.js';
import { cursorParam, errorSchema, incidentSchema, limitParam, pageOf, sourceParam, timeParam } from '../shapes.js';
import { queryTime } from './params.js';

interface ListQuery {
  since?: string;
  until?: string;
  source?: string;
  limit: number;
  cursor?: string;
}

export function incidentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { queries } = ctx;

  app.get<{ Querystring: ListQuery }>(
    '/api/incidents',
    {
      schema: {
        summary: 'Incidents overlapping [since, until], newest first; their anomalies are /api/anomalies?incident=ID',
        querystring: {
          type: 'object',
          properties: { since: timeParam, until: timeParam, source: sourceParam, limit: limitParam(50, 500), cursor: cursorParam },
        },
        response: { 200: pageOf(incidentSchema), 400: errorSchema },
      },
    },
    async (req) => {
      const q = req.query;
      return queries.incidentPage({ since: queryTime('since', q.since), until: queryTime('until', q.until), source: q.source, limit: q.limit, cursor: q.cursor });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/incidents/:id',
    {
      schema: {
        summary: 'One incident',
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] },
        response: { 200: incidentSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const i = queries.incident(req.params.id);
      if (!i) throw httpError(404, 'not_found', `no incident ${req.params.id}`);
      return i;
    },
  );
}
