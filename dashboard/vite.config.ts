// Builds the dashboard into dist/ui, which `chime serve` serves at /ui (no CDN: every asset
// is in the package). Preact's JSX through Vite's own transformer: no Babel, no plugin.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The whole UI is a few tens of KB: one chunk, no source maps in the package.
    sourcemap: false,
    reportCompressedSize: true,
  },
});
