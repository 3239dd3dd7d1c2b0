/**
 * The alert engine: anomalies → incidents → notifications. Deterministic: time comes from `now()` (or
 * the `now` given to `tick`), never from timers of its own, so tests drive it with a fake clock.
 *
 * An anomaly that a rule takes joins the rule's open incident of the same group (by default the stored
 * incident the pipeline put it in, so alerts, `logradar incidents` and the report agree; or its source or signature);
 * the first one opens an incident and sends one alert (alert-once), unless the rule alerted that group
 * less than `cooldown` ago. An incident with no anomaly for `groupWindow` ends with a resolve notice.
 * Suppressed anomalies (false positives, mutes) never reach it: the pipeline reports them apart.
 */
import type { AlertRule, AlertsConfig } from '../config/schema.js';
import { anomalySignature } from '../model/signature.js';
import type { MetricsRegistry } from '../model/metrics.js';
import type { Anomaly } from '../model/record.js';
import type { AlertAnomaly, IncidentView, Notification, NotificationKind } from './incident.js';
import { ruleFilter, type AnomalyFilter } from './rules.js';

/** Open incidents at most (a flood of distinct sources must not grow memory without bound). */
const MAX_OPEN_INCIDENTS = 10_000;
/** Distinct signatures remembered per incident (updates stop beyond). */
const MAX_SIGNATURES = 1000;

interface OpenIncident {
  view: IncidentView;
  rule: CompiledRule;
  signatures: Set<string>;
  /** The open alert was sent (false: opened during the cooldown, tracked silently). */
  announced: boolean;
}

interface CompiledRule {
  rule: AlertRule;
  accepts: AnomalyFilter;
  channels: Notification['channels'];
}

export class AlertEngine {
  private readonly rules: CompiledRule[];
  private readonly open = new Map<string, OpenIncident>();
  /** rule + group → wall time of its last open alert (for the cooldown). */
  private readonly lastAlert = new Map<string, number>();
  private nextId = 1;
  private readonly maxCooldown: number;

  constructor(
    config: AlertsConfig,
    private readonly notify: (n: Notification) => void,
    private readonly metrics: MetricsRegistry,
    private readonly now: () => number = Date.now,
  ) {
    const configured = (['slack', 'webhook', 'email', 'stdout'] as const).filter((c) => config.channels[c] !== undefined);
    this.rules = config.rules.map((rule) => ({ rule, accepts: ruleFilter(rule), channels: rule.channels.length ? rule.channels : configured }));
    this.maxCooldown = Math.max(0, ...config.rules.map((r) => r.cooldown));
  }

  /** An anomaly the pipeline reported (stored, not suppressed). */
  observe(a: Anomaly): void {
    const now = this.now();
    const m = this.metrics.get('alerts');
    m.received++;
    let taken = false;
    for (const r of this.rules) {
      if (!r.accepts(a)) continue;
      taken = true;
      const signature = a.signature ?? anomalySignature(a);
      const group = `${r.rule.name}\u0000${groupKey(r.rule.groupBy, a, signature)}`;
      let inc = this.open.get(group);
      // an incident past its window that no tick has ended yet ends now: this anomaly opens the next one
      if (inc && now - inc.view.lastAt >= r.rule.groupWindow) {
        this.resolve(group, inc, now);
        inc = undefined;
      }
      if (inc) this.join(inc, a, signature, now);
      else this.openIncident(r, group, a, signature, now);
    }
    if (!taken) m.drop('no_rule');
  }

  /** An anomaly feedback silenced: counted, never alerted. */
  suppressed(): void {
    this.metrics.get('alerts').drop('suppressed');
  }

  /** Ends incidents quiet for their group window (resolve notices) and forgets expired cooldowns. */
  tick(now = this.now()): void {
    for (const [group, inc] of this.open) if (now - inc.view.lastAt >= inc.rule.rule.groupWindow) this.resolve(group, inc, now);
    for (const [key, at] of this.lastAlert) if (now - at >= this.maxCooldown && !this.open.has(key)) this.lastAlert.delete(key);
  }

  private resolve(group: string, inc: OpenIncident, now: number): void {
    this.open.delete(group);
    inc.view.resolvedAt = now;
    if (inc.announced && inc.rule.rule.notifyResolve) this.send('resolve', inc);
  }

  /** Incidents open now (for status pages and tests). */
  openIncidents(): IncidentView[] {
    return [...this.open.values()].map((i) => ({ ...i.view, anomaly: { ...i.view.anomaly } }));
  }

  private openIncident(r: CompiledRule, group: string, a: Anomaly, signature: string, now: number): void {
    const m = this.metrics.get('alerts');
    // a flapping source makes a new stored incident each time: the cooldown holds per rule and source then
    const cooldownKey = r.rule.groupBy === 'incident' ? `${r.rule.name}\u0000source:${a.source}` : group;
    if (this.open.size >= MAX_OPEN_INCIDENTS) {
      m.drop('incident_limit');
      return;
    }
    const view: IncidentView = {
      id: this.nextId++,
      rule: r.rule.name,
      groupBy: r.rule.groupBy,
      key: r.rule.groupBy === 'incident' ? (a.incident !== undefined ? `#${a.incident}` : a.source) : groupKey(r.rule.groupBy, a, signature),
      incident: a.incident,
      source: a.source,
      openedAt: now,
      lastAt: now,
      count: 1,
      signatures: 1,
      maxGrade: a.grade,
      anomaly: alertAnomaly(a, signature),
    };
    const last = this.lastAlert.get(cooldownKey);
    const announced = last === undefined || now - last >= r.rule.cooldown;
    const inc: OpenIncident = { view, rule: r, signatures: new Set([signature]), announced };
    this.open.set(group, inc);
    if (!announced) {
      m.drop('cooldown');
      return;
    }
    this.lastAlert.set(cooldownKey, now);
    m.emitted++;
    this.send('open', inc);
  }

  private join(inc: OpenIncident, a: Anomaly, signature: string, now: number): void {
    const v = inc.view;
    v.count++;
    v.lastAt = now;
    if (a.grade > v.maxGrade) {
      v.maxGrade = a.grade;
      v.anomaly = alertAnomaly(a, signature);
    }
    // deduplication: a signature already in the incident adds to its count only; the set is bounded
    if (inc.signatures.has(signature) || inc.signatures.size >= MAX_SIGNATURES) return;
    inc.signatures.add(signature);
    v.signatures = inc.signatures.size;
    if (inc.announced && !inc.rule.rule.alertOnce) this.send('update', inc);
  }

  private send(kind: NotificationKind, inc: OpenIncident): void {
    this.notify({ kind, incident: { ...inc.view, anomaly: { ...inc.view.anomaly } }, channels: inc.rule.channels });
  }
}

/** What groups an anomaly under a rule: its stored incident (its source when it has none, e.g. batch mode), source or signature. */
function groupKey(by: AlertRule['groupBy'], a: Anomaly, signature: string): string {
  if (by === 'incident') return a.incident !== undefined ? `incident:${a.incident}` : `source:${a.source}`;
  return by === 'source' ? a.source : signature;
}

function alertAnomaly(a: Anomaly, signature: string): AlertAnomaly {
  return { id: a.id, kind: a.kind, detector: a.detector, grade: a.grade, reason: a.reason, source: a.source, ts: a.ts, raw: a.raw, line: a.line, signature };
}
