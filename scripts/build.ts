import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

/**
 * Bundles each entrypoint into dist/. Dependencies stay external for the server (npm ci
 * installs them); the Lambda bundles are self-contained except for the SDK v3 the runtime ships.
 */
await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { server: 'src/entrypoints/server/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
