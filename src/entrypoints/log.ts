/**
 * One JSON object a line on stderr. Fields carry ids, codes and counts only: never a message
 * body, never a client's frame.
 */
export function log(level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
}

/** The safe summary of a failure: its class and code, not its stack or payload. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { error: error.constructor.name, ...(code === undefined ? {} : { code }), message: error.message };
  }
  return { error: typeof error };
}
