import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_HANDLERS } from '../src/entrypoints/lambda/routes.js';

/**
 * Bundles each entrypoint into dist/. Dependencies stay external for the server and the local
 * API Gateway (npm ci installs them); the Lambda bundles are self-contained except for the SDK v3
 * the runtime ships. Outputs are overwritten in place rather than dist/ wiped first, so a
 * running emulator or test that loads from dist/ never finds it half gone.
 */
/** What `--version` prints: the package's version, built in so that no file is read at run time. */
const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };

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
  define: { CHAT_VERSION: JSON.stringify(version) },
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

/**
 * The chat page: one small script and one stylesheet, named by their content so that browsers
 * may keep them for good, and the page that names them (the one file that must be fetched anew).
 */
const page = await build({
  entryPoints: { app: 'src/web/app.ts', style: 'src/web/style.css' },
  outdir: 'dist/web',
  entryNames: '[name]-[hash]',
  bundle: true,
  platform: 'browser',
  target: 'es2020',
  format: 'esm',
  minify: true,
  metafile: true,
  logLevel: 'warning',
});
const outputOf = (entry: string) =>
  basename(
    Object.entries(page.metafile.outputs).find(([, output]) => output.entryPoint === entry)?.[0] ??
      (() => {
        throw new Error(`esbuild wrote nothing for ${entry}`);
      })(),
  );
const html = (await readFile('src/web/index.html', 'utf8'))
  .replace('%SCRIPT%', `/${outputOf('src/web/app.ts')}`)
  .replace('%STYLE%', `/${outputOf('src/web/style.css')}`);
await writeFile('dist/web/index.html', html);
// Files of earlier builds would only pile up: the page names this build's.
const written = new Set(['index.html', ...Object.keys(page.metafile.outputs).map((path) => basename(path))]);
for (const file of await readdir('dist/web')) if (!written.has(file)) await rm(`dist/web/${file}`);
