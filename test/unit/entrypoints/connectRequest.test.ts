import { describe, expect, it } from 'vitest';
import { connectAttempt, header } from '../../../src/entrypoints/connectRequest.js';

describe('connectAttempt', () => {
  it('takes the token from the query string first, then from an Authorization: Bearer header', () => {
    expect(connectAttempt(new URLSearchParams('token=q'), { authorization: 'Bearer h' }).token).toBe('q');
    expect(connectAttempt(new URLSearchParams(''), { Authorization: 'bearer h.e.x' }).token).toBe('h.e.x');
    expect(connectAttempt(new URLSearchParams('token='), {}).token).toBeUndefined();
    expect(connectAttempt(new URLSearchParams(''), { authorization: 'Basic abc' }).token).toBeUndefined();
  });

  it('reads the Origin header whatever the case of its name', () => {
    expect(connectAttempt(new URLSearchParams(''), { Origin: 'https://a.example' }).origin).toBe('https://a.example');
    expect(header({ 'x-forwarded-for': ['1.1.1.1', '2.2.2.2'] }, 'X-Forwarded-For')).toBe('1.1.1.1');
    expect(header(undefined, 'origin')).toBeUndefined();
  });
});
