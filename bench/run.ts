import { execFileSync, execSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { combineRuns } from './combineRuns.js';
import { type Measurement, measure, UnavailableError } from './measure.js';
import { type BenchOptions, parseOptions } from './options.js';
import { measureRemote, renderRemote, writeRemoteResult } from './remote.js';
import { isRemoteRun, parseRemoteOptions } from './remoteOptions.js';
import { missesOf, ratiosOf, renderMarkdown, renderSummary, type ScenarioResult } from './report.js';
import { type Artifacts, SCENARIOS, type Scenario, type Target } from './scenarios.js';

/**
 * `npm run bench`: builds, then measures each scenario against its bare reference, one server
 * at a time, and writes the figures to bench/results (JSON and Markdown).
 */
const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const WORK = join(ROOT, 'bench', '.build');
/** How the bench bundles its own processes: ESM for Node 20, packages left to node_modules. */
const BUNDLE = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
} as const;
/** Descriptors each child may need: the scale scenario's clients plus headroom. */
const headroom = (options: BenchOptions) =>
  Math.max(options.scaleClients, options.clients, options.awsClients, options.roomClients) + 1024;

async function prepare(options: BenchOptions): Promise<{ artifacts: Artifacts; loadgen: string }> {
  if (options.build) execSync('npm run build --silent', { cwd: ROOT, stdio: 'inherit' });
  rmSync(WORK, { recursive: true, force: true });
  cpSync(join(ROOT, 'dist'), join(WORK, 'dist'), { recursive: true });
  await build({
    entryPoints: {
      loadgen: join(ROOT, 'bench/loadgen.ts'),
      'reference-standalone': join(ROOT, 'bench/reference/standalone.ts'),
      'reference-cluster': join(ROOT, 'bench/reference/cluster.ts'),
      'reference-rooms': join(ROOT, 'bench/reference/rooms.ts'),
      'memory-probe': join(ROOT, 'bench/memoryProbe.ts'),
    },
    outdir: WORK,
    outExtension: { '.js': '.mjs' },
    ...BUNDLE,
  });
  const profileDir = resolve(ROOT, options.outDir, 'profiles');
  if (options.profile) mkdirSync(profileDir, { recursive: true });
  return {
    loadgen: join(WORK, 'loadgen.mjs'),
    artifacts: {
      distDir: join(WORK, 'dist'),
      referenceStandalone: join(WORK, 'reference-standalone.mjs'),
      referenceCluster: join(WORK, 'reference-cluster.mjs'),
      referenceRooms: join(WORK, 'reference-rooms.mjs'),
      openFiles: headroom(options),
      nodeArgs: (name) => [
        '--expose-gc',
        '--import',
        pathToFileURL(join(WORK, 'memory-probe.mjs')).href,
        ...(options.profile
          ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${name}-${Date.now()}.cpuprofile`]
          : []),
      ],
    },
  };
}

function machine(): Record<string, string> {
  const cpuModel =
    /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? '';
  const openFiles = execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  return { nproc: String(cpus().length), cpuModel, node: process.version, kernel: release(), openFiles };
}

async function runScenario(
  scenario: Scenario,
  options: BenchOptions,
  artifacts: Artifacts,
  loadgen: string,
): Promise<ScenarioResult> {
  const base = { scenario: scenario.name, note: scenario.note };
  const unavailable = scenario.unavailable(artifacts);
  if (unavailable !== undefined) return { ...base, unavailable };
  const runs: Record<Target, Measurement[]> = { ours: [], reference: [] };
  // The ratio targets rest on medians of several runs; the other scenarios run once by default.
  const checkRatios = scenario.targets !== undefined;
  const repeat = checkRatios ? options.repeat : Math.min(options.repeat, 1);
  for (let repetition = 0; repetition < repeat; repetition++) {
    // Alternate which server goes first, so drift in the machine's load falls on both.
    const order = repetition % 2 === 0 ? options.targets : [...options.targets].reverse();
    for (const target of order) {
      const started = Date.now();
      process.stderr.write(`bench: ${scenario.name} / ${target} (${repetition + 1}/${repeat}) ... `);
      try {
        runs[target].push(await measure(scenario, target, options, artifacts, loadgen));
        process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`${error instanceof UnavailableError ? 'unavailable' : 'failed'}: ${message}\n`);
        if (error instanceof UnavailableError) return { ...base, unavailable: message };
        return { ...base, failed: `${target}: ${message.split('\n')[0]}` };
      }
    }
  }
  const measured: Partial<Record<Target, Measurement>> = {};
  for (const target of options.targets) measured[target] = combineRuns(runs[target]);
  const { ours, reference } = measured;
  const ratios = ours !== undefined && reference !== undefined ? ratiosOf(ours, reference) : undefined;
  return {
    ...base,
    ...measured,
    runs,
    ...(ratios === undefined ? {} : { ratios }),
    ratiosChecked: checkRatios,
    ...(ours === undefined ? {} : { misses: missesOf(ours, ratios, scenario.targets) }),
  };
}

/**
 * `npm run bench -- --url <wss://…>`: the same load generator against a chat that is already
 * running (a deployed stage). Nothing is started or built but the load generator, and there is no
 * reference to compare with: the figures are printed as measured.
 */
async function mainRemote(argv: readonly string[]): Promise<void> {
  const options = parseRemoteOptions(argv);
  const startedAt = new Date();
  const loadgen = join(WORK, 'loadgen.mjs');
  await build({
    entryPoints: [join(ROOT, 'bench/loadgen.ts')],
    outfile: loadgen,
    ...BUNDLE,
  });
  process.stderr.write(`bench: ${options.clients} clients against the given URL ...\n`);
  const measured = await measureRemote(options, loadgen);
  process.stdout.write(`\n${renderRemote(options, measured)}\n`);
  const file = writeRemoteResult(resolve(ROOT, options.outDir), startedAt, options, measured);
  process.stdout.write(`\nresults: ${file}\n`);
  const { lost, duplicated } = measured.round.report;
  if (lost + duplicated > 0) process.exitCode = 1;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (isRemoteRun(argv)) return mainRemote(argv);
  const options = parseOptions(argv, process.env);
  const startedAt = new Date();
  const { artifacts, loadgen } = await prepare(options);
  const results: ScenarioResult[] = [];
  for (const scenario of SCENARIOS.filter((candidate) => options.scenarios.includes(candidate.name))) {
    results.push(await runScenario(scenario, options, artifacts, loadgen));
  }
  const host = machine();
  const header = `Machine: ${host.nproc} x ${host.cpuModel}, Node ${host.node}, Linux ${host.kernel}. Run ${startedAt.toISOString()}, ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s.`;
  const markdown = `${header}\n\n${renderSummary(results)}\n\n${renderMarkdown(results)}`;
  process.stdout.write(`\n${markdown}\n`);
  const outDir = resolve(ROOT, options.outDir);
  mkdirSync(outDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const json = {
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    machine: host,
    options,
    results,
  };
  writeFileSync(join(outDir, `bench-${stamp}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(outDir, `bench-${stamp}.md`), `${markdown}\n`);
  process.stdout.write(`\nresults: ${join(options.outDir, `bench-${stamp}.json`)}\n`);
  if (results.some((result) => result.failed !== undefined)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
