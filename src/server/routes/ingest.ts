/**
 * `POST /api/ingest?source=NAME`: NDJSON, a JSON array or text lines, optionally gzip/deflate encoded,
 * run through the same pipeline as watched files; answered once the records are committed.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { httpError } from '../errors.js';
import { bodyKind, decodeBody, splitRecords } from '../ingest-body.js';
import { errorSchema, sourceParam } from '../shapes.js';

export function ingestRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const limit = ctx.config.server.bodyLimit;
  // its own plugin scope: this route alone takes any content type, as raw bytes (decoded below)
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) => done(null, body));
    scope.post<{ Querystring: { source: string } }>(
      '/api/ingest',
      {
        bodyLimit: limit,
        config: { rateLimit: false },
        schema: {
          summary: 'Ingest records (application/x-ndjson, application/json array, text/plain lines; Content-Encoding gzip or deflate); 200 once committed',
          querystring: { type: 'object', properties: { source: { ...sourceParam, default: 'http' } } },
          response: {
            200: { type: 'object', properties: { accepted: { type: 'integer' }, rejected: { type: 'integer' } }, required: ['accepted', 'rejected'] },
            413: errorSchema,
            415: errorSchema,
            503: errorSchema,
          },
        },
      },
      async (req) => {
        const source = ctx.ingest;
        if (!source?.open) throw httpError(503, 'ingest_unavailable', 'this server runs no HTTP ingest source');
        const kind = bodyKind(req.headers['content-type']);
        if (!kind) throw httpError(415, 'unsupported_media_type', 'send application/x-ndjson, application/json or text/plain');
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const body = await decodeBody(raw, req.headers['content-encoding'], limit);
        const { lines, rejected } = splitRecords(body.toString('utf8'), kind);
        if (rejected > 0) ctx.metrics.get('source.http').drop('bad_record', rejected);
        try {
          await source.ingest(req.query.source, lines);
        } catch (e) {
          ctx.log.error({ err: (e as Error).message, source: req.query.source }, 'ingest failed');
          throw httpError(503, 'ingest_failed', 'the records could not be committed');
        }
        return { accepted: lines.length, rejected };
      },
    );
  });
}
