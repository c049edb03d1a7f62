import { build } from 'esbuild';
import { LAMBDA_HANDLERS } from '../src/entrypoints/lambda/routes.js';

/**
 * Bundles each entrypoint into dist/. Dependencies stay external for the server and the local
 * API Gateway (npm ci installs them); the Lambda bundles are self-contained except for the SDK v3
 * the runtime ships. Outputs are overwritten in place rather than dist/ wiped first, so a
 * running emulator or test that loads from dist/ never finds it half gone.
 */
await build({
  entryPoints: {
    server: 'src/entrypoints/server/main.ts',
    'aws-local': 'src/entrypoints/aws-local/main.ts',
    'aws-local-worker': 'src/entrypoints/aws-local/lambdaWorker.ts',
  },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

/** The Lambda handlers: one ESM bundle each (inversify 8 is ESM only), `index.handler`. */

await build({
  entryPoints: Object.fromEntries(
    LAMBDA_HANDLERS.map((name) => [`${name}/index`, `src/entrypoints/lambda/${name}.ts`]),
  ),
  outdir: 'dist/lambda',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['@aws-sdk/*'],
  sourcemap: true,
  logLevel: 'warning',
});
