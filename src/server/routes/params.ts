/** Query parameter helpers shared by the routes. */
import { parseTimeSpec } from '../../util/units.js';
import { httpError } from '../errors.js';

/** `since`/`until`: ms since the epoch, ISO 8601, or a duration back from now. */
export function queryTime(name: string, v: string | undefined, now = Date.now()): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const t = parseTimeSpec(v, now);
  if (t === undefined) throw httpError(400, 'bad_request', `${name}: "${v}" is neither ms since the epoch, an ISO 8601 time nor a duration (24h, 15m)`);
  return t;
}
