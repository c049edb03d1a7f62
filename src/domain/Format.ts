/**
 * How a connection receives the chat: `text` is the original protocol (a message is its `data`,
 * an error is `Error: <text>`); `json` is one typed JSON object per frame.
 */
export type Format = 'text' | 'json';

export const DEFAULT_FORMAT: Format = 'text';

export const isFormat = (value: unknown): value is Format => value === 'text' || value === 'json';
