import { describeError, log } from './log.js';

/** Time granted after the clients' grace period before the exit is forced. */
const FORCED_EXIT_MARGIN_MS = 5000;

/**
 * On the first SIGTERM or SIGINT, runs `shutdown` and exits 0. Whatever hangs (a stalled
 * Redis, a client that never closes), the process still exits 0 once `graceMs` plus a margin
 * has passed; a failing step is logged, not fatal.
 */
export function exitOnSignals(shutdown: () => Promise<void>, graceMs: number): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log('info', 'shutdown', { signal });
    const afterMs = graceMs + FORCED_EXIT_MARGIN_MS;
    setTimeout(() => {
      log('warn', 'shutdown.forced', { afterMs });
      process.exit(0);
    }, afterMs).unref();
    try {
      await shutdown();
    } catch (error) {
      log('error', 'shutdown.failed', describeError(error));
    }
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** A host as it stands in a URL: an IPv6 address goes in brackets. */
export const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);
