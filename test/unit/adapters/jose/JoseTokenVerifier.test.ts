import { CompactSign, type FetchImplementation, SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { JoseTokenVerifier, type JoseTokenVerifierOptions } from '../../../../src/adapters/jose/index.js';
import {
  InvalidTokenError,
  KeysUnavailableError,
  type TokenProblem,
  type TokenVerifier,
} from '../../../../src/domain/index.js';
import {
  jwksJson,
  newSigningKey,
  nowS,
  type SigningKey,
  signHs256,
  signWith,
  TEST_SECRET,
} from '../../../support/jwt.js';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'chat-client';

const secretVerifier = (options: Partial<JoseTokenVerifierOptions> = {}) =>
  new JoseTokenVerifier({ keys: { kind: 'secret', secret: TEST_SECRET }, ...options });

/** A stand-in for the JWKS endpoint: each fetch is counted and answered by `answer`. */
function fakeJwks(answer: (signal: AbortSignal) => Promise<Response>) {
  const calls: string[] = [];
  const fetch: FetchImplementation = (url, options) => {
    calls.push(url);
    return answer(options.signal);
  };
  return { calls, fetch };
}

const serving =
  (body: string, status = 200) =>
  async () =>
    new Response(body, { status, headers: { 'content-type': 'application/json' } });

const jwksVerifier = (fetch: FetchImplementation, timeoutMs?: number) =>
  new JoseTokenVerifier({ keys: { kind: 'jwks', url: new URL('https://keys.example/jwks.json'), fetch, timeoutMs } });

async function expectRefused(verifier: TokenVerifier, token: string, problem: TokenProblem): Promise<void> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  expect((error as InvalidTokenError).problem).toBe(problem);
}

