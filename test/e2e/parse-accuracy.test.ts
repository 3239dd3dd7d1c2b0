/**
 * Template mining accuracy on Loghub-2k with the default configuration, through the CLI: message
 * contents with `--format plain`, and the raw logs with `--format auto` (headers detected and stripped),
 * whose grouping accuracy must stay within 0.03 of the plain result. Floors guard against regressions;
 * the scored figures come from ../shared/tools/score-parse.py (see docs/parsing.md).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { groundTruth, groupingAccuracy, LOGHUB, SYSTEMS } from '../helpers/loghub.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'logradar');
const dir = mkdtempSync(join(tmpdir(), 'logradar-parse-acc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function parse(file: string, format: string): { templateId: number; template: string }[] {
  const r = spawnSync(BIN, ['parse', file, '--format', format, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { templateId: number; template: string });
}

describe.skipIf(!LOGHUB.present)(`Loghub-2k accuracy (${LOGHUB.why})`, () => {
  const plainGa: number[] = [];
  for (const system of SYSTEMS) {
    it(`${system}: plain contents, and auto on the raw log within 0.03 GA`, () => {
      const gt = groundTruth(system);
      const contents = join(dir, `${system}.txt`);
      writeFileSync(contents, gt.content.join('\n') + '\n');
      const plain = parse(contents, 'plain');
      expect(plain).toHaveLength(gt.content.length);
      const ga = groupingAccuracy(gt.template, plain.map((p) => p.templateId));
      plainGa.push(ga);
      expect(ga, `${system} plain GA`).toBeGreaterThanOrEqual(0.8);

      const auto = parse(join(LOGHUB.path, system, `${system}_2k.log`), 'auto');
      expect(auto).toHaveLength(gt.content.length);
      const autoGa = groupingAccuracy(gt.template, auto.map((p) => p.templateId));
      expect(autoGa, `${system} auto GA ${autoGa.toFixed(3)} vs plain ${ga.toFixed(3)}`).toBeGreaterThanOrEqual(ga - 0.03);
    });
  }

  it('averages at least 0.94 GA over the 8 systems', () => {
    expect(plainGa).toHaveLength(SYSTEMS.length);
    expect(plainGa.reduce((a, b) => a + b, 0) / plainGa.length).toBeGreaterThanOrEqual(0.94);
  });
});
