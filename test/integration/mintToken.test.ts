import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { JoseTokenVerifier } from '../../src/adapters/jose/index.js';
import { TEST_SECRET } from '../support/jwt.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/mint-token.ts', import.meta.url));

/** Runs the script the way the README says, with exactly `env` (plus PATH), and reports how it ended. */
async function mintToken(args: readonly string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe('scripts/mint-token.ts', () => {
  it('prints a token the verifier of the same settings accepts, with sub, name, issuer and audience', async () => {
    const env = { AUTH_JWT_SECRET: TEST_SECRET, AUTH_ISSUER: 'https://chat.example', AUTH_AUDIENCE: 'chat' };
    const { code, stdout } = await mintToken(['--sub', 'alice', '--name', 'Alice'], env);
    expect(code).toBe(0);
    const verifier = new JoseTokenVerifier({
      keys: { kind: 'secret', secret: TEST_SECRET },
      issuer: 'https://chat.example',
      audience: 'chat',
    });
    await expect(verifier.verify(stdout.trim())).resolves.toEqual({ user: 'alice', name: 'Alice' });
  });

  it('refuses without --sub, without a secret, and with one the server would refuse, printing no token', async () => {
    const missingSub = await mintToken([], { AUTH_JWT_SECRET: TEST_SECRET });
    expect(missingSub).toMatchObject({ code: 2, stdout: '' });
    expect(missingSub.stderr).toMatch(/usage/);
    const missingSecret = await mintToken(['--sub', 'alice'], {});
    expect(missingSecret).toMatchObject({ code: 2, stdout: '' });
    expect(missingSecret.stderr).toMatch(/AUTH_JWT_SECRET is not set/);
    const shortSecret = await mintToken(['--sub', 'alice'], { AUTH_JWT_SECRET: 'short' });
    expect(shortSecret).toMatchObject({ code: 1, stdout: '' });
    expect(shortSecret.stderr).toMatch(/AUTH_JWT_SECRET is 5 bytes long/);
  });
});
