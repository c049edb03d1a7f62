import type { ClientError } from './ClientError.js';
import { InvalidFormatError } from './ClientError.js';
import { parseDisplayName } from './DisplayName.js';
import { DEFAULT_FORMAT, type Format, isFormat } from './Format.js';

/** What a client chose when it connected (query string parameters). */
export interface ConnectOptions {
  readonly format: Format;
  /** The display name it asked for, if any. */
  readonly name: string | undefined;
}

/** Reads `format` and `name` from a connect request's query parameters, or the error to refuse it with. */
export function parseConnectOptions(query: Readonly<Record<string, string | undefined>>): ConnectOptions | ClientError {
  const format = query.format ?? DEFAULT_FORMAT;
  if (!isFormat(format)) return new InvalidFormatError();
  if (query.name === undefined) return { format, name: undefined };
  const name = parseDisplayName(query.name);
  return typeof name === 'string' ? { format, name } : name;
}
