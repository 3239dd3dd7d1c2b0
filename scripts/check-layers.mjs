/**
 * The layering check (docs/ARCHITECTURE.md, "Layers"): the rules of .dependency-cruiser.mjs, plus
 * cycles between the folders directly under src/ — the cruiser's folder rule compares folders of the
 * same depth, so `a/ → b/sub/` with `b/ → a/` would pass it.
 * Usage: node scripts/check-layers.mjs [directory holding src/]; exits 1 on any violation.
 */
import process from 'node:process';
import { cruise } from 'dependency-cruiser';
import config from '../.dependency-cruiser.mjs';

const baseDir = process.argv[2] ?? process.cwd();
const { output } = await cruise(['src'], { ...config.options, baseDir, validate: true, ruleSet: { forbidden: config.forbidden }, outputType: 'json' });
const result = JSON.parse(String(output));

const problems = result.summary.violations.map((v) =>
  v.cycle ? `${v.rule.name}: ${[v.from, ...v.cycle.map((c) => c.name ?? c)].join(' → ')}` : `${v.rule.name}: ${v.from} → ${v.to}`,
);

// Arrows between the top-level folders of src/, each with one import that makes it.
const top = (path) => path.split('/')[1];
const arrows = new Map();
for (const m of result.modules) {
  for (const d of m.dependencies) {
    const [a, b] = [top(m.source), top(d.resolved)];
    if (!d.resolved.startsWith('src/') || a === b) continue;
    if (!arrows.has(a)) arrows.set(a, new Map());
    if (!arrows.get(a).has(b)) arrows.get(a).set(b, `${m.source} → ${d.resolved}`);
  }
}
// A cycle shows as a path back to the folder it started from (depth-first, each cycle reported once per start).
const reported = new Set();
for (const start of arrows.keys()) {
  const stack = [[start, [start]]];
  const seen = new Set();
  while (stack.length) {
    const [at, path] = stack.pop();
    for (const next of arrows.get(at)?.keys() ?? []) {
      if (next === start) {
        const key = [...path].sort().join(',');
        if (reported.has(key)) continue;
        reported.add(key);
        const steps = path.map((f, i) => arrows.get(f).get(path[i + 1] ?? start));
        problems.push(`no-top-folder-cycle: ${[...path, start].join(' → ')} (${steps.join('; ')})`);
      } else if (!seen.has(next)) {
        seen.add(next);
        stack.push([next, [...path, next]]);
      }
    }
  }
}

for (const p of problems) process.stderr.write(p + '\n');
process.stderr.write(problems.length ? `layers: ${problems.length} violation(s)\n` : `layers: ok (${result.summary.totalCruised} modules)\n`);
process.exit(problems.length ? 1 : 0);
