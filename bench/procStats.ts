import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU and memory of a process, read from /proc (Linux): no change to the process measured. */
export interface ProcSample {
  /** User plus system CPU time consumed so far, in seconds. */
  readonly cpuSeconds: number;
  /** Resident set size now, in bytes. */
  readonly rssBytes: number;
  /** Highest resident set size so far, in bytes. */
  readonly peakRssBytes: number;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    ticksPerSecond = Number.parseInt(out, 10) || 100;
  }
  return ticksPerSecond;
}

/** Parses the text of /proc/<pid>/stat: utime and stime are fields 14 and 15. */
export function parseCpuTicks(stat: string): number {
  // The command name (field 2) may hold spaces; fields are counted after its closing paren.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

/** Reads a `kB` field such as `VmRSS` from the text of /proc/<pid>/status, in bytes. */
export function parseStatusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? 0 : Number(match[1]) * 1024;
}

export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    cpuSeconds: parseCpuTicks(stat) / clockTicks(),
    rssBytes: parseStatusKb(status, 'VmRSS'),
    peakRssBytes: parseStatusKb(status, 'VmHWM'),
  };
}

/** The sum over several processes (the nodes of a cluster). */
export function sampleProcesses(pids: readonly number[]): ProcSample {
  let cpuSeconds = 0;
  let rssBytes = 0;
  let peakRssBytes = 0;
  for (const pid of pids) {
    const sample = sampleProcess(pid);
    cpuSeconds += sample.cpuSeconds;
    rssBytes += sample.rssBytes;
    peakRssBytes += sample.peakRssBytes;
  }
  return { cpuSeconds, rssBytes, peakRssBytes };
}
