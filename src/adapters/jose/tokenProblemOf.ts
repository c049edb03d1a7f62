import { errors } from 'jose';
import type { TokenProblem } from '../../domain/index.js';

/**
 * What each of jose's error codes says about a token, as a `Record` so that a code added to
 * jose's union fails the type check here instead of falling through unnoticed. Failures to get
 * the keys (timeout, HTTP status, bad JSON, a bad key set) never reach this table: the key
 * resolver turns them into `KeysUnavailableError` first; the entries for them are for a call
 * that has no resolver, where they cannot occur.
 */
const PROBLEM_OF_CODE: Record<errors.JOSEErrorCode, TokenProblem> = {
  // The header's `alg` is outside the allow-list: `none`, or HS256 against a key set.
  ERR_JOSE_ALG_NOT_ALLOWED: 'algorithm',
  // An allowed `alg` is always supported; what is left is an unknown `crit` extension.
  ERR_JOSE_NOT_SUPPORTED: 'malformed',
  ERR_JWS_INVALID: 'malformed',
  ERR_JWT_INVALID: 'malformed',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'signature',
  ERR_JWT_EXPIRED: 'expired',
  // Refined by the failing claim, below.
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'malformed',
  ERR_JWKS_NO_MATCHING_KEY: 'unknown-key',
  // No `kid`, and several keys of the token's type: which one signed it cannot be told.
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'unknown-key',
  ERR_JOSE_GENERIC: 'malformed',
  ERR_JWKS_TIMEOUT: 'malformed',
  ERR_JWKS_INVALID: 'malformed',
  ERR_JWK_INVALID: 'malformed',
  // JWE: a JWS verification never raises these.
  ERR_JWE_INVALID: 'malformed',
  ERR_JWE_DECRYPTION_FAILED: 'malformed',
};

/** The claims whose failed check has a problem of its own; any other claim makes the token malformed. */
const PROBLEM_OF_CLAIM: Readonly<Record<string, TokenProblem>> = {
  iss: 'issuer',
  aud: 'audience',
  sub: 'subject',
};

/**
 * The problem a jose verification error reports. Anything else jose throws while reading a
 * token (a `TypeError` from a shape it did not expect) counts as `malformed`: the port promises
 * `InvalidTokenError` or `KeysUnavailableError` and nothing else.
 */
export function tokenProblemOf(error: unknown): TokenProblem {
  if (!(error instanceof errors.JOSEError)) return 'malformed';
  if (error instanceof errors.JWTClaimValidationFailed) return claimProblem(error);
  return PROBLEM_OF_CODE[error.code as errors.JOSEErrorCode] ?? 'malformed';
}

function claimProblem(error: errors.JWTClaimValidationFailed): TokenProblem {
  // jose reports a non-numeric `nbf` as 'invalid': that is a malformed token, not an early one.
  if (error.claim === 'nbf') return error.reason === 'check_failed' ? 'not-yet-valid' : 'malformed';
  return Object.hasOwn(PROBLEM_OF_CLAIM, error.claim) ? (PROBLEM_OF_CLAIM[error.claim] as TokenProblem) : 'malformed';
}
