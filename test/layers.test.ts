/**
 * The layering check bites: scripts/check-layers.mjs run on small trees written here, each with one
 * bad import, must fail naming the rule; the same tree without it must pass.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '..', 'scripts', 'check-layers.mjs');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A tree that keeps every rule: model ← config ← parsers ← pipeline ← server ← cli, and a lone web. */
const CLEAN: Record<string, string> = {
  'src/model/record.ts': 'export interface Rec { n: number }\n',
  'src/model/store.ts': "import type { Rec } from './record.js';\nexport interface Store { load(): Rec }\n",
  'src/config/schema.ts': "import type { Rec } from '../model/record.js';\nexport const DEFAULTS: Rec = { n: 1 };\n",
  'src/parsers/drain/miner.ts': "import { DEFAULTS } from '../../config/schema.js';\nexport const mine = () => DEFAULTS.n;\n",
  'src/detectors/rare.ts': "import { mine } from '../parsers/drain/miner.js';\nexport const rare = () => mine();\n",
  'src/store/sqlite/store.ts': "import type { Store } from '../../model/store.js';\nexport const open = (): Store => ({ load: () => ({ n: 0 }) });\n",
  'src/pipeline/pipeline.ts': "import type { Store } from '../model/store.js';\nimport { rare } from '../detectors/rare.js';\nexport const run = (s: Store) => s.load().n + rare();\n",
  'src/server/app.ts': "import { run } from '../pipeline/pipeline.js';\nexport const serve = run;\n",
  'src/cli/main.ts': "import { serve } from '../server/app.js';\nimport { open } from '../store/sqlite/store.js';\nserve(open());\n",
  'src/web/main.ts': "import { page } from './page.js';\npage();\n",
  'src/web/page.ts': 'export const page = () => 1;\n',
};

function check(extra: Record<string, string>): { status: number | null; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'logradar-layers-'));
  dirs.push(root);
  for (const [path, text] of Object.entries({ ...CLEAN, ...extra })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const r = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  return { status: r.status, out: r.stderr + r.stdout };
}

describe('the layering check', () => {
  it('passes a tree whose imports all point down', () => {
    expect(check({})).toMatchObject({ status: 0, out: expect.stringContaining('layers: ok') });
  });

  it.each([
    ['a type-only import upward', 'no-upward-from-L2', { 'src/parsers/drain/miner.ts': "import type { Store } from '../../model/store.js';\nimport type { run } from '../../pipeline/pipeline.js';\nexport const mine = (_s?: Store, _r?: typeof run) => 1;\n" }],
    ['model importing config', 'model-imports-nothing', { 'src/model/store.ts': "import { DEFAULTS } from '../config/schema.js';\nexport const n = DEFAULTS.n;\n" }],
    ['the pipeline importing the SQLite store', 'store-behind-interfaces', { 'src/pipeline/pipeline.ts': "import { open } from '../store/sqlite/store.js';\nexport const run = () => open().load().n;\n" }],
    ['the dashboard importing src', 'web-stands-alone', { 'src/web/page.ts': "import type { Rec } from '../model/record.js';\nexport const page = (_r?: Rec) => 1;\n" }],
    ['a cycle between files', 'no-file-cycle', { 'src/model/record.ts': "import type { Store } from './store.js';\nexport interface Rec { n: number; s?: Store }\n" }],
    [
      'a cycle between folders through a sub-folder',
      'no-top-folder-cycle',
      {
        'src/features/window.ts': "import { mine } from '../parsers/drain/miner.js';\nexport const w = mine;\n",
        'src/parsers/decode/decoder.ts': "import { w } from '../../features/window.js';\nexport const d = w;\n",
      },
    ],
  ])('fails on %s (%s)', (_what, rule, extra) => {
    const r = check(extra);
    expect(r.status).toBe(1);
    expect(r.out).toContain(`${rule}: `);
  });
});
