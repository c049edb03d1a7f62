/** Environment variables as a process received them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A setting that is present but unusable: the process reports it and exits. */
export class InvalidSettingError extends Error {
  readonly code = 'INVALID_SETTING';

  constructor(name: string, value: string, expected: string) {
    super(`${name}=${JSON.stringify(value)} is not valid: expected ${expected}`);
  }
}

/** Reads an integer setting within [min, max], or `fallback` when it is unset or empty. */
export function integerSetting(
  env: Env,
  name: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
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
