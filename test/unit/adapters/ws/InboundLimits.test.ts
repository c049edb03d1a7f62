import { describe, expect, it } from 'vitest';
import {
  DEFAULT_INBOUND_LIMITS,
  inboundLimits,
  webSocketServerOptions,
} from '../../../../src/adapters/ws/InboundLimits.js';

describe('InboundLimits', () => {
  describe('inboundLimits', () => {
    it('fills in the default of each limit not given', () => {
      expect(inboundLimits({ maxFrameBytes: 10 })).toEqual({ ...DEFAULT_INBOUND_LIMITS, maxFrameBytes: 10 });
      expect(inboundLimits({ maxFrameBytes: undefined })).toEqual(DEFAULT_INBOUND_LIMITS);
    });
  });

  describe('webSocketServerOptions', () => {
    it('has ws enforce the message and fragment limits, hand over one message per turn, and never deflate', () => {
      expect(
        webSocketServerOptions({ ...DEFAULT_INBOUND_LIMITS, maxMessageBytes: 1000, maxFramesPerMessage: 7 }),
      ).toMatchObject({
        maxPayload: 1000,
        maxFragments: 7,
        allowSynchronousEvents: false,
        perMessageDeflate: false,
      });
    });
  });
});
