/**
 * API Gateway's route selection with the expression `$request.body.action`: the route named by
 * a JSON object's string `action`, when such a route exists; `$default` for everything else,
 * text that is not JSON included. `$`-routes are never selected by a message. (Binary frames
 * never get here: the emulator closes their connection with 1003, as API Gateway does.)
 */
export function selectRoute(body: string, routes: Readonly<Record<string, unknown>>): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return '$default';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return '$default';
  const { action } = parsed as { action?: unknown };
  if (typeof action !== 'string' || action.startsWith('$') || !Object.hasOwn(routes, action)) return '$default';
  return action;
}
