import { CloseCodes } from './CloseCodes.js';

/** Which limit a client's frames broke; each closes its connection with the code beside it. */
export const FrameLimits = {
  WS_BINARY_FRAME: { closeCode: CloseCodes.unsupportedData, reason: 'Binary frames are not supported' },
  WS_FRAME_TOO_BIG: { closeCode: CloseCodes.messageTooBig, reason: 'Frame too big' },
  WS_MESSAGE_INCOMPLETE: { closeCode: CloseCodes.policyViolation, reason: 'Message incomplete for too long' },
} as const;

export type FrameLimitCode = keyof typeof FrameLimits;

/**
 * A client broke a frame limit and its connection was closed. Client-caused and expected: it is
 * reported for the operator's log, never thrown at a caller.
 */
export class FrameLimitError extends Error {
  readonly closeCode: number;

  constructor(readonly code: FrameLimitCode) {
    super(FrameLimits[code].reason);
    this.closeCode = FrameLimits[code].closeCode;
  }
}
