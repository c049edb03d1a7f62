import { describe, expect, it } from 'vitest';
import { DEFAULT_JWKS_TIMEOUT_MS, JoseTokenVerifier } from '../../../src/adapters/jose/index.js';
import {
  AUTH_ENV,
  AuthSettingError,
  createTokenVerifier,
  readAuthSettings,
} from '../../../src/entrypoints/authSettings.js';
import { InvalidSettingError } from '../../../src/entrypoints/env.js';
import { signHs256, TEST_SECRET } from '../../support/jwt.js';

const JWKS_URL = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json';

describe('readAuthSettings', () => {
  it('defaults to none, with no verifier, whatever else is set', () => {
    expect(readAuthSettings({})).toEqual({ mode: 'none' });
    expect(readAuthSettings({ [AUTH_ENV.mode]: ' ', [AUTH_ENV.jwtSecret]: 'short' })).toEqual({ mode: 'none' });
  });

  it('reads an HS256 secret with the issuer and audience', () => {
    const settings = readAuthSettings({
      [AUTH_ENV.mode]: 'required',
      [AUTH_ENV.jwtSecret]: TEST_SECRET,
      [AUTH_ENV.issuer]: 'https://issuer.example',
      [AUTH_ENV.audience]: 'chat',
    });
    expect(settings).toEqual({
      mode: 'required',
      verifier: {
        keys: { kind: 'secret', secret: TEST_SECRET },
        issuer: 'https://issuer.example',
        audience: 'chat',
      },
    });
  });

  it('reads a JWKS URL with the default timeout, leaving issuer and audience unchecked when unset', () => {
    const settings = readAuthSettings({ [AUTH_ENV.mode]: 'optional', [AUTH_ENV.jwksUrl]: JWKS_URL });
    expect(settings).toEqual({
      mode: 'optional',
      verifier: {
        keys: { kind: 'jwks', url: new URL(JWKS_URL), timeoutMs: DEFAULT_JWKS_TIMEOUT_MS },
        issuer: undefined,
        audience: undefined,
      },
    });
  });

  it('reads the JWKS timeout', () => {
    const settings = readAuthSettings({
      [AUTH_ENV.mode]: 'optional',
      [AUTH_ENV.jwksUrl]: JWKS_URL,
      [AUTH_ENV.jwksTimeoutMs]: '500',
    });
    expect(settings.verifier?.keys).toMatchObject({ kind: 'jwks', timeoutMs: 500 });
  });

  it.each(['0', '60001', 'soon'])('refuses a JWKS timeout of %s', (raw) => {
    const env = { [AUTH_ENV.mode]: 'required', [AUTH_ENV.jwksUrl]: JWKS_URL, [AUTH_ENV.jwksTimeoutMs]: raw };
    expect(() => readAuthSettings(env)).toThrow(InvalidSettingError);
  });

  it.each(['yes', 'Required', 'off'])('refuses an unknown mode %s', (mode) => {
    expect(() => readAuthSettings({ [AUTH_ENV.mode]: mode })).toThrow(InvalidSettingError);
    expect(() => readAuthSettings({ [AUTH_ENV.mode]: mode })).toThrow(/AUTH_MODE=.*none, optional, required/);
  });

  it.each(['optional', 'required'])('refuses %s with neither a secret nor a JWKS URL', (mode) => {
    expect(() => readAuthSettings({ [AUTH_ENV.mode]: mode })).toThrow(AuthSettingError);
    expect(() => readAuthSettings({ [AUTH_ENV.mode]: mode })).toThrow(/neither/);
  });

  it('refuses both a secret and a JWKS URL', () => {
    const env = { [AUTH_ENV.mode]: 'required', [AUTH_ENV.jwtSecret]: TEST_SECRET, [AUTH_ENV.jwksUrl]: JWKS_URL };
    expect(() => readAuthSettings(env)).toThrow(AuthSettingError);
    expect(() => readAuthSettings(env)).toThrow(/not both/);
  });

  it('refuses a secret under 32 bytes without showing it', () => {
    const secret = 'only-31-bytes-long-secret-value';
    expect(secret).toHaveLength(31);
    const read = () => readAuthSettings({ [AUTH_ENV.mode]: 'required', [AUTH_ENV.jwtSecret]: secret });
    expect(read).toThrow(AuthSettingError);
    expect(read).toThrow(/31 bytes/);
    expect(read).not.toThrow(secret);
  });

  it('counts the secret in UTF-8 bytes', () => {
    const secret = 'é'.repeat(16);
    expect(readAuthSettings({ [AUTH_ENV.mode]: 'required', [AUTH_ENV.jwtSecret]: secret }).verifier?.keys).toEqual({
      kind: 'secret',
      secret,
    });
  });

  it.each(['not a url', 'ftp://keys.example/jwks.json', 'file:///etc/jwks.json'])('refuses the JWKS URL %s', (url) => {
    expect(() => readAuthSettings({ [AUTH_ENV.mode]: 'required', [AUTH_ENV.jwksUrl]: url })).toThrow(
      InvalidSettingError,
    );
  });
});

describe('createTokenVerifier', () => {
  it('builds no verifier under none', () => {
    expect(createTokenVerifier(readAuthSettings({}))).toBeUndefined();
  });

  it('builds a jose verifier that checks what the settings say', async () => {
    const settings = readAuthSettings({
      [AUTH_ENV.mode]: 'optional',
      [AUTH_ENV.jwtSecret]: TEST_SECRET,
      [AUTH_ENV.audience]: 'chat',
    });
    const verifier = createTokenVerifier(settings);
    expect(verifier).toBeInstanceOf(JoseTokenVerifier);
    await expect(verifier?.verify(await signHs256({ sub: 'alice', aud: 'chat' }))).resolves.toMatchObject({
      user: 'alice',
    });
    await expect(verifier?.verify(await signHs256({ sub: 'alice', aud: 'other' }))).rejects.toMatchObject({
      problem: 'audience',
    });
  });
});
