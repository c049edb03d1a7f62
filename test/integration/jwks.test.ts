import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_JWKS_COOLDOWN_MS, DEFAULT_JWKS_MAX_AGE_MS, JoseTokenVerifier } from '../../src/adapters/jose/index.js';
import { InvalidTokenError, KeysUnavailableError } from '../../src/domain/index.js';
import { jwksJson, newSigningKey, type SigningKey, signWith } from '../support/jwt.js';

/** A JWKS endpoint on loopback whose answer the test changes: a key set, any body, or silence. */
async function startJwksServer(keys: readonly SigningKey[]) {
  let body: string | undefined = jwksJson(keys);
  let status = 200;
  let requests = 0;
  const server = createServer((_request, response) => {
    requests += 1;
    if (body === undefined) return; // never answers
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`),
    requests: () => requests,
    serve: (next: readonly SigningKey[]) => {
      [body, status] = [jwksJson(next), 200];
    },
    answer: (nextStatus: number, nextBody: string) => {
      [body, status] = [nextBody, nextStatus];
    },
    hang: () => {
      body = undefined;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
type JwksServer = Awaited<ReturnType<typeof startJwksServer>>;

const verifierFor = (server: JwksServer, timeoutMs = 2000) =>
  new JoseTokenVerifier({ keys: { kind: 'jwks', url: server.url, timeoutMs } });

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
}

/** Moves the clock jose reads (only `Date`: sockets and timeouts keep real time). */
const advanceClock = (ms: number) => vi.setSystemTime(Date.now() + ms);

describe('JoseTokenVerifier against a JWKS endpoint', () => {
  let first: SigningKey;
  let second: SigningKey;
  let server: JwksServer;
  beforeAll(async () => {
    [first, second] = await Promise.all([newSigningKey('key-1'), newSigningKey('key-2', 'ES256')]);
  });
  beforeEach(async () => {
    server = await startJwksServer([first]);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await server.close();
  });

  describe('key rotation', () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'] });
    });

    it('accepts a token of a new key without a restart, fetching again for its unknown kid once per cooldown', async () => {
      const verifier = verifierFor(server);
      await expect(verifier.verify(await signWith(first, { sub: 'alice' }))).resolves.toMatchObject({ user: 'alice' });
      server.serve([first, second]);
      const rotated = await signWith(second, { sub: 'bob' });

      // Just after a fetch, an unknown kid costs the endpoint nothing, however many tokens name one.
      for (const kid of ['key-2', 'made-up-1', 'made-up-2']) {
        const error = await refusal(verifier.verify(await signWith(second, { sub: 'bob' }, kid)));
        expect(error).toMatchObject({ problem: 'unknown-key' });
      }
      expect(server.requests()).toBe(1);

      advanceClock(DEFAULT_JWKS_COOLDOWN_MS + 1000);
      await expect(verifier.verify(rotated)).resolves.toMatchObject({ user: 'bob' });
      await expect(verifier.verify(await signWith(first, { sub: 'alice' }))).resolves.toMatchObject({ user: 'alice' });
      expect(server.requests()).toBe(2);
    });

    it('refuses a token of a removed key once the set is fetched again', async () => {
      server.serve([first, second]);
      const verifier = verifierFor(server);
      const old = await signWith(first, { sub: 'alice' });
      await expect(verifier.verify(old)).resolves.toMatchObject({ user: 'alice' });
      server.serve([second]);

      advanceClock(DEFAULT_JWKS_MAX_AGE_MS + 1000);
      const error = await refusal(verifier.verify(old));
      expect(error).toBeInstanceOf(InvalidTokenError);
      expect(error).toMatchObject({ problem: 'unknown-key' });
      await expect(verifier.verify(await signWith(second, { sub: 'bob' }))).resolves.toMatchObject({ user: 'bob' });
      expect(server.requests()).toBe(2);
    });
  });

  describe('keys that cannot be had', () => {
    it('rejects with KeysUnavailableError when the endpoint is down', async () => {
      const verifier = verifierFor(server);
      await server.close();
      const error = await refusal(verifier.verify(await signWith(first, { sub: 'alice' })));
      expect(error).toBeInstanceOf(KeysUnavailableError);
    });

    it('rejects with KeysUnavailableError within the timeout when the endpoint never answers', async () => {
      server.hang();
      const verifier = verifierFor(server, 200);
      const token = await signWith(first, { sub: 'alice' });
      const started = performance.now();
      const error = await refusal(verifier.verify(token));
      expect(error).toBeInstanceOf(KeysUnavailableError);
      expect((error as KeysUnavailableError).cause).toBeInstanceOf(errors.JWKSTimeout);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(server.requests()).toBe(1);
    });

    it.each([
      [500, '{"message":"internal"}'],
      [404, 'not here'],
      [200, '{"keys": ['],
      [200, '<html>a login page</html>'],
    ])(
      'rejects with KeysUnavailableError on status %i with body %s, and recovers once the keys are back',
      async (status, body) => {
        server.answer(status, body);
        const verifier = verifierFor(server);
        const token = await signWith(first, { sub: 'alice' });
        expect(await refusal(verifier.verify(token))).toBeInstanceOf(KeysUnavailableError);
        server.serve([first]);
        await expect(verifier.verify(token)).resolves.toMatchObject({ user: 'alice' });
      },
    );
  });
});
