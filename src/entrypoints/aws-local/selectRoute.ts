/**
 * API Gateway's route selection with the expression `$request.body.action`: the route named by
 * a JSON object's string `action`, when such a route exists; `$default` for everything else,
 * binary frames and text that is not JSON included. `$`-routes are never selected by a message.
 */
export function selectRoute(payload: Buffer, isBinary: boolean, routes: Readonly<Record<string, unknown>>): string {
  if (isBinary) return '$default';
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return '$default';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return '$default';
  const { action } = body as { action?: unknown };
  if (typeof action !== 'string' || action.startsWith('$') || !Object.hasOwn(routes, action)) return '$default';
  return action;
}
