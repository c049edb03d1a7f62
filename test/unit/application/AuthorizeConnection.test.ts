import { describe, expect, it } from 'vitest';
import { type AccessPolicy, AuthorizeConnection } from '../../../src/application/index.js';
import {
  InvalidTokenError,
  KeysUnavailableError,
  type TokenVerifier,
  type VerifiedToken,
} from '../../../src/domain/index.js';

/** A verifier fake: tokens it knows name their bearer; `bad` is invalid; `down` means no keys. */
class FakeVerifier implements TokenVerifier {
  async verify(token: string): Promise<VerifiedToken> {
    if (token === 'down') throw new KeysUnavailableError('JWKS unreachable');
    if (token === 'alice') return { user: 'sub-alice', name: 'Alice' };
    if (token === 'anonymous-name') return { user: 'sub-42', name: undefined };
    throw new InvalidTokenError('signature');
  }
}

const authorize = (policy: Partial<AccessPolicy>) =>
  new AuthorizeConnection({ mode: 'required', allowedOrigins: undefined, ...policy }, new FakeVerifier());

describe('AuthorizeConnection', () => {
  describe('execute', () => {
    it('lets anyone in, anonymous, when auth is off', async () => {
      const off = new AuthorizeConnection({ mode: 'none', allowedOrigins: undefined }, undefined);
      expect(await off.execute({ token: 'whatever', origin: undefined })).toEqual({
        allowed: true,
        identity: undefined,
      });
    });

    it('names the bearer of a valid token, from its claims or else its subject', async () => {
      expect(await authorize({}).execute({ token: 'alice', origin: undefined })).toEqual({
        allowed: true,
        identity: { name: 'Alice', user: 'sub-alice' },
      });
      expect(await authorize({}).execute({ token: 'anonymous-name', origin: undefined })).toEqual({
        allowed: true,
        identity: { name: 'sub-42', user: 'sub-42' },
      });
    });

    it('refuses a missing token when required (401), and lets it in anonymous when optional', async () => {
      expect(await authorize({}).execute({ token: undefined, origin: undefined })).toMatchObject({
        allowed: false,
        status: 401,
      });
      expect(await authorize({ mode: 'optional' }).execute({ token: undefined, origin: undefined })).toEqual({
        allowed: true,
        identity: undefined,
      });
    });

    it('refuses an invalid token in both modes with the same short reason', async () => {
      for (const mode of ['optional', 'required'] as const) {
        expect(await authorize({ mode }).execute({ token: 'forged', origin: undefined })).toEqual({
          allowed: false,
          status: 401,
          reason: 'Invalid token',
        });
      }
    });

    it('answers 503 when the keys cannot be had, rather than calling the token invalid', async () => {
      expect(await authorize({}).execute({ token: 'down', origin: undefined })).toMatchObject({ status: 503 });
    });

    it('refuses an origin outside the allow-list (403), whatever the token, and lets non-browsers pass', async () => {
      const policy = { allowedOrigins: ['https://chat.example'] };
      expect(await authorize(policy).execute({ token: 'alice', origin: 'https://evil.example' })).toEqual({
        allowed: false,
        status: 403,
        reason: 'Origin not allowed',
      });
      expect(await authorize(policy).execute({ token: 'alice', origin: 'https://chat.example' })).toMatchObject({
        allowed: true,
      });
      expect(await authorize(policy).execute({ token: 'alice', origin: undefined })).toMatchObject({ allowed: true });
    });

    it('will not be built for a mode that needs a verifier without one', () => {
      expect(() => new AuthorizeConnection({ mode: 'optional', allowedOrigins: undefined }, undefined)).toThrow(
        RangeError,
      );
    });
  });
});
