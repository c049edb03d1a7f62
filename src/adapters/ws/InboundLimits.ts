import type { ServerOptions } from 'ws';

/** What a client may send on one connection; past any of it, the connection is closed. */
export interface InboundLimits {
  /** Largest payload of one frame; a larger frame closes the connection with 1009. */
  readonly maxFrameBytes: number;
  /** Largest message, all its frames together; a larger one closes the connection with 1009. */
  readonly maxMessageBytes: number;
  /**
   * Most frames one message may come in; one more closes the connection with 1008. Each frame
   * held for an unfinished message costs memory well beyond its payload.
   */
  readonly maxFramesPerMessage: number;
  /** Longest a message may stay incomplete (a frame or a fragment still to come): then 1008. */
  readonly incompleteMessageTimeoutMs: number;
}

/** API Gateway's quotas (32 KB a frame, 128 KB a message), and our bounds where it states none. */
export const DEFAULT_INBOUND_LIMITS: InboundLimits = {
  maxFrameBytes: 32 * 1024,
  maxMessageBytes: 128 * 1024,
  maxFramesPerMessage: 128,
  incompleteMessageTimeoutMs: 10_000,
};

/** `limits`, with the default for each one not given. */
export function inboundLimits(limits: Partial<InboundLimits>): InboundLimits {
  const defaults = DEFAULT_INBOUND_LIMITS;
  return {
    maxFrameBytes: limits.maxFrameBytes ?? defaults.maxFrameBytes,
    maxMessageBytes: limits.maxMessageBytes ?? defaults.maxMessageBytes,
    maxFramesPerMessage: limits.maxFramesPerMessage ?? defaults.maxFramesPerMessage,
    incompleteMessageTimeoutMs: limits.incompleteMessageTimeoutMs ?? defaults.incompleteMessageTimeoutMs,
  };
}

/**
 * TCP chunks `ws` may hold for one incomplete frame. A frame trickled a byte per packet would
 * otherwise hold one buffer object per byte; a frame of at most 32 KiB arrives in far fewer.
 */
const MAX_CHUNKS_PER_FRAME = 1024;

/**
 * Options for every `WebSocketServer` of this transport (the chat server's and the local API
 * Gateway's), so that both parse clients' frames alike:
 * - `maxPayload`, `maxFragments` and `maxBufferedChunks` bound what one connection holds;
 * - `allowSynchronousEvents: false` hands over one message per turn of the event loop, so a TCP
 *   chunk of a thousand messages stays unparsed bytes until each one's turn comes;
 * - per-message deflate is off: `WsMessageGateway` writes pre-encoded frames under `ws`, which
 *   would be wrong on a compressed connection (it checks, and falls back, if one ever appears).
 */
export function webSocketServerOptions(limits: InboundLimits): ServerOptions {
  return {
    maxPayload: limits.maxMessageBytes,
    maxFragments: limits.maxFramesPerMessage,
    maxBufferedChunks: MAX_CHUNKS_PER_FRAME,
    allowSynchronousEvents: false,
    perMessageDeflate: false,
  };
}
