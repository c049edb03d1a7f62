import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { AUTH_ENV, readAuthSettings } from '../src/entrypoints/authSettings.js';

/**
 * Prints an HS256 token the server accepts, for trying `AUTH_MODE=optional|required` locally:
 * signed with AUTH_JWT_SECRET, carrying AUTH_ISSUER and AUTH_AUDIENCE when they are set, so the
 * same environment serves the server and this script. Tokens for a JWKS come from its identity
 * provider (Cognito, ...), never from here.
 *
 *   AUTH_JWT_SECRET=... npx tsx scripts/mint-token.ts --sub alice [--name Alice] [--expires 1h]
 */
const USAGE =
  'usage: AUTH_JWT_SECRET=<32+ bytes> npx tsx scripts/mint-token.ts --sub <user> [--name <name>] [--expires 1h]';

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let values: { sub?: string; name?: string; expires: string };
try {
  ({ values } = parseArgs({
    options: {
      sub: { type: 'string' },
      name: { type: 'string' },
      expires: { type: 'string', default: '1h' },
    },
  }));
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`, 2);
}
if (values.sub === undefined || values.sub.trim() === '') fail(USAGE, 2);
if ((process.env[AUTH_ENV.jwtSecret] ?? '').trim() === '') fail(`${AUTH_ENV.jwtSecret} is not set\n${USAGE}`, 2);

let settings: ReturnType<typeof readAuthSettings>;
try {
  // The reader's checks, as the server would apply them with authentication on.
  settings = readAuthSettings({ ...process.env, [AUTH_ENV.mode]: 'required' });
} catch (error) {
  fail((error as Error).message, 1);
}
const { keys, issuer, audience } = settings.verifier ?? fail('no verifier settings', 1);
// Unreachable with the secret set (both set is refused above); it narrows the type.
if (keys.kind !== 'secret') fail(`mint-token signs with ${AUTH_ENV.jwtSecret} only`, 1);

const jwt = new SignJWT(values.name === undefined ? {} : { name: values.name })
  .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
  .setSubject(values.sub)
  .setIssuedAt();
if (issuer !== undefined) jwt.setIssuer(issuer);
if (audience !== undefined) jwt.setAudience(audience);
try {
  jwt.setExpirationTime(values.expires);
} catch {
  fail(`--expires ${values.expires}: expected a time span such as 15m, 1h or 7d`, 2);
}
process.stdout.write(`${await jwt.sign(new TextEncoder().encode(keys.secret))}\n`);
