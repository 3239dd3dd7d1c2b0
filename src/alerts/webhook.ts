/**
 * Generic JSON webhook. With a secret, `X-Logradar-Signature: sha256=<hex>` is the HMAC-SHA256 of the
 * exact body bytes, so a receiver verifies before parsing.
 */
import { createHmac } from 'node:crypto';
import type { Channel } from './channel.js';
import { postJson } from './channel.js';
import type { Notification } from './incident.js';
import { alertText } from './message.js';

export const SIGNATURE_HEADER = 'X-Logradar-Signature';

export function webhookBody(n: Notification, dashboardUrl: string): Record<string, unknown> {
  const t = alertText(n, dashboardUrl);
  const { id, rule, groupBy, key, source, openedAt, lastAt, resolvedAt, count, signatures, maxGrade, anomaly } = n.incident;
  return {
    event: `incident.${n.kind}`,
    heldOpen: n.heldOpen ?? false,
    summary: t.subject,
    incident: {
      id,
      rule,
      groupBy,
      key,
      source,
      openedAt: new Date(openedAt).toISOString(),
      lastAt: new Date(lastAt).toISOString(),
      resolvedAt: resolvedAt === undefined ? null : new Date(resolvedAt).toISOString(),
      count,
      signatures,
      maxGrade,
    },
    anomaly: { ...anomaly, ts: new Date(anomaly.ts).toISOString() },
    link: t.link ?? null,
  };
}

export function signBody(secret: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
}

export function webhookChannel(url: string, secret: string | undefined, dashboardUrl: string): Channel {
  return {
    name: 'webhook',
    send(n, timeoutMs) {
      const body = JSON.stringify(webhookBody(n, dashboardUrl));
      return postJson(url, body, secret ? { [SIGNATURE_HEADER]: signBody(secret, body) } : {}, timeoutMs);
    },
  };
}
