/**
 * The web console's build: web/ → dist/web, served by both services at /console/ (src/console).
 * `npm run build` runs it; `npx vite --config web/vite.config.ts` serves it with live reload, proxying the
 * API to ERX_CONSOLE_API (default http://127.0.0.1:8081, a border replica).
 *
 * `@api/…` is src/api, the HTTP API's schemas (tsconfig.json maps it for the type checker): the pages
 * import their answers' types from there, so the console builds against the servers' own schemas.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const api = process.env.ERX_CONSOLE_API ?? 'http://127.0.0.1:8081';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  resolve: { alias: { '@api': fileURLToPath(new URL('../src/api', import.meta.url)) } },
  // Preact's JSX runtime (tsconfig.json says the same for the type checker).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: { proxy: { '/v1': api } },
});
