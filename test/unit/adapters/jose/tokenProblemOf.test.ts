import { errors } from 'jose';
import { describe, expect, it } from 'vitest';
import { tokenProblemOf } from '../../../../src/adapters/jose/tokenProblemOf.js';

describe('tokenProblemOf', () => {
  it.each([
    ['JOSEAlgNotAllowed', new errors.JOSEAlgNotAllowed(), 'algorithm'],
    ['JWSSignatureVerificationFailed', new errors.JWSSignatureVerificationFailed(), 'signature'],
    ['JWKSNoMatchingKey', new errors.JWKSNoMatchingKey(), 'unknown-key'],
    ['JWKSMultipleMatchingKeys', new errors.JWKSMultipleMatchingKeys(), 'unknown-key'],
    ['JWTExpired', new errors.JWTExpired('exp', {}, 'exp', 'check_failed'), 'expired'],
    ['JWSInvalid', new errors.JWSInvalid(), 'malformed'],
    ['JWTInvalid', new errors.JWTInvalid(), 'malformed'],
    ['JOSENotSupported (unknown crit)', new errors.JOSENotSupported(), 'malformed'],
  ] as const)('maps %s', (_, error, problem) => {
    expect(tokenProblemOf(error)).toBe(problem);
  });

  it.each([
    ['iss', 'check_failed', 'issuer'],
    ['iss', 'missing', 'issuer'],
    ['aud', 'check_failed', 'audience'],
    ['sub', 'missing', 'subject'],
    ['nbf', 'check_failed', 'not-yet-valid'],
    ['nbf', 'invalid', 'malformed'],
    ['exp', 'invalid', 'malformed'],
    ['typ', 'check_failed', 'malformed'],
    ['toString', 'check_failed', 'malformed'],
  ] as const)('maps a failed %s claim (%s)', (claim, reason, problem) => {
    expect(tokenProblemOf(new errors.JWTClaimValidationFailed('failed', {}, claim, reason))).toBe(problem);
  });

  it('counts anything else jose throws about a token as malformed', () => {
    expect(tokenProblemOf(new TypeError('unexpected shape'))).toBe('malformed');
    expect(tokenProblemOf(new errors.JOSEError())).toBe('malformed');
  });
});
