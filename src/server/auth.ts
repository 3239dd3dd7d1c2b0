/**
 * Bearer tokens and dashboard sessions. Tokens are compared as SHA-256 digests with timingSafeEqual
 * against every configured token (no early exit), so neither the length nor a prefix of a token leaks
 * through timing. A session is a random id kept in memory that stands for the scopes of the token that
 * opened it; the browser holds it in an HttpOnly, SameSite=Strict cookie.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../model/errors.js';

export type Scope = 'read' | 'write' | 'ingest';
export const ALL_SCOPES: readonly Scope[] = ['read', 'write', 'ingest'];
export const SESSION_COOKIE = 'logradar_session';

/** Sessions idle this long are forgotten. */
const SESSION_IDLE_MS = 12 * 3_600_000;
/** Most sessions held; the oldest is dropped beyond it (memory stays bounded whatever clients do). */
const MAX_SESSIONS = 10_000;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

interface Session {
  scopes: Scope[];
  lastUsed: number;
}

export class Auth {
  private readonly tokens: Array<{ hash: Buffer; scopes: Scope[] }> = [];
  private readonly sessions = new Map<string, Session>();

  constructor(cfg: Config['auth']) {
    if (cfg.token) this.tokens.push({ hash: digest(cfg.token), scopes: [...ALL_SCOPES] });
    for (const t of cfg.readTokens) this.tokens.push({ hash: digest(t), scopes: ['read'] });
    for (const t of cfg.ingestTokens) this.tokens.push({ hash: digest(t), scopes: ['ingest'] });
  }

  /** A token is configured: every route but /healthz, the session routes and the page itself needs one. */
  get required(): boolean {
    return this.tokens.length > 0;
  }

  /** Scopes of a presented token, undefined when it is none of the configured ones. */
  tokenScopes(token: string): Scope[] | undefined {
    const h = digest(token);
    const scopes = new Set<Scope>();
    let found = false;
    for (const t of this.tokens) {
      if (timingSafeEqual(h, t.hash)) {
        found = true;
        for (const s of t.scopes) scopes.add(s);
      }
    }
    return found ? [...scopes] : undefined;
  }

  openSession(scopes: Scope[], now = Date.now()): string {
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, { scopes, lastUsed: now });
    return id;
  }

  sessionScopes(id: string | undefined, now = Date.now()): Scope[] | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (now - s.lastUsed > SESSION_IDLE_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastUsed = now;
    return s.scopes;
  }

  closeSession(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }
}

/** `host:port` → its parts; `[::1]:7420` for IPv6. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)|([0-9a-fA-F:]+)):(\d+)$/.exec(listen);
  if (!m) throw new ConfigError('config', 'server.listen', `"${listen}" is not host:port`);
  const port = Number(m[4]);
  if (port > 65535) throw new ConfigError('config', 'server.listen', `port ${port} is out of range`);
  return { host: m[1] ?? m[2] ?? m[3], port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Security by default: an address other than loopback is refused (exit 2) unless a token is configured. */
export function checkBind(config: Config): { host: string; port: number } {
  const addr = parseListen(config.server.listen);
  const auth = config.auth;
  const anyToken = !!auth.token || auth.readTokens.length > 0 || auth.ingestTokens.length > 0;
  if (!isLoopback(addr.host) && !anyToken) {
    throw new ConfigError(
      'config',
      'auth.token',
      `refusing to listen on ${config.server.listen} (not loopback) without a token: set auth.token in the config file or the LOGRADAR_TOKEN environment variable (e.g. LOGRADAR_TOKEN=$(openssl rand -hex 24)), or listen on 127.0.0.1`,
    );
  }
  return addr;
}
