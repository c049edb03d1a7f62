/** What a verified token says about its bearer. */
export interface VerifiedToken {
  /** The token's `sub`: the user, stable across connections. */
  readonly user: string;
  /** A display name from the token's claims, when it carries a usable one. */
  readonly name: string | undefined;
}

/** Why a token was not accepted; what the client is told stays this coarse on purpose. */
export type TokenProblem =
  | 'malformed'
  | 'too-large'
  | 'algorithm'
  | 'signature'
  | 'unknown-key'
  | 'expired'
  | 'not-yet-valid'
  | 'issuer'
  | 'audience'
  | 'subject';

/** The client's token is not acceptable: the connection is refused with 401. */
export class InvalidTokenError extends Error {
  readonly code = 'INVALID_TOKEN';

  constructor(readonly problem: TokenProblem) {
    super(`the token is not valid (${problem})`);
  }
}

/** The keys to check tokens with cannot be had now (the JWKS endpoint is down or slow): 503, not 401. */
export class KeysUnavailableError extends Error {
  readonly code = 'KEYS_UNAVAILABLE';
}

/** Checks a bearer token (a JWT) and says whose it is. */
export interface TokenVerifier {
  /**
   * Resolves with the bearer's identity; rejects with `InvalidTokenError` for a token that is
   * not acceptable, `KeysUnavailableError` when the keys cannot be fetched, nothing else.
   */
  verify(token: string): Promise<VerifiedToken>;
}
