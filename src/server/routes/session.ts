/** Dashboard sign-in: a token exchanged once for an HttpOnly, SameSite=Strict session cookie. */
import type { FastifyInstance } from 'fastify';
import { ALL_SCOPES, SESSION_COOKIE, type Scope } from '../auth.js';
import type { ServerContext } from '../context.js';
import { httpError } from '../errors.js';
import { errorSchema } from '../shapes.js';

const sessionSchema = {
  type: 'object',
  properties: { auth: { type: 'string', enum: ['none', 'required'] }, signedIn: { type: 'boolean' }, scopes: { type: 'array', items: { type: 'string', enum: ALL_SCOPES } } },
  required: ['auth', 'signedIn', 'scopes'],
} as const;

export function sessionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { auth } = ctx;
  app.get('/api/session', { schema: { summary: 'Whether a token is needed and whether this client has one', response: { 200: sessionSchema } } }, async (req) => {
    if (!auth.required) return { auth: 'none', signedIn: true, scopes: [...ALL_SCOPES] };
    const bearer = bearerToken(req.headers.authorization);
    const scopes = bearer !== undefined ? auth.tokenScopes(bearer) : auth.sessionScopes(req.cookies[SESSION_COOKIE]);
    return { auth: 'required', signedIn: scopes !== undefined, scopes: scopes ?? [] };
  });

  app.post<{ Body: { token: string } }>(
    '/api/session',
    {
      schema: {
        summary: 'Sign in: exchanges a token for a session cookie (read and feedback, not ingest)',
        body: { type: 'object', properties: { token: { type: 'string', minLength: 1, maxLength: 4096 } }, required: ['token'], additionalProperties: false },
        response: { 401: errorSchema, 403: errorSchema },
      },
    },
    async (req, reply) => {
      if (!auth.required) return reply.code(204).send();
      const scopes = auth.tokenScopes(req.body.token);
      if (!scopes) throw httpError(401, 'unauthorized', 'unknown token');
      const usable = scopes.filter((s): s is Scope => s !== 'ingest');
      if (usable.length === 0) throw httpError(403, 'forbidden', 'an ingest-only token cannot sign in to the dashboard');
      reply.setCookie(SESSION_COOKIE, auth.openSession(usable), { httpOnly: true, sameSite: 'strict', path: '/' });
      return reply.code(204).send();
    },
  );

  app.delete('/api/session', { schema: { summary: 'Sign out' } }, async (req, reply) => {
    auth.closeSession(req.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/' });
    return reply.code(204).send();
  });
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(h: string | undefined): string | undefined {
  if (!h) return undefined;
  const m = /^Bearer[ \t]+(\S+)\s*$/i.exec(h);
  return m ? m[1] : '';
}
