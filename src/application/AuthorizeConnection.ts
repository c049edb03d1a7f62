import {
  type Identity,
  InvalidTokenError,
  KeysUnavailableError,
  parseDisplayName,
  type TokenVerifier,
} from '../domain/index.js';

/** `none`: anonymous, tokens ignored (the original chat); `optional`: a valid token names its bearer; `required`: no token, no entry. */
export const AUTH_MODES = ['none', 'optional', 'required'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface AccessPolicy {
  readonly mode: AuthMode;
  /** Origins a browser may connect from; undefined: any. A client that sends no Origin is not a browser and passes. */
  readonly allowedOrigins: readonly string[] | undefined;
}

/** What a connection attempt brings that decides whether it may become a connection. */
export interface ConnectAttempt {
  /** The bearer token, from the `token` query parameter or an `Authorization: Bearer` header. */
  readonly token: string | undefined;
  /** The `Origin` header, if any. */
  readonly origin: string | undefined;
}

/** Let in (with the verified identity, if any), or refused with the HTTP status the upgrade gets. */
export type Authorization =
  | { readonly allowed: true; readonly identity: Identity | undefined }
  | { readonly allowed: false; readonly status: 401 | 403 | 503; readonly reason: string };

/**
 * Decides who may connect, the same way on every runtime shape: the server answers the upgrade
 * with the refusal's status, the Lambda authorizer denies the `$connect`. The reasons are short
 * and the same for every bad token: a client learns that its token was refused, not why.
 */
export class AuthorizeConnection {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly verifier: TokenVerifier | undefined,
  ) {
    if (policy.mode !== 'none' && verifier === undefined)
      throw new RangeError(`AUTH_MODE=${policy.mode} needs a verifier`);
  }

  async execute({ token, origin }: ConnectAttempt): Promise<Authorization> {
    const { allowedOrigins, mode } = this.policy;
    if (origin !== undefined && allowedOrigins !== undefined && !allowedOrigins.includes(origin)) {
      return { allowed: false, status: 403, reason: 'Origin not allowed' };
    }
    if (mode === 'none' || (token === undefined && mode === 'optional')) return { allowed: true, identity: undefined };
    if (token === undefined) return { allowed: false, status: 401, reason: 'A token is required' };
    try {
      const { user, name } = await (this.verifier as TokenVerifier).verify(token);
      return { allowed: true, identity: { name: name ?? nameOf(user), user } };
    } catch (error) {
      if (error instanceof InvalidTokenError) return { allowed: false, status: 401, reason: 'Invalid token' };
      if (error instanceof KeysUnavailableError) {
        return { allowed: false, status: 503, reason: 'Sign-in cannot be checked right now' };
      }
      throw error;
    }
  }
}

/** A token without a usable name claim: its subject names the member, if it can be shown. */
function nameOf(user: string): string {
  const name = parseDisplayName(user.slice(0, 32));
  return typeof name === 'string' ? name : 'user';
}
