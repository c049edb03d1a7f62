import { fileURLToPath } from 'node:url';
import { deleteKeysUnder, testClient, uniquePrefix } from '../../support/redis.js';
import { type ChatProcess, spawnChatProcess } from '../../support/spawnChatProcess.js';

/** One server process under attack. */
export interface RunningTarget {
  /** The WebSocket URL clients connect to (stage included for the emulator). */
  readonly url: string;
  /** A plain HTTP URL on the same port, whose answer time shows whether the event loop turns. */
  readonly httpUrl: string;
  readonly process: ChatProcess;
  /** False where the shape promises no per-sender order (API Gateway runs a connection's messages concurrently). */
  readonly ordersPerSender: boolean;
  /** Kills the process (if still running) and releases what the target used. */
  release(): Promise<void>;
}

/** A runtime shape the hostile suite attacks, and how big its scenarios may be on 2 cores. */
export interface HostileShape {
  readonly name: string;
  start(env?: Record<string, string>): Promise<RunningTarget>;
  /** Receivers the flood scenarios connect: each broadcast reaches all of them. */
  readonly receivers: number;
  /** Frames one flooder writes per TCP chunk. */
  readonly floodFrames: number;
  /** Hostile connections of the many-connection scenarios. */
  readonly connections: number;
  /** Where the shape's own load moves its memory more than the suite's default bound allows. */
  readonly rssGrowthBoundMiB?: number;
  /** Where the shape's own machinery adds more to a probe's round trip than the default bound allows. */
  readonly roundTripBoundMs?: number;
  /** How long the slow-reader scenarios flood (default 3 s). */
  readonly slowReaderFloodMs?: number;
  /** False where a flood of tiny messages is too slow to reach the slow-reader limits in CI time. */
  readonly slowTinyFlood?: boolean;
  /** Ordinary clients chatting in rooms of ten beside a flooder. */
  readonly crowd: number;
  /**
   * The rate limit the flooders beside the crowd are held to (default 20 a second, burst 40): a
   * flood to everyone at that rate must fit what the shape can deliver, or the crowd's and the
   * probe's messages wait behind a line that grows for as long as the flood lasts.
   */
  readonly floodRate?: { readonly perSecond: number; readonly burst: number };
  /** The close code of a connection the server cuts: 1008 (policy), unless the shape closes it otherwise. */
  readonly cutCloseCode?: number;
  /** False where the shape has no per-address connection cap (API Gateway has none). */
  readonly capsPerAddress?: boolean;
}

type Scale = Omit<HostileShape, 'name' | 'start'>;

/**
 * The build under attack: `dist/` of this tree, or `HOSTILE_DIST` (another build, e.g. of the
 * commit before a fix, to record the figures it gives).
 */
const dist = (file: string) =>
  process.env.HOSTILE_DIST === undefined || process.env.HOSTILE_DIST === ''
    ? fileURLToPath(new URL(`../../../dist/${file}`, import.meta.url))
    : `${process.env.HOSTILE_DIST}/${file}`;

const httpOf = (url: string) => `${new URL(url).origin.replace('ws:', 'http:')}/health`;

async function spawnTarget(
  file: string,
  env: Record<string, string>,
  release = async () => {},
  ordersPerSender = true,
) {
  const process = await spawnChatProcess([dist(file)], env);
  return {
    url: process.url,
    httpUrl: httpOf(process.url),
    process,
    ordersPerSender,
    async release() {
      await process.stop('SIGKILL');
      await release();
    },
  } satisfies RunningTarget;
}

export const standalone = (scale: Scale): HostileShape => ({
  name: 'standalone',
  ...scale,
  start: (env = {}) => spawnTarget('server.js', env),
});

/** One node of a cluster, on the Redis at `redisUrl()`, under a key prefix of its own. */
export const clusterNode = (redisUrl: () => string, scale: Scale): HostileShape => ({
  name: 'cluster node',
  ...scale,
  async start(env = {}) {
    const prefix = uniquePrefix('hostile');
    return spawnTarget('server.js', { REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: prefix, ...env }, async () => {
      const redis = testClient(redisUrl());
      try {
        await deleteKeysUnder(redis, prefix);
      } finally {
        redis.disconnect();
      }
    });
  },
});

export const awsLocal = (scale: Scale): HostileShape => ({
  name: 'aws-local',
  ...scale,
  // At the stack's default stage throttle (100 messages a second) a flooder would spend the
  // stage's tokens and the crowd beside it would be throttled: what AWS would do, and what the
  // README warns of. These scenarios are about the chat's own defences, so the stage is set to the
  // account's quota, the most it may be deployed with.
  start: (env = {}) =>
    spawnTarget(
      'aws-local.js',
      { THROTTLE_RATE_LIMIT: '10000', THROTTLE_BURST_LIMIT: '5000', ...env },
      async () => {},
      false,
    ),
});
