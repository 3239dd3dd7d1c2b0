/**
 * Other web sites in the user's browser can reach a server on loopback. DNS rebinding makes their page
 * same-origin with it (a name of theirs resolving to 127.0.0.1): only the Host header tells, so a Host
 * that is not an address or a name of this server gets 421. A "simple" cross-origin POST (text/plain,
 * no preflight) reaches it too: a state-changing request from another origin gets 403. Clients without
 * a browser (curl, shippers) send neither Origin nor Sec-Fetch-Site and are not affected.
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';
import { parseListen } from './auth.js';

/** The names this server answers to (lower case): its listen host, localhost, `server.allowedHosts`, and the machine's name. */
export function hostNames(config: Config): Set<string> {
  const names = new Set(['localhost', hostname().toLowerCase(), parseListen(config.server.listen).host.toLowerCase()]);
  for (const h of config.server.allowedHosts) names.add(h.toLowerCase());
  return names;
}

/** The host part of a Host header: `[::1]:7420` → `::1`, `Example.org.:80` → `example.org`. */
function hostPart(header: string): string {
  const h = header.trim().toLowerCase();
  const host = h.startsWith('[') ? h.slice(1, h.indexOf(']')) : h.replace(/:\d*$/, '');
  return host.replace(/\.$/, '');
}

/** An IP literal cannot be rebound (the browser connects where it says); a name must be one of ours. */
export function hostAllowed(header: string | undefined, names: Set<string>): boolean {
  if (header === undefined) return true; // HTTP/1.0 without Host: no browser sends that
  const host = hostPart(header);
  return isIP(host) !== 0 || names.has(host) || host.endsWith('.localhost');
}

/** Why a state-changing request comes from another site, or undefined when it does not. */
export function crossOrigin(req: FastifyRequest): string | undefined {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return undefined;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site: ${String(site)}`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host === undefined || host === '' || host !== req.headers.host?.toLowerCase()) return `Origin: ${origin}`;
  return undefined;
}
