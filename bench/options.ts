/** What one `npm run bench` measures; every figure bounded so a run ends. */
export interface BenchOptions {
  readonly scenarios: readonly string[];
  /** Connections held open during the standalone and cluster scenarios. */
  readonly clients: number;
  /** How many of the clients send. */
  readonly senders: number;
  /** Messages each sender sends in the measured round. */
  readonly messages: number;
  /** Messages each sender sends in the warm-up round, which is not measured. */
  readonly warmup: number;
  /** Characters of `data` in each message. */
  readonly payload: number;
  /** Messages one sender may have sent and not yet received back. */
  readonly window: number;
  /** Messages per second over all senders; 0 for as fast as the window allows. */
  readonly rate: number;
  readonly scaleClients: number;
  readonly scaleMessages: number;
  readonly awsClients: number;
  readonly awsMessages: number;
  /** Connections of the room scenarios, in rooms of `roomSize`, every room with a sender. */
  readonly roomClients: number;
  readonly roomSize: number;
  /** Messages each room's sender sends in the measured round. */
  readonly roomMessages: number;
  /** Connections of the mixed-format scenario (half text, half json). */
  readonly mixedClients: number;
  /** Runs of each server in the standalone and cluster scenarios, alternating which goes first; figures are medians. */
  readonly repeat: number;
  /** Longest a round may take before what has not arrived counts as lost. */
  readonly roundTimeoutMs: number;
  /** Runs `node --cpu-prof` on every server; profiles go to bench/results/profiles. */
  readonly profile: boolean;
  /** Runs `npm run build` first. */
  readonly build: boolean;
  /** Which servers to run: ours, the reference, or both. */
  readonly targets: readonly ('ours' | 'reference')[];
  readonly outDir: string;
}

export const ALL_SCENARIOS = [
  'standalone',
  'cluster',
  'cluster-shards',
  'aws-local',
  'scale',
  'rooms',
  'rooms-history',
  'mixed',
  'scale-v2',
] as const;

export const DEFAULT_OPTIONS: BenchOptions = {
  scenarios: ALL_SCENARIOS,
  clients: 500,
  senders: 10,
  messages: 100,
  warmup: 30,
  payload: 64,
  window: 4,
  rate: 0,
  scaleClients: 10_000,
  scaleMessages: 20,
  awsClients: 50,
  awsMessages: 20,
  roomClients: 10_000,
  roomSize: 10,
  roomMessages: 10,
  mixedClients: 2000,
  repeat: 3,
  roundTimeoutMs: 60_000,
  profile: false,
  build: true,
  targets: ['ours', 'reference'],
  outDir: 'bench/results',
};

export const USAGE = `npm run bench -- [options]   (each also as env BENCH_<NAME>, e.g. BENCH_CLIENTS=1000)
  --scenarios a,b      ${ALL_SCENARIOS.join(',')} (default: all)
  --clients N          connections, standalone and cluster (${DEFAULT_OPTIONS.clients})
  --senders N          clients that send (${DEFAULT_OPTIONS.senders})
  --messages N         messages per sender, measured round (${DEFAULT_OPTIONS.messages})
  --warmup N           messages per sender, warm-up round (${DEFAULT_OPTIONS.warmup})
  --payload N          characters of data per message (${DEFAULT_OPTIONS.payload})
  --window N           in-flight messages per sender (${DEFAULT_OPTIONS.window})
  --rate N             messages/s over all senders, 0 = window only (${DEFAULT_OPTIONS.rate})
  --scale-clients N    connections of the scale scenario (${DEFAULT_OPTIONS.scaleClients})
  --scale-messages N   broadcasts of the scale scenario (${DEFAULT_OPTIONS.scaleMessages})
  --aws-clients N      connections of the aws-local scenario (${DEFAULT_OPTIONS.awsClients})
  --aws-messages N     messages per sender of the aws-local scenario (${DEFAULT_OPTIONS.awsMessages})
  --room-clients N     connections of the rooms scenarios (${DEFAULT_OPTIONS.roomClients})
  --room-size N        clients per room, each room busy (${DEFAULT_OPTIONS.roomSize})
  --room-messages N    messages per room, measured round (${DEFAULT_OPTIONS.roomMessages})
  --mixed-clients N    connections of the mixed-format scenario (${DEFAULT_OPTIONS.mixedClients})
  --repeat N           runs per server in standalone and cluster, figures are medians (${DEFAULT_OPTIONS.repeat})
  --round-timeout-ms N (${DEFAULT_OPTIONS.roundTimeoutMs})
  --targets ours,reference
  --profile            node --cpu-prof on the servers (bench/results/profiles)
  --no-build           skip npm run build
  --out DIR            where the JSON result goes (${DEFAULT_OPTIONS.outDir})`;

const INTEGER_OPTIONS = {
  clients: 1,
  senders: 1,
  messages: 1,
  warmup: 0,
  payload: 24,
  window: 1,
  rate: 0,
  scaleClients: 1,
  scaleMessages: 1,
  awsClients: 1,
  awsMessages: 1,
  roomClients: 2,
  roomSize: 2,
  roomMessages: 1,
  mixedClients: 2,
  repeat: 1,
  roundTimeoutMs: 1000,
} as const satisfies Partial<Record<keyof BenchOptions, number>>;

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
const envName = (key: string) => `BENCH_${key.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;

/** Reads flags (`--clients 1000` or `--clients=1000`) over `BENCH_*` variables over defaults. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const raw = new Map<string, string>();
  for (const key of [...Object.keys(INTEGER_OPTIONS), 'scenarios', 'targets', 'profile', 'noBuild', 'out']) {
    const value = env[envName(key)];
    if (value !== undefined && value !== '') raw.set(key, value);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}\n${USAGE}`);
    const [flag, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const key = camel(flag);
    if (key === 'profile' || key === 'noBuild' || key === 'help') {
      raw.set(key, 'true');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${flag} needs a value\n${USAGE}`);
    raw.set(key, value);
  }
  if (raw.has('help')) throw new Error(USAGE);
  const options: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  for (const [key, value] of raw) {
    if (key in INTEGER_OPTIONS) {
      const min = INTEGER_OPTIONS[key as keyof typeof INTEGER_OPTIONS];
      const number = Number(value);
      if (!Number.isInteger(number) || number < min) throw new Error(`${key} must be an integer >= ${min}`);
      options[key] = number;
    } else if (key === 'scenarios') {
      const names = value.split(',').filter((name) => name !== '');
      const unknown = names.filter((name) => !(ALL_SCENARIOS as readonly string[]).includes(name));
      if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}\n${USAGE}`);
      options.scenarios = names;
    } else if (key === 'targets') {
      const targets = value.split(',').filter((name) => name === 'ours' || name === 'reference');
      if (targets.length === 0) throw new Error('targets: ours, reference or both');
      options.targets = targets;
    } else if (key === 'profile') options.profile = value === 'true' || value === '1';
    else if (key === 'noBuild') options.build = !(value === 'true' || value === '1');
    else if (key === 'out') options.outDir = value;
    else throw new Error(`unknown option --${key}\n${USAGE}`);
  }
  const parsed = options as unknown as BenchOptions;
  if (parsed.senders > parsed.clients) throw new Error('senders cannot exceed clients');
  return parsed;
}
