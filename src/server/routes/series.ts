/** Series: the keys of each source, and one series over any range, summed into at most `points` buckets. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { httpError } from '../errors.js';
import { errorSchema, sourceParam, timeParam } from '../shapes.js';
import { queryTime } from './params.js';

interface SeriesQuery {
  source: string;
  key: string;
  since?: string;
  until?: string;
  points: number;
}

const MAX_LABEL = 80;

export function seriesRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const labels = new Map(ctx.config.detect.fields.map((f) => [f.field, f.label ?? f.field]));
  const label = (key: string): string => {
    if (key === 'records') return 'records';
    const [kind, rest] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (kind === 'template') {
      const t = ctx.queries.templateText(Number(rest));
      return t === undefined ? `template #${rest}` : `#${rest} ${t.length > MAX_LABEL ? t.slice(0, MAX_LABEL - 1) + '…' : t}`;
    }
    if (kind === 'unknown') return `unknown ${labels.get(rest) ?? rest}`;
    if (kind === 'value') {
      const eq = rest.indexOf('=');
      return `${rest.slice(0, eq)} = ${rest.slice(eq + 1)}`;
    }
    return key;
  };

  app.get<{ Querystring: { source?: string } }>(
    '/api/series/keys',
    {
      schema: {
        summary: 'Series keys per source: records, template:<id>, unknown:<field>, value:<field>=<value>',
        querystring: { type: 'object', properties: { source: sourceParam } },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: { type: 'object', properties: { source: { type: 'string' }, key: { type: 'string' }, label: { type: 'string' } }, required: ['source', 'key', 'label'] } } },
            required: ['items'],
          },
        },
      },
    },
    async (req) => ({ items: ctx.queries.seriesKeys(req.query.source).map((k) => ({ ...k, label: label(k.key) })) }),
  );

  app.get<{ Querystring: SeriesQuery }>(
    '/api/series',
    {
      schema: {
        summary: 'One series, summed per bucket of `step` ms (at most `points` buckets, only non-empty ones listed, each [start, sum])',
        querystring: {
          type: 'object',
          properties: { source: sourceParam, key: { type: 'string', minLength: 1, maxLength: 2000 }, since: timeParam, until: timeParam, points: { type: 'integer', minimum: 2, maximum: 10_000, default: 600 } },
          required: ['source', 'key'],
        },
        response: {
          200: {
            type: 'object',
            properties: { source: { type: 'string' }, key: { type: 'string' }, step: { type: 'integer' }, points: { type: 'array', items: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 } } },
            required: ['source', 'key', 'step', 'points'],
          },
          400: errorSchema,
        },
      },
    },
    async (req) => {
      const { source, key, points } = req.query;
      const interval = ctx.config.detect.interval;
      const span = ctx.queries.seriesSpan(source, key);
      const since = queryTime('since', req.query.since) ?? span?.first ?? Date.now();
      const until = queryTime('until', req.query.until) ?? Math.max(span?.last ?? 0, Date.now());
      if (until < since) throw httpError(400, 'bad_request', 'until is before since');
      const step = bucketStep(since, until, points, interval);
      return { source, key, step, points: ctx.queries.seriesBuckets(source, key, since, until, step) };
    },
  );
}

/**
 * A bucket width that is a whole number of windows (so every bucket sums the same number of them) and
 * makes at most `points` buckets, aligned to multiples of itself, cover [since, until].
 */
export function bucketStep(since: number, until: number, points: number, interval: number): number {
  const unit = Math.max(1, interval);
  // (points − 1) spans: aligned buckets covering a range can number one more than range / step
  let step = Math.max(unit, Math.ceil((until - since + 1) / Math.max(1, points - 1) / unit) * unit);
  while (Math.floor(until / step) - Math.floor(since / step) + 1 > points) step += unit;
  return step;
}