describe('JoseTokenVerifier', () => {
  describe('verify with an HS256 secret', () => {
    it('resolves the subject and display name of a valid token', async () => {
      const token = await signHs256({ sub: 'alice', name: 'Alice' });
      await expect(secretVerifier().verify(token)).resolves.toEqual({ user: 'alice', name: 'Alice' });
    });

    it('checks the issuer and the audience when they are configured', async () => {
      const verifier = secretVerifier({ issuer: ISSUER, audience: AUDIENCE });
      const token = await signHs256({ sub: 'alice', iss: ISSUER, aud: ['other', AUDIENCE] });
      await expect(verifier.verify(token)).resolves.toMatchObject({ user: 'alice' });
      await expectRefused(
        verifier,
        await signHs256({ sub: 'a', iss: 'https://evil.example', aud: AUDIENCE }),
        'issuer',
      );
      await expectRefused(verifier, await signHs256({ sub: 'a', aud: AUDIENCE }), 'issuer');
      await expectRefused(verifier, await signHs256({ sub: 'a', iss: ISSUER, aud: 'other' }), 'audience');
      await expectRefused(verifier, await signHs256({ sub: 'a', iss: ISSUER }), 'audience');
    });

    it('refuses a token that would never expire', async () => {
      const forever = await new SignJWT({ sub: 'alice' })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(TEST_SECRET));
      await expectRefused(secretVerifier(), forever, 'malformed');
    });

    it.each([
      ['expired an hour ago', { exp: -3600 }, 'expired'],
      ['not valid for an hour', { nbf: 3600 }, 'not-yet-valid'],
    ] as const)('refuses a token %s', async (_, offsets, problem) => {
      const claims = Object.fromEntries(Object.entries(offsets).map(([claim, offset]) => [claim, nowS() + offset]));
      await expectRefused(secretVerifier(), await signHs256({ sub: 'alice', ...claims }), problem);
    });

    it('allows 30 s of clock skew either way, and no more', async () => {
      const verifier = secretVerifier();
      await expect(verifier.verify(await signHs256({ sub: 'a', exp: nowS() - 20 }))).resolves.toBeDefined();
      await expectRefused(verifier, await signHs256({ sub: 'a', exp: nowS() - 40 }), 'expired');
      await expect(verifier.verify(await signHs256({ sub: 'a', nbf: nowS() + 20 }))).resolves.toBeDefined();
      await expectRefused(verifier, await signHs256({ sub: 'a', nbf: nowS() + 40 }), 'not-yet-valid');
    });

    it('refuses a token signed with another secret, or altered after signing', async () => {
      const verifier = secretVerifier();
      await expectRefused(verifier, await signHs256({ sub: 'alice' }, `${TEST_SECRET}-other`), 'signature');
      const [header, , signature] = (await signHs256({ sub: 'alice' })).split('.');
      const forged = Buffer.from(JSON.stringify({ sub: 'admin', exp: nowS() + 3600 })).toString('base64url');
      await expectRefused(verifier, `${header}.${forged}.${signature}`, 'signature');
    });

    it('refuses alg none, and an HMAC algorithm outside the allow-list', async () => {
      const verifier = secretVerifier();
      await expectRefused(verifier, new UnsecuredJWT({ sub: 'alice' }).encode(), 'algorithm');
      await expectRefused(verifier, await signHs256({ sub: 'alice' }, TEST_SECRET, 'HS384'), 'algorithm');
    });

    it.each([
      ['garbage', 'garbage'],
      ['empty', ''],
      ['two parts', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0'],
      ['bad base64 everywhere', '!!!.???.***'],
      ['a header that is not JSON', `${Buffer.from('{alg').toString('base64url')}.e30.c2ln`],
      ['a header without alg', `${Buffer.from('{"typ":"JWT"}').toString('base64url')}.e30.c2ln`],
    ])('refuses a malformed token: %s', async (_, token) => {
      await expectRefused(secretVerifier(), token, 'malformed');
    });

    it('refuses a signed token whose signature is not base64url, or whose payload is not a JSON object', async () => {
      const [header, payload] = (await signHs256({ sub: 'alice' })).split('.');
      await expectRefused(secretVerifier(), `${header}.${payload}.***`, 'malformed');
      const notJson = await new CompactSign(new TextEncoder().encode('not json'))
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(TEST_SECRET));
      await expectRefused(secretVerifier(), notJson, 'malformed');
      await expectRefused(secretVerifier(), await signHs256({ sub: 'alice', exp: 'tomorrow' }), 'malformed');
    });

    it('refuses a 10 KB token as too large, valid signature or not, and accepts a 7 KB one', async () => {
      const big = await signHs256({ sub: 'alice', filler: 'x'.repeat(7500) });
      expect(big.length).toBeGreaterThan(10_000);
      await expectRefused(secretVerifier(), big, 'too-large');
      await expectRefused(secretVerifier(), 'x'.repeat(10 * 1024), 'too-large');
      const fits = await signHs256({ sub: 'alice', filler: 'x'.repeat(5000) });
      expect(fits.length).toBeLessThan(8 * 1024);
      await expect(secretVerifier().verify(fits)).resolves.toMatchObject({ user: 'alice' });
    });

    it.each([
      ['missing', {}],
      ['empty', { sub: '' }],
      ['blank', { sub: '  ' }],
      ['a number', { sub: 42 }],
    ])('refuses a token whose sub is %s', async (_, claims) => {
      await expectRefused(secretVerifier(), await signHs256(claims), 'subject');
    });
  });

  describe('display name', () => {
    it.each([
      ['name first', { name: 'Alice', preferred_username: 'al', 'cognito:username': 'alice1' }, 'Alice'],
      ['preferred_username next', { preferred_username: 'al', 'cognito:username': 'alice1' }, 'al'],
      ['cognito:username last', { 'cognito:username': 'alice1' }, 'alice1'],
      ['trimmed', { name: '  Alice  ' }, 'Alice'],
      ['past a name with a bidi override', { name: 'Al\u202Eice', preferred_username: 'al' }, 'al'],
      ['past a name too long', { name: 'A'.repeat(33), 'cognito:username': 'alice1' }, 'alice1'],
      ['past a name that is not a string', { name: 7, preferred_username: 'al' }, 'al'],
      ['nowhere without a claim', {}, undefined],
      ['nowhere when none is usable', { name: 'Al\u202Eice', preferred_username: '' }, undefined],
    ])('is found %s', async (_, claims, name) => {
      const token = await signHs256({ sub: 'alice', ...claims });
      await expect(secretVerifier().verify(token)).resolves.toEqual({ user: 'alice', name });
    });
  });

  describe('verify against a JWKS', () => {
    let rsa: SigningKey;
    let ec: SigningKey;
    let stranger: SigningKey;
    beforeAll(async () => {
      [rsa, ec, stranger] = await Promise.all([
        newSigningKey('rsa-1'),
        newSigningKey('ec-1', 'ES256'),
        newSigningKey('rsa-1'),
      ]);
    });

    it('accepts RS256 and ES256 tokens signed with a key of the set, fetching the set once', async () => {
      const jwks = fakeJwks(serving(jwksJson([rsa, ec])));
      const verifier = jwksVerifier(jwks.fetch);
      await expect(verifier.verify(await signWith(rsa, { sub: 'alice' }))).resolves.toMatchObject({ user: 'alice' });
      await expect(verifier.verify(await signWith(ec, { sub: 'bob' }))).resolves.toMatchObject({ user: 'bob' });
      expect(jwks.calls).toEqual(['https://keys.example/jwks.json']);
    });

    it('refuses an HS256 token made with the public key as its secret (key confusion) before fetching keys', async () => {
      const jwks = fakeJwks(serving(jwksJson([rsa])));
      const confused = await signHs256({ sub: 'admin' }, new TextEncoder().encode(rsa.publicPem));
      await expectRefused(jwksVerifier(jwks.fetch), confused, 'algorithm');
      expect(jwks.calls).toHaveLength(0);
    });

    it('refuses alg none and an asymmetric algorithm outside the allow-list', async () => {
      const rs512 = await newSigningKey('rs512', 'RS512');
      const verifier = jwksVerifier(fakeJwks(serving(jwksJson([rsa, rs512]))).fetch);
      await expectRefused(verifier, new UnsecuredJWT({ sub: 'alice' }).encode(), 'algorithm');
      await expectRefused(verifier, await signWith(rs512, { sub: 'alice' }), 'algorithm');
    });

    it('refuses a token signed by another key under a known kid', async () => {
      const verifier = jwksVerifier(fakeJwks(serving(jwksJson([rsa]))).fetch);
      await expectRefused(verifier, await signWith(stranger, { sub: 'alice' }), 'signature');
    });

    it('refuses an unknown kid, and does not fetch again for one within the cooldown', async () => {
      const jwks = fakeJwks(serving(jwksJson([rsa])));
      const verifier = jwksVerifier(jwks.fetch);
      await expectRefused(verifier, await signWith(rsa, { sub: 'alice' }, 'made-up-1'), 'unknown-key');
      await expectRefused(verifier, await signWith(rsa, { sub: 'alice' }, 'made-up-2'), 'unknown-key');
      expect(jwks.calls).toHaveLength(1);
    });

    it('refuses a token without kid when several keys of its type could have signed it', async () => {
      const other = await newSigningKey('rsa-2');
      const verifier = jwksVerifier(fakeJwks(serving(jwksJson([rsa, other]))).fetch);
      await expectRefused(verifier, await signWith(rsa, { sub: 'alice' }, null), 'unknown-key');
    });

    it('refuses a 10 KB token as too large without fetching the keys', async () => {
      const jwks = fakeJwks(serving(jwksJson([rsa])));
      await expectRefused(
        jwksVerifier(jwks.fetch),
        await signWith(rsa, { sub: 'a', filler: 'x'.repeat(8000) }),
        'too-large',
      );
      expect(jwks.calls).toHaveLength(0);
    });

    it.each([
      [
        'down',
        async () => {
          throw new TypeError('fetch failed');
        },
      ],
      ['answering 500', serving('{}', 500)],
      ['answering with bad JSON', serving('{"keys": [')],
      ['answering with JSON that is no key set', serving('{"keys": "none"}')],
    ])('rejects with KeysUnavailableError when the endpoint is %s', async (_, answer) => {
      const verifier = jwksVerifier(fakeJwks(answer).fetch);
      await expect(verifier.verify(await signWith(rsa, { sub: 'alice' }))).rejects.toBeInstanceOf(KeysUnavailableError);
    });

    it('rejects with KeysUnavailableError when the endpoint is slower than the timeout', async () => {
      const hanging = fakeJwks(
        (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      );
      const verifier = jwksVerifier(hanging.fetch, 50);
      await expect(verifier.verify(await signWith(rsa, { sub: 'alice' }))).rejects.toBeInstanceOf(KeysUnavailableError);
    });

    it('fetches again on the next token after a failed fetch', async () => {
      let up = false;
      const flaky = fakeJwks(async () => {
        if (!up) throw new TypeError('fetch failed');
        return serving(jwksJson([rsa]))();
      });
      const verifier = jwksVerifier(flaky.fetch);
      const token = await signWith(rsa, { sub: 'alice' });
      await expect(verifier.verify(token)).rejects.toBeInstanceOf(KeysUnavailableError);
      up = true;
      await expect(verifier.verify(token)).resolves.toMatchObject({ user: 'alice' });
      expect(flaky.calls).toHaveLength(2);
    });
  });
});
