import type { Redis } from 'ioredis';

/** Calls per command, from `INFO commandstats`. */
export type CommandCounts = Record<string, number>;

export async function commandCounts(redis: Redis): Promise<CommandCounts> {
  const info = await redis.info('commandstats');
  const counts: CommandCounts = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts[match[1] as string] = Number(match[2]);
  return counts;
}

/** What ran between two snapshots, leaving out the INFO calls that took them. */
export function delta(before: CommandCounts, after: CommandCounts): CommandCounts {
  const result: CommandCounts = {};
  for (const [name, calls] of Object.entries(after)) {
    const grown = calls - (before[name] ?? 0);
    if (grown > 0 && name !== 'info') result[name] = grown;
  }
  return result;
}

export const total = (counts: CommandCounts) => Object.values(counts).reduce((sum, calls) => sum + calls, 0);
