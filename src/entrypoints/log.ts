import { type Env, InvalidSettingError } from './env.js';

/** How much to log, from the most to the least: each level logs itself and those after it. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const rank = (level: LogLevel) => LOG_LEVELS.indexOf(level);
const isLevel = (value: string): value is LogLevel => (LOG_LEVELS as readonly string[]).includes(value);

/** Reads `LOG_LEVEL` (default `info`); a value that is no level stops the process at start. */
export function readLogLevel(env: Env): LogLevel {
  const raw = env.LOG_LEVEL?.trim().toLowerCase() ?? '';
  if (raw === '') return 'info';
  if (!isLevel(raw)) throw new InvalidSettingError('LOG_LEVEL', env.LOG_LEVEL ?? '', LOG_LEVELS.join(', '));
  return raw;
}

/** `LOG_LEVEL` read leniently: a Lambda handler has no start to fail, so anything else is `info`. */
function initialLevel(): LogLevel {
  const raw = process.env.LOG_LEVEL?.trim().toLowerCase() ?? '';
  return isLevel(raw) ? raw : 'info';
}

let threshold = rank(initialLevel());

/** Sets the least level logged from now on. */
export function setLogLevel(level: LogLevel): void {
  threshold = rank(level);
}

/** Whether `level` is logged: callers skip the work of a line nobody will see. */
export function logs(level: LogLevel): boolean {
  return rank(level) >= threshold;
}

/**
 * One JSON object a line on stderr, the one stream of events (stdout carries only the ready
 * line). Fields carry ids, codes and counts only: never a message body, never a client's frame.
 */
export function log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
  if (rank(level) < threshold) return;
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
}

/** The safe summary of a failure: its class and code, not its stack or payload. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { error: error.constructor.name, ...(code === undefined ? {} : { code }), message: error.message };
  }
  return { error: typeof error };
}
