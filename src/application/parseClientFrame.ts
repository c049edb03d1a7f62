import { type ClientError, InvalidActionError } from '../domain/index.js';

/** A frame that parsed to a JSON object with a string `action`. */
export interface ActionFrame {
  readonly action: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/**
 * Reads a text frame the way API Gateway's route selection expression `$request.body.action`
 * does: a JSON object with a string `action`, else the error its sender receives.
 */
export function parseClientFrame(text: string): ActionFrame | ClientError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return new InvalidActionError();
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return new InvalidActionError();
  }
  const { action } = body as Record<string, unknown>;
  if (typeof action !== 'string') return new InvalidActionError();
  return { action, body: body as Record<string, unknown> };
}
