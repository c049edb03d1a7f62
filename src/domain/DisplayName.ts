import { type ClientError, InvalidNameError } from './ClientError.js';

/** Most characters (code points) in a display name. */
export const MAX_NAME_LENGTH = 32;

/**
 * Characters a name may not hold: controls (C0, DEL, C1), line and paragraph separators, lone
 * surrogates, unassigned code points, and the bidirectional overrides, embeddings, isolates and
 * marks that let a name reorder the text shown around it.
 */
const FORBIDDEN = /[\p{Cc}\p{Cs}\p{Cn}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * The display name a client asked for, trimmed of surrounding white space, or the error it
 * receives: 1 to 32 printable characters.
 */
export function parseDisplayName(value: unknown): string | ClientError {
  // Checked before trimming: trim() would quietly drop a trailing line separator.
  if (typeof value !== 'string' || FORBIDDEN.test(value)) return new InvalidNameError();
  const name = value.trim();
  const length = [...name].length;
  return length < 1 || length > MAX_NAME_LENGTH ? new InvalidNameError() : name;
}
