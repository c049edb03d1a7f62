import {
  createRemoteJWKSet,
  customFetch,
  errors,
  type FetchImplementation,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose';
import {
  InvalidTokenError,
  KeysUnavailableError,
  parseDisplayName,
  type TokenVerifier,
  type VerifiedToken,
} from '../../domain/index.js';
import { tokenProblemOf } from './tokenProblemOf.js';

/** The algorithms each kind of key accepts; `none` is never among them. */
export const HMAC_ALGORITHMS: readonly string[] = ['HS256'];
/** A key set holds public keys: an HS256 token against it would be key confusion, and is refused. */
export const JWKS_ALGORITHMS: readonly string[] = ['RS256', 'ES256'];

/** Seconds of clock skew allowed either way on `exp` and `nbf`. */
export const CLOCK_TOLERANCE_S = 30;
/** Longest token accepted, in characters (a JWT is ASCII): 8 KiB. */
export const DEFAULT_MAX_TOKEN_LENGTH = 8 * 1024;
/** How long one fetch of the key set may take. */
export const DEFAULT_JWKS_TIMEOUT_MS = 2000;
/**
 * Time after a fetch before a token naming an unknown `kid` may cause another: a stream of
 * made-up kids costs the key set's host one request per window, not one per token.
 */
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
/**
 * How long a fetched key set is trusted before the next token fetches it again: also how long a
 * key removed from the set still verifies tokens (jose's default, 10 minutes).
 */
export const DEFAULT_JWKS_MAX_AGE_MS = 10 * 60_000;

/** Tokens signed with a shared secret (HS256). */
export interface SecretKeyOptions {
  readonly kind: 'secret';
  readonly secret: string;
}

/** Tokens signed with a key from a JSON Web Key Set at a URL (RS256, ES256). */
export interface JwksKeyOptions {
  readonly kind: 'jwks';
  readonly url: URL;
  /** Bound on one fetch of the key set; `DEFAULT_JWKS_TIMEOUT_MS` when absent. */
  readonly timeoutMs?: number;
  /** See `DEFAULT_JWKS_COOLDOWN_MS`. */
  readonly cooldownMs?: number;
  /** See `DEFAULT_JWKS_MAX_AGE_MS`. */
  readonly maxAgeMs?: number;
  /** The fetch to use instead of the global one (tests pass a fake). */
  readonly fetch?: FetchImplementation;
}

export interface JoseTokenVerifierOptions {
  readonly keys: SecretKeyOptions | JwksKeyOptions;
  /** The `iss` a token must carry; not checked when absent. */
  readonly issuer?: string;
  /** The `aud` a token must carry; not checked when absent. */
  readonly audience?: string;
  /** See `DEFAULT_MAX_TOKEN_LENGTH`. */
  readonly maxTokenLength?: number;
}

/** Claims a display name is taken from, in order of preference. */
const NAME_CLAIMS = ['name', 'preferred_username', 'cognito:username'] as const;

/**
 * Verifies JWTs with jose: a shared HS256 secret, or RS256/ES256 keys from a JWKS that is
 * fetched once, cached, and fetched again when a token names a `kid` it does not hold.
 */
export class JoseTokenVerifier implements TokenVerifier {
  private readonly key: JWTVerifyGetKey;
  private readonly verifyOptions: JWTVerifyOptions;
  private readonly maxTokenLength: number;

  constructor(options: JoseTokenVerifierOptions) {
    const { keys, issuer, audience } = options;
    this.key = keys.kind === 'secret' ? secretKey(keys.secret) : remoteKeys(keys);
    this.verifyOptions = {
      algorithms: [...(keys.kind === 'secret' ? HMAC_ALGORITHMS : JWKS_ALGORITHMS)],
      clockTolerance: CLOCK_TOLERANCE_S,
      // A token without `exp` would never expire: refused, as Cognito and every sane issuer set it.
      requiredClaims: ['sub', 'exp'],
      issuer,
      audience,
    };
    this.maxTokenLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  }

  async verify(token: string): Promise<VerifiedToken> {
    // Before jose sees it: a huge token must not cost a base64 decode and a JSON parse.
    if (token.length > this.maxTokenLength) throw new InvalidTokenError('too-large');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, this.verifyOptions));
    } catch (error) {
      if (error instanceof KeysUnavailableError) throw error;
      throw new InvalidTokenError(tokenProblemOf(error));
    }
    const { sub } = payload;
    if (typeof sub !== 'string' || sub.trim() === '') throw new InvalidTokenError('subject');
    return { user: sub, name: displayNameOf(payload) };
  }
}

/** The first name claim that makes a valid display name, if any does. */
function displayNameOf(payload: JWTPayload): string | undefined {
  for (const claim of NAME_CLAIMS) {
    const name = parseDisplayName(payload[claim]);
    if (typeof name === 'string') return name;
  }
  return undefined;
}

function secretKey(secret: string): JWTVerifyGetKey {
  const bytes = new TextEncoder().encode(secret);
  return async () => bytes;
}

/**
 * jose's remote key set, with every failure to get the keys (refused connection, timeout, a
 * status other than 200, bad JSON, a malformed set) reported as `KeysUnavailableError`. Only "no
 * key matches the token" is the token's problem, after jose has fetched again when its cooldown
 * allowed.
 */
function remoteKeys(options: JwksKeyOptions): JWTVerifyGetKey {
  const keySet = createRemoteJWKSet(options.url, {
    timeoutDuration: options.timeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS,
    cooldownDuration: options.cooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS,
    cacheMaxAge: options.maxAgeMs ?? DEFAULT_JWKS_MAX_AGE_MS,
    ...(options.fetch === undefined ? {} : { [customFetch]: options.fetch }),
  });
  return async (header, token) => {
    try {
      return await keySet(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new KeysUnavailableError(`the keys at ${options.url.origin} cannot be had`, { cause: error });
    }
  };
}
