/** Loghub-2k ground truth and the grouping accuracy (GA) of Loghub-2.0, for parser tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedData } from './shared-data.js';

export const LOGHUB = sharedData('loghub-2k');
export const SYSTEMS = ['Apache', 'BGL', 'HDFS', 'Hadoop', 'Linux', 'OpenSSH', 'Spark', 'Zookeeper'];

/** RFC 4180 rows (quoted fields, doubled quotes). */
export function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

/** Content and ground-truth template of every line of a system's structured CSV. */
export function groundTruth(system: string): { content: string[]; template: string[] } {
  const rows = readCsv(readFileSync(join(LOGHUB.path, system, `${system}_2k.log_structured.csv`), 'utf8'));
  const head = rows[0];
  const ci = head.indexOf('Content');
  const ti = head.indexOf('EventTemplate');
  const body = rows.slice(1).filter((r) => r.length > Math.max(ci, ti));
  return { content: body.map((r) => r[ci]), template: body.map((r) => r[ti]) };
}

/** Grouping accuracy: a line is right when the lines sharing its predicted id are exactly its ground-truth group. */
export function groupingAccuracy(truth: string[], predicted: (string | number)[]): number {
  const groups = new Map<string, number[]>();
  truth.forEach((t, i) => (groups.get(t) ?? groups.set(t, []).get(t)!).push(i));
  const size = new Map<string | number, number>();
  for (const p of predicted) size.set(p, (size.get(p) ?? 0) + 1);
  let ok = 0;
  for (const idx of groups.values()) {
    const p = predicted[idx[0]];
    if (idx.every((i) => predicted[i] === p) && size.get(p) === idx.length) ok += idx.length;
  }
  return ok / truth.length;
}
