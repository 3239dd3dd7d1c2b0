/**
 * Mock AWS WAF log records with seeded, independent per-field weights and injectable anomalies.
 * Every record has exactly the same JSON shape (same keys, same array lengths), because logradar
 * mines JSON records by their key set and a varying shape would look like new templates.
 */
import { UsageError } from '../model/errors.js';
import { Rng } from '../util/rng.js';
import type { AnomalyInfo, AnomalyPlan, AnomalyTarget, AnomalyValue } from './writer.js';

interface FieldSpec {
  /** Path of the field in a record, as used in labels. */
  path: string;
  common: readonly AnomalyValue[];
  commonWeight: number;
  rare: readonly AnomalyValue[];
  rareWeight: number;
}

/** Normal weights of the five monitored fields (rare values ≈ 1% of records overall). */
export const WAF_FIELDS = {
  action: { path: 'action', common: ['ALLOW', 'CAPTCHA', 'CHALLENGE', 'COUNT'], commonWeight: 0.25, rare: ['BLOCK'], rareWeight: 0.001 },
  httpSourceName: { path: 'httpSourceName', common: ['ALB', 'APIGW', 'APPSYNC', 'CF'], commonWeight: 0.25, rare: ['-'], rareWeight: 0.001 },
  httpStatus: { path: 'httpStatus', common: [200, 202, 307, 308], commonWeight: 0.2, rare: [403, 404, 502, 504], rareWeight: 0.001 },
  country: { path: 'httpRequest.country', common: ['US', 'UK', 'IN'], commonWeight: 0.33, rare: ['XX', 'YY', 'ZZ', 'WW'], rareWeight: 0.001 },
  httpMethod: { path: 'httpRequest.httpMethod', common: ['GET', 'HEAD', 'POST'], commonWeight: 0.33, rare: ['DELETE'], rareWeight: 0.001 },
} as const satisfies Record<string, FieldSpec>;

export type WafFieldName = keyof typeof WAF_FIELDS;
export const WAF_FIELD_NAMES = Object.keys(WAF_FIELDS) as WafFieldName[];

/** In an anomaly period the field's common values drop to this weight and the boosted rare ones rise to ANOMALY_RARE. */
const ANOMALY_COMMON = 0.1;
const ANOMALY_RARE = 2;

/** `country` or `httpRequest.country` → `country`; undefined when unknown. */
export function resolveWafField(name: string): WafFieldName | undefined {
  return WAF_FIELD_NAMES.find((f) => f === name || WAF_FIELDS[f].path === name);
}

export interface WafRecord {
  timestamp: number;
  formatVersion: number;
  webaclId: string;
  terminatingRuleId: string;
  terminatingRuleType: string;
  action: string;
  httpSourceName: string;
  httpSourceId: string;
  ruleGroupList: unknown[];
  rateBasedRuleList: unknown[];
  nonTerminatingMatchingRules: unknown[];
  requestHeadersInserted: null;
  responseCodeSent: null;
  httpRequest: {
    clientIp: string;
    country: string;
    headers: Array<{ name: string; value: string }>;
    uri: string;
    args: string;
    httpVersion: string;
    httpMethod: string;
    requestId: string;
  };
  httpStatus: number;
  labels: Array<{ name: string }>;
}

const WEBACL_ID = 'arn:aws:wafv2:us-east-1:111122223333:regional/webacl/logradar-demo/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';
const SOURCE_IDS: Record<string, string> = {
  ALB: '111122223333-app/demo-alb/50dc6c495c0c9188',
  APIGW: '111122223333:abcd1234ef:prod',
  APPSYNC: 'arn:aws:appsync:us-east-1:111122223333:apis/demoapi1234',
  CF: 'E2EXAMPLE1ABCD',
  '-': '-',
};
/** The terminating rule follows the action, as in real logs (ALLOW/COUNT usually fall through to the default action). */
const RULES: Record<string, [id: string, type: string, label: string]> = {
  ALLOW: ['Default_Action', 'REGULAR', 'awswaf:111122223333:webacl:logradar-demo:default'],
  COUNT: ['Default_Action', 'REGULAR', 'awswaf:111122223333:webacl:logradar-demo:default'],
  CAPTCHA: ['LoginCaptcha', 'REGULAR', 'awswaf:111122223333:webacl:logradar-demo:captcha'],
  CHALLENGE: ['BotChallenge', 'RATE_BASED', 'awswaf:managed:aws:bot-control:signal:automated_browser'],
  BLOCK: ['AWS-AWSManagedRulesCommonRuleSet', 'MANAGED_RULE_GROUP', 'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body'],
};
const URIS = ['/', '/index.html', '/login', '/logout', '/api/orders', '/api/orders/{id}', '/api/users/{id}', '/api/cart', '/static/app.js', '/static/style.css', '/search', '/health'];
const ARGS = ['', '', '', 'page={n}', 'q=shoes&page={n}', 'id={n}', 'lang=en'];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
  'curl/8.5.0',
];
const ACCEPTS = ['*/*', 'text/html,application/xhtml+xml', 'application/json'];

export class WafGenerator implements AnomalyTarget {
  readonly anomalyFields: readonly string[] = WAF_FIELD_NAMES;
  private readonly rng: Rng;
  /** A fixed pool of client IPs, drawn with a skew so a few clients dominate, like real traffic. */
  private readonly ips: string[];
  private readonly weights = new Map<WafFieldName, Array<readonly [AnomalyValue, number]>>();
  private current: AnomalyInfo | undefined;

