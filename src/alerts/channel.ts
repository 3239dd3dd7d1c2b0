/** A channel sends one notification; a `SendError` says whether trying again can help. */
import type { AlertChannelName } from '../config/schema.js';
import type { Notification } from './incident.js';

export interface Channel {
  readonly name: AlertChannelName;
  /** Resolves once delivered; throws (a SendError, or anything: retried) when not. */
  send(n: Notification, timeoutMs: number): Promise<void>;
  close?(): void;
}

export class SendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

/**
 * POSTs a JSON body. 5xx, 408, 429 and network errors are retryable; other 4xx are not (a revoked or
 * wrong webhook will not heal). Error messages carry no URL: it is a secret.
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new SendError(`request failed: ${cause?.code ?? cause?.message ?? (e as Error).message}`, true);
  }
  // drain the body so the connection can be reused
  await res.arrayBuffer().catch(() => undefined);
  if (res.ok) return;
  throw new SendError(`HTTP ${res.status}`, res.status >= 500 || res.status === 408 || res.status === 429);
}
