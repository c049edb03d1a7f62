import { describe, expect, it } from 'vitest';
import { LocalThrottles } from '../../../../src/entrypoints/aws-local/LocalThrottles.js';

// Rates of one a second: nothing refills within a test, so each bucket holds exactly its burst.
describe('LocalThrottles', () => {
  it("gives each route a bucket of the stage's own, and counts what it refused", () => {
    const throttles = new LocalThrottles({ stageThrottle: { ratePerSecond: 1, burst: 2 } });
    const sends = Array.from({ length: 3 }, () => throttles.admitMessage('sendMessage'));
    expect(sends).toEqual([true, true, false]);
    expect([throttles.admitMessage('joinRoom'), throttles.admitUpgrade()]).toEqual([true, true]);
    expect(throttles.throttled).toEqual({ upgrades: 0, messages: 1, managementCalls: 0 });
  });

  it("draws upgrades, messages and @connections calls from one account's bucket", () => {
    const throttles = new LocalThrottles({ accountThrottle: { ratePerSecond: 1, burst: 3 } });
    expect([throttles.admitUpgrade(), throttles.admitMessage('sendMessage'), throttles.admitManagementCall()]).toEqual([
      true,
      true,
      true,
    ]);
    expect([throttles.admitManagementCall(), throttles.admitMessage('x'), throttles.admitUpgrade()]).toEqual([
      false,
      false,
      false,
    ]);
    expect(throttles.throttled).toEqual({ upgrades: 1, messages: 1, managementCalls: 1 });
  });

  it('refuses upgrades past the new connections a second, and nothing when no throttle is set', () => {
    const limited = new LocalThrottles({ newConnectionsThrottle: { ratePerSecond: 1, burst: 2 } });
    expect(Array.from({ length: 3 }, () => limited.admitUpgrade())).toEqual([true, true, false]);
    expect(limited.admitMessage('sendMessage')).toBe(true);
    const open = new LocalThrottles({});
    expect(Array.from({ length: 10_000 }, () => open.admitManagementCall()).every(Boolean)).toBe(true);
  });
});
