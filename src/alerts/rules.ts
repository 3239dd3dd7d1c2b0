/** Which anomalies a rule takes: grade, sources (globs), detectors, kinds, templates, field values. */
import picomatch from 'picomatch';
import type { AlertRule } from '../config/schema.js';
import type { Anomaly } from '../model/record.js';

export type AnomalyFilter = (a: Anomaly) => boolean;

export function ruleFilter(rule: AlertRule): AnomalyFilter {
  const source = rule.sources.length ? picomatch(rule.sources, { dot: true }) : undefined;
  const detectors = new Set(rule.detectors);
  const kinds = new Set<string>(rule.kinds);
  const templates = new Set(rule.templates);
  const fields = Object.entries(rule.fields).map(([field, values]) => ({ field, values: new Set(values.map(String)) }));
  return (a) => {
    if (a.grade < rule.minGrade) return false;
    if (source && !source(a.source)) return false;
    if (detectors.size && !detectors.has(a.detector) && !a.detectors.some((d) => detectors.has(d.detector))) return false;
    if (kinds.size && !kinds.has(a.kind)) return false;
    if (templates.size && (a.templateId === undefined || !templates.has(a.templateId))) return false;
    if (fields.length) {
      const seen = fieldValues(a);
      for (const f of fields) {
        const vs = seen.get(f.field);
        if (!vs || (f.values.size && ![...vs].some((v) => f.values.has(v)))) return false;
      }
    }
    return true;
  };
}

/** field → values named by the anomaly's contributions (`{feature: "f", value: v}` or `{feature: "f=v"}`). */
function fieldValues(a: Anomaly): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const contributions = Array.isArray(a.explain?.contributions) ? (a.explain.contributions as Array<Record<string, unknown>>) : [];
  for (const c of contributions) {
    if (typeof c.feature !== 'string') continue;
    const eq = c.feature.indexOf('=');
    const field = eq >= 0 ? c.feature.slice(0, eq) : c.feature;
    const value = eq >= 0 ? c.feature.slice(eq + 1) : c.value === undefined ? '' : String(c.value);
    let set = out.get(field);
    if (!set) out.set(field, (set = new Set()));
    set.add(value);
  }
  return out;
}
