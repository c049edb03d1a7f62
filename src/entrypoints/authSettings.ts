import { DEFAULT_JWKS_TIMEOUT_MS, JoseTokenVerifier, type JoseTokenVerifierOptions } from '../adapters/jose/index.js';
import { type AccessPolicy, AUTH_MODES, type AuthMode } from '../application/index.js';
import type { TokenVerifier } from '../domain/index.js';
import { type Env, InvalidSettingError, integerSetting } from './env.js';

/** Who may connect: the same settings on every runtime shape. */
export interface AuthSettings extends AccessPolicy {
  /** How tokens are checked; present exactly when the mode is not `none`. */
  readonly verifier?: JoseTokenVerifierOptions;
}

/** The environment variables of `AuthSettings`. */
export const AUTH_ENV = {
  mode: 'AUTH_MODE',
  jwtSecret: 'AUTH_JWT_SECRET',
  jwksUrl: 'AUTH_JWKS_URL',
  issuer: 'AUTH_ISSUER',
  audience: 'AUTH_AUDIENCE',
  jwksTimeoutMs: 'AUTH_JWKS_TIMEOUT_MS',
  allowedOrigins: 'ALLOWED_ORIGINS',
} as const;

/** Shortest HS256 secret accepted, in bytes (UTF-8): RFC 7518 asks for a key at least as long as the hash. */
export const MIN_SECRET_BYTES = 32;

/** Settings that do not fit together, or a secret unfit to use; the message never holds the secret. */
export class AuthSettingError extends Error {
  readonly code = 'INVALID_SETTING';
}

export function readAuthSettings(env: Env): AuthSettings {
  const mode = readMode(env);
  const allowedOrigins = readOrigins(env);
  if (mode === 'none') return { mode, allowedOrigins };
  return {
    mode,
    allowedOrigins,
    verifier: {
      keys: readKeys(env),
      issuer: optionalSetting(env, AUTH_ENV.issuer),
      audience: optionalSetting(env, AUTH_ENV.audience),
    },
  };
}

/** The verifier the settings ask for; undefined under `none`, where no token is ever checked. */
export function createTokenVerifier(settings: AuthSettings): TokenVerifier | undefined {
  return settings.verifier === undefined ? undefined : new JoseTokenVerifier(settings.verifier);
}

/** `ALLOWED_ORIGINS`: comma-separated origins (`https://chat.example`); unset or empty: any origin. */
function readOrigins(env: Env): readonly string[] | undefined {
  const origins = (optionalSetting(env, AUTH_ENV.allowedOrigins) ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  return origins.length === 0 ? undefined : origins;
}

function readMode(env: Env): AuthMode {
  const raw = optionalSetting(env, AUTH_ENV.mode) ?? 'none';
  const mode = AUTH_MODES.find((known) => known === raw.trim());
  if (mode === undefined) throw new InvalidSettingError(AUTH_ENV.mode, raw, `one of ${AUTH_MODES.join(', ')}`);
  return mode;
}

function readKeys(env: Env): JoseTokenVerifierOptions['keys'] {
  const secret = optionalSetting(env, AUTH_ENV.jwtSecret);
  const url = optionalSetting(env, AUTH_ENV.jwksUrl);
  if ((secret === undefined) === (url === undefined)) {
    throw new AuthSettingError(
      `${AUTH_ENV.mode}=${env[AUTH_ENV.mode]} needs exactly one of ${AUTH_ENV.jwtSecret} (HS256) and ${AUTH_ENV.jwksUrl} (RS256/ES256), ${secret === undefined ? 'but neither is set' : 'not both'}`,
    );
  }
  if (secret !== undefined) return { kind: 'secret', secret: checkedSecret(secret) };
  return {
    kind: 'jwks',
    url: jwksUrl(url as string),
    timeoutMs: integerSetting(env, AUTH_ENV.jwksTimeoutMs, DEFAULT_JWKS_TIMEOUT_MS, 1, 60_000),
  };
}

function checkedSecret(secret: string): string {
  const bytes = new TextEncoder().encode(secret).length;
  if (bytes < MIN_SECRET_BYTES) {
    throw new AuthSettingError(
      `${AUTH_ENV.jwtSecret} is ${bytes} bytes long: at least ${MIN_SECRET_BYTES} are needed (the value is not shown)`,
    );
  }
  return secret;
}

function jwksUrl(raw: string): URL {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new InvalidSettingError(AUTH_ENV.jwksUrl, raw, 'an https:// (or http://) URL');
  }
  return url;
}

/** A setting's value, or undefined when it is unset or blank. */
function optionalSetting(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw;
}

/** Whether `$connect` needs an authorizer: tokens are checked, or origins are limited. */
export function needsAuthorizer(access: Pick<AuthSettings, 'mode' | 'allowedOrigins'>): boolean {
  return access.mode !== 'none' || access.allowedOrigins !== undefined;
}

/**
 * The request value API Gateway must find before it invokes the authorizer; without it, it
 * answers 401 itself and the function never runs.
 *
 * - `required`: the `token` query parameter, so that a connection attempt without one costs no
 *   invocation. The authorizer also reads `Authorization: Bearer`, but on AWS a client that sends
 *   only the header is refused here: browsers cannot set headers on a WebSocket anyway.
 * - `optional`, and origins alone: a client without a token must still be let in (anonymous), so
 *   the source is one every request carries, `Host` (HTTP/1.1 requires it), and the function
 *   decides. API Gateway caches authorizer results by identity source only for HTTP APIs, never
 *   for WebSocket APIs, so a source shared by every client never shares one client's answer.
 */
export function identitySourceOf(mode: AuthMode): 'route.request.querystring.token' | 'route.request.header.Host' {
  return mode === 'required' ? 'route.request.querystring.token' : 'route.request.header.Host';
}
