import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';

/** A 40-byte HS256 secret for tests. */
export const TEST_SECRET = 'test-secret-of-forty-bytes-0123456789abc';

/** Seconds since the epoch, by the clock jose reads (a faked `Date` included). */
export const nowS = (): number => Math.floor(Date.now() / 1000);

/** Signs `claims` with HS256 (or `alg`) and `secret`, adding an expiry an hour away unless the claims set one. */
export function signHs256(claims: Record<string, unknown>, secret: string | Uint8Array = TEST_SECRET, alg = 'HS256') {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return new SignJWT({ exp: nowS() + 3600, ...claims }).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);
}

/** A key pair as a JWKS would publish it: the public JWK carries `kid`, `alg` and `use`. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  /** The public key as SPKI PEM: the bytes a key-confusion attacker would use as an HMAC secret. */
  readonly publicPem: string;
}

export async function newSigningKey(kid: string, alg: 'RS256' | 'ES256' | 'RS512' = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

/** Signs `claims` with `key`, naming its `kid` in the header unless `kid` names another (or none, `null`). */
export function signWith(key: SigningKey, claims: Record<string, unknown>, kid: string | null = key.kid) {
  return new SignJWT({ exp: nowS() + 3600, ...claims })
    .setProtectedHeader({ alg: key.alg, typ: 'JWT', ...(kid === null ? {} : { kid }) })
    .sign(key.privateKey);
}

/** The JSON a JWKS endpoint serves for `keys`. */
export const jwksJson = (keys: readonly SigningKey[]): string => JSON.stringify({ keys: keys.map((k) => k.publicJwk) });
