/** Environment variables as a process received them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A setting that is present but unusable: the process reports it and exits. */
export class InvalidSettingError extends Error {
  readonly code = 'INVALID_SETTING';

  constructor(name: string, value: string, expected: string) {
    super(`${name}=${JSON.stringify(value)} is not valid: expected ${expected}`);
  }
}

/**
 * Largest value accepted unless a setting says otherwise: Node's timers take at most 2^31 - 1 ms
 * and silently fire after 1 ms beyond it, so a larger delay must fail at start, not at run time.
 */
export const MAX_SETTING = 2 ** 31 - 1;

/** Reads an integer setting within [min, max], or `fallback` when it is unset or empty. */
export function integerSetting(env: Env, name: string, fallback: number, min = 0, max = MAX_SETTING): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidSettingError(name, raw, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** Reads a string setting, or `fallback` when it is unset or empty. */
export function stringSetting(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? fallback : raw;
}

/** Reads `true` or `false` (also 1/0, yes/no), or `fallback` when unset or empty. */
export function booleanSetting(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new InvalidSettingError(name, raw, 'true or false');
}
