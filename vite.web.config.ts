import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard is built into dist/web and served by `logradar serve` from the same origin; relative asset
// paths keep it working under any mount point, and nothing is loaded from another host (offline, CSP 'self').
const root = fileURLToPath(new URL('./src/web', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/web', import.meta.url));

export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  build: {
    outDir,
    emptyOutDir: true,
    assetsInlineLimit: 0, // data: URLs would need a CSP exception
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    // `npm run dev:web` against a running `logradar serve`
    proxy: { '/api': 'http://127.0.0.1:7420', '/healthz': 'http://127.0.0.1:7420' },
  },
});
