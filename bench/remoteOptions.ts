import { isIP } from 'node:net';
import type { BenchOptions } from './options.js';

/**
 * What `npm run bench -- --url <wss://…>` measures: a chat that is already running, typically a
 * deployed AWS stage. Every figure is bounded, and nothing has a default that points anywhere:
 * the URL is always given on the command line.
 */
export interface RemoteOptions
  extends Pick<BenchOptions, 'clients' | 'senders' | 'messages' | 'warmup' | 'payload' | 'window' | 'rate' | 'outDir'> {
  readonly url: string;
  /** Longest the measured round may take; what has not arrived by then counts as lost. */
  readonly durationS: number;
}

/** Bounds of each integer option: [least, most, default]. */
const BOUNDS = {
  // A deployed stage bills every connection-minute and every delivered frame: a run stays small.
  clients: [1, 2000, 10],
  senders: [1, 100, 1],
  messages: [1, 1000, 20],
  warmup: [0, 100, 2],
  // Under API Gateway's 32 KB frame limit, with room for the JSON around the data.
  payload: [24, 30_000, 64],
  window: [1, 64, 1],
  // The deployed stage's default throttle is 100 requests/s, and each connection's rate limit 20/s.
  rate: [0, 1000, 5],
  durationS: [1, 600, 60],
} as const satisfies Partial<Record<keyof RemoteOptions, readonly [number, number, number]>>;

type IntegerOption = keyof typeof BOUNDS;

/** At most this many deliveries per run: about one US dollar of API Gateway messages. */
export const MAX_DELIVERIES = 1_000_000;

export const REMOTE_USAGE = `npm run bench -- --url <wss://…> [options]   measures a running chat (a deployed stage)
  --url URL            required; wss://, or ws:// to a loopback address (127.0.0.0/8, ::1, localhost)
  --insecure           also allow ws:// to any other host (frames and any token travel in clear)
${(Object.entries(BOUNDS) as [IntegerOption, readonly [number, number, number]][])
  .map(([key, [min, max, fallback]]) => `  --${flagOf(key).padEnd(19)}${min}..${max} (${fallback})`)
  .join('\n')}
  --out DIR            where the JSON result goes (bench/results)
  clients x senders x (warmup + messages) deliveries, at most ${MAX_DELIVERIES.toLocaleString('en-US')}`;

function flagOf(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Whether `argv` asks for a remote run (`--url`), which takes its own options. */
export function isRemoteRun(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--url' || arg.startsWith('--url='));
}

/** `localhost`, 127.0.0.0/8 or ::1: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Reads `--flag value` / `--flag=value`; refuses anything unknown, unbounded or unsafe. */
export function parseRemoteOptions(argv: readonly string[]): RemoteOptions {
  const raw = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}\n${REMOTE_USAGE}`);
    const [flag, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (flag === 'insecure' || flag === 'help') {
      raw.set(flag, 'true');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${flag} needs a value\n${REMOTE_USAGE}`);
    raw.set(camel(flag), value);
  }
  if (raw.has('help')) throw new Error(REMOTE_USAGE);
  const url = checkUrl(raw.get('url'), raw.has('insecure'));
  const numbers: Partial<Record<IntegerOption, number>> = {};
  for (const [key, [min, max, fallback]] of Object.entries(BOUNDS) as [
    IntegerOption,
    readonly [number, number, number],
  ][]) {
    const value = raw.has(key) ? Number(raw.get(key)) : fallback;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`--${flagOf(key)} must be an integer from ${min} to ${max}`);
    }
    numbers[key] = value;
  }
  const known = new Set(['url', 'insecure', 'out', ...Object.keys(BOUNDS)]);
  const unknown = [...raw.keys()].filter((key) => !known.has(key));
  if (unknown.length > 0) throw new Error(`unknown option --${flagOf(unknown[0] as string)}\n${REMOTE_USAGE}`);
  const options = { url, outDir: raw.get('out') ?? 'bench/results', ...numbers } as RemoteOptions;
  checkBounds(options);
  return options;
}

function checkUrl(raw: string | undefined, insecure: boolean): string {
  if (raw === undefined || !URL.canParse(raw)) throw new Error(`--url needs a ws:// or wss:// URL\n${REMOTE_USAGE}`);
  const url = new URL(raw);
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:')
    throw new Error(`--url must be wss:// or ws://, not ${url.protocol}`);
  if (url.protocol === 'ws:' && !insecure && !isLoopbackHost(url.hostname)) {
    throw new Error(`--url ws://${url.host} is not loopback: use wss://, or --insecure to send in clear`);
  }
  return url.href;
}

function checkBounds(options: RemoteOptions): void {
  if (options.senders > options.clients) throw new Error('--senders cannot exceed --clients');
  const deliveries = options.clients * options.senders * (options.warmup + options.messages);
  if (deliveries > MAX_DELIVERIES) {
    throw new Error(
      `${deliveries.toLocaleString('en-US')} deliveries (clients x senders x (warmup + messages)) exceed ` +
        `${MAX_DELIVERIES.toLocaleString('en-US')}; ask for fewer`,
    );
  }
  const paced = options.rate > 0 ? (options.senders * options.messages) / options.rate : 0;
  if (paced > options.durationS) {
    throw new Error(
      `${options.senders * options.messages} messages at ${options.rate}/s take ${paced.toFixed(0)} s, ` +
        `longer than --duration-s ${options.durationS}`,
    );
  }
}
