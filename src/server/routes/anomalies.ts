/**
 * Anomalies: the list (newest first, filters, cursor pages), one anomaly with its raw context and
 * feedback history, and feedback on it (confirm, false positive, mute for N hours).
 */
import type { FastifyInstance } from 'fastify';
import type { AnomalyStatus } from '../../model/record.js';
import type { FeedbackAction } from '../../model/store.js';
import { anomalySignature } from '../../model/signature.js';
import type { ServerContext } from '../context.js';
import { httpError } from '../errors.js';
import { anomalySchema, apiAnomaly, cursorParam, errorSchema, feedbackSchema, limitParam, lineSchema, pageOf, sourceParam, timeParam } from '../shapes.js';
import { queryTime } from './params.js';

const STATUSES: readonly AnomalyStatus[] = ['new', 'confirmed', 'false_positive', 'muted', 'suppressed'];

interface ListQuery {
  since?: string;
  until?: string;
  source?: string;
  detector?: string;
  minGrade?: number;
  status?: string;
  incident?: number;
  limit: number;
  cursor?: string;
}

interface FeedbackBody {
  action: FeedbackAction;
  hours?: number;
  by?: string;
  note?: string;
}

const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } as const;

export function anomalyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { queries } = ctx;
  const template = (id: number) => queries.templateText(id);

  app.get<{ Querystring: ListQuery }>(
    '/api/anomalies',
    {
      schema: {
        summary: 'Anomalies, newest first; status defaults to every status but suppressed (status=all for all; a comma list for several)',
        querystring: {
          type: 'object',
          properties: {
            since: timeParam,
            until: timeParam,
            source: sourceParam,
            detector: { type: 'string', maxLength: 100 },
            minGrade: { type: 'number', minimum: 0, maximum: 1 },
            incident: { type: 'integer', minimum: 1 },
            status: { type: 'string', pattern: `^(all|((${STATUSES.join('|')})(,(${STATUSES.join('|')}))*))$` },
            limit: limitParam(50, 500),
            cursor: cursorParam,
          },
        },
        response: { 200: pageOf(anomalySchema), 400: errorSchema },
      },
    },
    async (req) => {
      const q = req.query;
      const status = q.status === undefined ? undefined : q.status === 'all' ? 'all' : (q.status.split(',') as AnomalyStatus[]);
      const page = queries.anomalyPage({
        since: queryTime('since', q.since),
        until: queryTime('until', q.until),
        source: q.source,
        detector: q.detector,
        minGrade: q.minGrade,
        incident: q.incident,
        status,
        limit: q.limit,
        cursor: q.cursor,
      });
      return { items: page.items.map((a) => apiAnomaly(a, template)), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/anomalies/:id',
    {
      schema: {
        summary: 'One anomaly with its explanation, up to 5 stored lines of its file before and after, and its feedback',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              anomaly: anomalySchema,
              context: { type: 'object', properties: { before: { type: 'array', items: lineSchema }, after: { type: 'array', items: lineSchema } }, required: ['before', 'after'] },
              feedback: { type: 'array', items: feedbackSchema },
            },
            required: ['anomaly', 'context', 'feedback'],
          },
          404: errorSchema,
        },
      },
    },
    async (req) => {
      const a = queries.anomaly(req.params.id);
      if (!a) throw httpError(404, 'not_found', `no anomaly ${req.params.id}`);
      return { anomaly: apiAnomaly(a, template), context: queries.context(a), feedback: queries.feedbackFor(a.id) };
    },
  );

  app.post<{ Params: { id: number }; Body: FeedbackBody }>(
    '/api/anomalies/:id/feedback',
    {
      schema: {
        summary: 'Feedback: confirm (a labelled example), false_positive (silences its signature, tells calibration), mute (silences it for N hours)',
        params: idParams,
        body: {
          type: 'object',
          properties: {
            action: { type: 'string', enum: ['confirm', 'false_positive', 'mute'] },
            hours: { type: 'number', exclusiveMinimum: 0, maximum: 24 * 366, description: 'mute only; default 24' },
            by: { type: 'string', minLength: 1, maxLength: 200 },
            note: { type: 'string', maxLength: 2000 },
          },
          required: ['action'],
          additionalProperties: false,
        },
        response: { 201: feedbackSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const a = queries.anomaly(req.params.id);
      if (!a) throw httpError(404, 'not_found', `no anomaly ${req.params.id}`);
      const b = req.body;
      const now = Date.now();
      const fb = queries.addFeedback(
        {
          anomalyId: a.id,
          action: b.action,
          signature: a.signature || anomalySignature(a),
          by: b.by ?? 'anonymous',
          note: b.note,
          until: b.action === 'mute' ? now + (b.hours ?? 24) * 3_600_000 : undefined,
        },
        now,
      );
      ctx.pipeline?.applyFeedback(fb, a);
      return reply.code(201).send(fb);
    },
  );

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/api/feedback',
    {
      schema: {
        summary: 'Feedback history, newest first',
        querystring: { type: 'object', properties: { limit: limitParam(50, 500), cursor: cursorParam } },
        response: { 200: pageOf(feedbackSchema) },
      },
    },
    async (req) => queries.feedbackPage(req.query.limit, req.query.cursor),
  );
}