  constructor(opts: { seed: number }) {
    this.rng = new Rng(opts.seed);
    this.ips = Array.from({ length: 400 }, () => [1 + this.rng.int(223), this.rng.int(256), this.rng.int(256), 1 + this.rng.int(254)].join('.'));
    for (const f of WAF_FIELD_NAMES) this.weights.set(f, normalWeights(f));
  }

  /** The anomaly in force, if any (field is the record path). */
  get anomaly(): AnomalyInfo | undefined {
    return this.current;
  }

  /**
   * Starts an anomaly on one field (`country` or `httpRequest.country`): its common values drop to .1
   * and the given rare values (default: all of them) rise to 2. Replaces any anomaly in force.
   */
  startAnomaly(field: string, values?: ReadonlyArray<AnomalyValue>): AnomalyInfo {
    const name = resolveWafField(field);
    if (!name) throw new RangeError(`unknown WAF field "${field}"`);
    const spec: FieldSpec = WAF_FIELDS[name];
    const boosted = values === undefined ? [...spec.rare] : values.map((v) => rareValue(name, String(v)));
    this.stopAnomaly();
    this.weights.set(name, [
      ...spec.common.map((v) => [v, ANOMALY_COMMON] as const),
      ...spec.rare.map((v) => [v, boosted.includes(v) ? ANOMALY_RARE : spec.rareWeight] as const),
    ]);
    this.current = { field: spec.path, values: boosted };
    return this.current;
  }

  stopAnomaly(): void {
    for (const f of WAF_FIELD_NAMES) this.weights.set(f, normalWeights(f));
    this.current = undefined;
  }

  record(ts: number): WafRecord {
    const r = this.rng;
    const draw = (f: WafFieldName) => r.weighted(this.weights.get(f)!);
    const action = String(draw('action'));
    const source = String(draw('httpSourceName'));
    const status = Number(draw('httpStatus'));
    const country = String(draw('country'));
    const method = String(draw('httpMethod'));
    const n = () => String(1 + r.int(9999));
    const [ruleId, ruleType, label] = RULES[action];
    const clientIp = this.ips[Math.floor(this.ips.length * r.next() ** 2)];
    return {
      timestamp: Math.floor(ts),
      formatVersion: 1,
      webaclId: WEBACL_ID,
      terminatingRuleId: ruleId,
      terminatingRuleType: ruleType,
      action,
      httpSourceName: source,
      httpSourceId: SOURCE_IDS[source],
      ruleGroupList: [],
      rateBasedRuleList: [],
      nonTerminatingMatchingRules: [],
      requestHeadersInserted: null,
      responseCodeSent: null,
      httpRequest: {
        clientIp,
        country,
        // Always the same four headers so the shape never changes; only values vary.
        headers: [
          { name: 'Host', value: 'shop.example.com' },
          { name: 'User-Agent', value: r.pick(USER_AGENTS) },
          { name: 'Accept', value: r.pick(ACCEPTS) },
          { name: 'X-Forwarded-For', value: clientIp },
        ],
        uri: r.pick(URIS).replace('{id}', n()),
        args: r.pick(ARGS).replace('{n}', n()),
        httpVersion: r.next() < 0.7 ? 'HTTP/2.0' : 'HTTP/1.1',
        httpMethod: method,
        requestId: hex(r, 8) + '-' + hex(r, 4) + '-' + hex(r, 4) + '-' + hex(r, 4) + '-' + hex(r, 12),
      },
      httpStatus: status,
      labels: [{ name: label }],
    };
  }
}

function normalWeights(f: WafFieldName): Array<readonly [AnomalyValue, number]> {
  const spec: FieldSpec = WAF_FIELDS[f];
  return [...spec.common.map((v) => [v, spec.commonWeight] as const), ...spec.rare.map((v) => [v, spec.rareWeight] as const)];
}

/** Maps text (`403`, `XX`) to the field's rare value in its record type; throws RangeError if it is not one. */
function rareValue(f: WafFieldName, text: string): AnomalyValue {
  const v = WAF_FIELDS[f].rare.find((x: AnomalyValue) => String(x) === text);
  if (v === undefined) throw new RangeError(`"${text}" is not a rare value of ${f} (rare: ${WAF_FIELDS[f].rare.join(', ')})`);
  return v;
}

function hex(r: Rng, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += '0123456789abcdef'[r.int(16)];
  return s;
}

/**
 * Parses `--anomaly`: `none`, `random`, `<field>=<rare value>` or `<field>` (all its rare values).
 * Timing of an enforced anomaly comes from `after`/`length` (ms).
 */
export function parseWafAnomaly(text: string, after: number, length: number): AnomalyPlan {
  if (text === 'none') return { kind: 'none' };
  if (text === 'random') return { kind: 'random' };
  const eq = text.indexOf('=');
  const fieldText = eq < 0 ? text : text.slice(0, eq);
  const field = resolveWafField(fieldText);
  if (!field) {
    throw new UsageError(`--anomaly: "${text}" must be none, random or <field>=<value> with field one of ${WAF_FIELD_NAMES.join(', ')}`);
  }
  if (eq < 0) return { kind: 'enforced', field, after, length };
  try {
    return { kind: 'enforced', field, values: [rareValue(field, text.slice(eq + 1))], after, length };
  } catch (e) {
    throw new UsageError(`--anomaly: ${(e as Error).message}`);
  }
}
