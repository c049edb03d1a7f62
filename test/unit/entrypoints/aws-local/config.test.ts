import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_THROTTLE,
  NEW_CONNECTIONS_THROTTLE,
  readAwsLocalConfig,
} from '../../../../src/entrypoints/aws-local/config.js';
import { InvalidSettingError } from '../../../../src/entrypoints/env.js';
import { STAGE_THROTTLE_DEFAULTS } from '../../../../src/entrypoints/lambda/deployedLimits.js';

describe('readAwsLocalConfig', () => {
  it('throttles as AWS and the deployed stage do unless told otherwise', () => {
    const config = readAwsLocalConfig({});
    expect(config.accountThrottle).toEqual({ ratePerSecond: 10_000, burst: 5_000 });
    expect(config.accountThrottle).toEqual(ACCOUNT_THROTTLE);
    expect(config.newConnectionsThrottle).toEqual({ ratePerSecond: 500, burst: 500 });
    expect(config.newConnectionsThrottle).toEqual(NEW_CONNECTIONS_THROTTLE);
    expect(config.stageThrottle).toEqual({
      ratePerSecond: STAGE_THROTTLE_DEFAULTS.rateLimit,
      burst: STAGE_THROTTLE_DEFAULTS.burstLimit,
    });
  });

  it('reads each throttle from its variables, 0 switching a rate off, and refuses a burst of 0', () => {
    const config = readAwsLocalConfig({
      AWS_LOCAL_ACCOUNT_RPS: '2500',
      AWS_LOCAL_ACCOUNT_BURST: '1250',
      THROTTLE_RATE_LIMIT: '0',
      AWS_LOCAL_NEW_CONNECTIONS_PER_S: '50',
      AWS_LOCAL_NEW_CONNECTIONS_BURST: '10',
    });
    expect(config.accountThrottle).toEqual({ ratePerSecond: 2500, burst: 1250 });
    expect(config.stageThrottle.ratePerSecond).toBe(0);
    expect(config.newConnectionsThrottle).toEqual({ ratePerSecond: 50, burst: 10 });
    expect(() => readAwsLocalConfig({ THROTTLE_BURST_LIMIT: '0' })).toThrow(InvalidSettingError);
  });
});
