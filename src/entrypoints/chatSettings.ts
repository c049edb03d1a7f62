import type { ChatLimits } from '../application/index.js';
import { DEFAULT_CHAT_LIMITS } from '../application/index.js';
import { DEFAULT_RATE_LIMIT, DEFAULT_RETENTION, type HistoryRetention, type RateLimit } from '../domain/index.js';
import { type Env, integerSetting } from './env.js';

/** Protocol v2's bounds and the history's retention: the same settings on every runtime shape. */
export interface ChatSettings {
  readonly limits: ChatLimits;
  readonly retention: HistoryRetention;
  /** Per connection; `perSecond` 0 switches it off (load tests from one address use that). */
  readonly rateLimit: RateLimit;
}

/** The environment variables of `ChatSettings`. */
export const CHAT_ENV = {
  maxRoomsPerConnection: 'MAX_ROOMS_PER_CONNECTION',
  memberListCap: 'MEMBER_LIST_CAP',
  historyMaxMessages: 'HISTORY_MAX_MESSAGES',
  historyMaxAgeMs: 'HISTORY_MAX_AGE_MS',
  rateLimitPerSecond: 'RATE_LIMIT_PER_S',
  rateLimitBurst: 'RATE_LIMIT_BURST',
  rateLimitCutAfterMs: 'RATE_LIMIT_CUT_AFTER_MS',
} as const;

export function readChatSettings(env: Env): ChatSettings {
  return {
    limits: {
      maxRoomsPerConnection: integerSetting(
        env,
        CHAT_ENV.maxRoomsPerConnection,
        DEFAULT_CHAT_LIMITS.maxRoomsPerConnection,
        1,
        10_000,
      ),
      memberListCap: integerSetting(env, CHAT_ENV.memberListCap, DEFAULT_CHAT_LIMITS.memberListCap, 1, 100_000),
    },
    retention: {
      maxMessages: integerSetting(env, CHAT_ENV.historyMaxMessages, DEFAULT_RETENTION.maxMessages, 0, 1_000_000),
      maxAgeMs: integerSetting(env, CHAT_ENV.historyMaxAgeMs, DEFAULT_RETENTION.maxAgeMs, 1000),
    },
    rateLimit: {
      perSecond: integerSetting(env, CHAT_ENV.rateLimitPerSecond, DEFAULT_RATE_LIMIT.perSecond, 0, 100_000),
      burst: integerSetting(env, CHAT_ENV.rateLimitBurst, DEFAULT_RATE_LIMIT.burst, 1, 100_000),
      cutAfterMs: integerSetting(env, CHAT_ENV.rateLimitCutAfterMs, DEFAULT_RATE_LIMIT.cutAfterMs, 0),
    },
  };
}
