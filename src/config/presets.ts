/** Ready-made settings for known log kinds (also shipped as examples/*.yaml). */
import type { ConfigInput, MonitoredField } from './schema.js';

/** AWS WAF logs: the five categorical fields whose unknown-value rates are watched. */
export const WAF_FIELDS_PRESET = [
  { field: 'action', known: ['ALLOW', 'CAPTCHA', 'CHALLENGE', 'COUNT'], label: 'action (BLOCK)' },
  { field: 'httpSourceName', known: ['ALB', 'APIGW', 'APPSYNC', 'CF'], label: 'httpSourceName' },
  { field: 'httpStatus', known: ['200', '202', '307', '308'], label: 'httpStatus (4xx/5xx)' },
  { field: 'httpRequest.country', known: ['US', 'UK', 'IN'], label: 'country' },
  { field: 'httpRequest.httpMethod', known: ['GET', 'HEAD', 'POST'], label: 'httpMethod' },
];

export const WAF_PRESET: ConfigInput = {
  parse: { format: 'json' },
  detect: { fields: WAF_FIELDS_PRESET },
};

/** Postfix line kinds that are routine; a spike of anything else (rejects, SASL failures, warnings) is watched. */
export const POSTFIX_ROUTINE_EVENTS = ['connect', 'client', 'message-id', 'queued', 'delivery', 'removed', 'disconnect', 'pickup', 'bounce-notice', 'lost-connection'];

/** The monitored fields of a Postfix source: its line kinds (the decoder's `event`), delivery outcomes and delays. */
export const POSTFIX_FIELDS: MonitoredField[] = [
  { field: 'event', known: POSTFIX_ROUTINE_EVENTS, label: 'event (rejects, SASL failures, warnings)' },
  // of the delivery attempts: deferred and bounced are the unusual outcomes
  { field: 'status', known: ['sent'], whenPresent: true, label: 'delivery status (deferred, bounced)' },
  // of the deliveries: a delay of ten minutes or more is a queue that does not drain
  { field: 'delay', known: ['<60', '60-600'], buckets: [60, 600], whenPresent: true, label: 'delivery delay (≥ 10 min)' },
];

/**
 * Postfix mail logs (syslog, recognised without configuration): a message's lines are a session keyed
 * by its queue id, and mail volumes are summarised per hour (a minute of mail is too few messages).
 */
export const POSTFIX_PRESET: ConfigInput = {
  detect: { interval: '1h', fields: POSTFIX_FIELDS },
  session: { field: 'queueId' },
};
