import type { HistoryPage } from './MessageHistory.js';

/** How much of each room's history is kept: the last `maxMessages`, none older than `maxAgeMs`. */
export interface HistoryRetention {
  /** 0 keeps nothing: messages are numbered, never stored. */
  readonly maxMessages: number;
  readonly maxAgeMs: number;
}

export const DEFAULT_RETENTION: HistoryRetention = { maxMessages: 1000, maxAgeMs: 24 * 60 * 60 * 1000 };

/** Digits of a message id: ids of one width sort as strings in numeric order. */
export const MESSAGE_ID_DIGITS = 16;

/** A message number as the id clients see: zero-padded to a fixed width. */
export const formatMessageId = (sequence: number): string => String(sequence).padStart(MESSAGE_ID_DIGITS, '0');

/** A client's `after` as a message number, or undefined when it is not an id of this chat. */
export function parseMessageId(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length !== MESSAGE_ID_DIGITS || !/^\d+$/.test(value)) return undefined;
  const sequence = Number(value);
  return Number.isSafeInteger(sequence) ? sequence : undefined;
}

/**
 * Where a room's numbering starts when its counter is created: the current time in microseconds,
 * so a counter that was forgotten (a restart, an expired key) never hands out an id again.
 */
export const firstSequence = (nowMs: number): number => nowMs * 1000;

/**
 * The answer of a history with no record of the room (nothing kept, its keys expired, a restart):
 * what followed `after` is gone with the record, unless no room has given an id past it yet
 * (`highestGiven`: the highest id the store knows it gave, if it knows one).
 */
export function pageOfUnrecordedRoom(after: string | undefined, nowMs: number, highestGiven = 0): HistoryPage {
  if (after === undefined) return { messages: [], complete: true };
  const from = parseMessageId(after) ?? 0;
  return { messages: [], complete: from > Math.max(highestGiven, firstSequence(nowMs)) };
}
