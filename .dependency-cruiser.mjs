/**
 * The layers of docs/ARCHITECTURE.md ("Layers"), checked by `npm run lint:layers` (part of `npm run
 * lint`). An import may point down or sideways, never up; src/web stands alone. Production code only:
 * tests may import anything, and as nothing imports a test, a test closes no cycle.
 */

/** Folders of src/ by layer, lowest first. */
const LAYERS = [
  ['model', 'util'],
  ['config'],
  ['parsers', 'features', 'detectors', 'store', 'sources', 'generators', 'alerts'],
  ['report'],
  ['pipeline'],
  ['server'],
  ['cli'],
];

const folders = (names) => `^src/(${names.join('|')})/`;

/** For each layer: its folders must not import a folder of a higher layer. */
const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `no-upward-from-L${i}`,
  comment: `L${i} (${layer.join(', ')}) imports only lower layers and itself`,
  severity: 'error',
  from: { path: folders(layer) },
  to: { path: folders(LAYERS.slice(i + 1).flat()) },
}));

export default {
  forbidden: [
    ...upward,
    {
      name: 'model-imports-nothing',
      comment: 'model/ is the ground floor: it imports nothing of ours outside itself',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^src/', pathNot: '^src/model/' },
    },
    {
      name: 'util-imports-only-model',
      severity: 'error',
      from: { path: '^src/util/' },
      to: { path: '^src/', pathNot: '^src/(util|model)/' },
    },
    {
      name: 'store-behind-interfaces',
      comment: 'sources, pipeline, server and report see the store through model/store.ts; only cli opens it',
      severity: 'error',
      from: { path: '^src/(sources|pipeline|server|report)/' },
      to: { path: '^src/store/' },
    },
    {
      name: 'web-stands-alone',
      comment: 'the browser dashboard talks to the HTTP API only',
      severity: 'error',
      from: { path: '^src/web/' },
      to: { path: '^src/', pathNot: '^src/web/' },
    },
    {
      name: 'nothing-imports-web',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/web/' },
      to: { path: '^src/web/' },
    },
    {
      name: 'no-file-cycle',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      comment: 'between folders of the same depth; the check script adds cycles between the folders of src/ through sub-folders',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    // type-only imports count: a type is a dependency too
    tsPreCompilationDeps: true,
    includeOnly: '^src/',
    exclude: { path: '\\.test\\.ts$' },
  },
};
