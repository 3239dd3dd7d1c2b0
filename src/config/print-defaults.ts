/** Renders the schema's defaults as commented YAML (`logradar config --print-defaults`). */
import { stringify } from 'yaml';
import { z } from 'zod';
import { configSchema } from './schema.js';

interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  enum?: unknown[];
  anyOf?: JsonSchema[];
}

export function defaultsYaml(): string {
  const js = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const defaults = configSchema.parse({});
  const lines = ['# logradar configuration: every key below is shown with its default.', '# Durations: 500ms, 30s, 15m, 24h, 7d. Sizes: 64KiB, 1MiB, 1GiB.', ''];
  render(js, defaults as unknown as Record<string, unknown>, 0, lines);
  return lines.join('\n') + '\n';
}

function render(schema: JsonSchema, value: Record<string, unknown>, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const desc = sub.description;
    const choices = sub.enum ? ` (one of: ${sub.enum.join(', ')})` : '';
    if (desc || choices) out.push(`${pad}# ${desc ?? ''}${choices}`.trimEnd());
    const v = sub.default !== undefined && sub.type !== 'object' ? sub.default : value[key];
    if (v === undefined) {
      out.push(`${pad}# ${key}: (not set)`);
      continue;
    }
    if (sub.type === 'object' && sub.properties) {
      const head = out.push(`${pad}${key}:`) - 1;
      const inner: string[] = [];
      render(sub, (value[key] ?? {}) as Record<string, unknown>, indent + 2, inner);
      // a section whose keys are all unset would read back as null: write it as an empty mapping
      if (inner.every((l) => l.trimStart().startsWith('#'))) out[head] += ' {}';
      out.push(...inner);
    } else {
      const text = stringify({ [key]: v }, { indent: 2 }).trimEnd();
      for (const l of text.split('\n')) out.push(pad + l);
    }
  }
}
