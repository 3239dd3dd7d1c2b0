/** Ready-made settings for known log kinds (also shipped as examples/*.yaml). */
import type { ConfigInput } from './schema.js';

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
