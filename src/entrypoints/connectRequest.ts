import type { ConnectAttempt } from '../application/index.js';

/** Headers as Node gives them (lower-case names) or as API Gateway does (names as sent). */
type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** A header's value whatever the case of its name; the first when it repeats. */
export function header(headers: Headers | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * What a connection attempt brings for `AuthorizeConnection`: the token from the `token` query
 * parameter (what browsers can send) or an `Authorization: Bearer` header (what other clients
 * may), and the `Origin` header. An empty token counts as none.
 */
export function connectAttempt(query: URLSearchParams, headers: Headers | undefined): ConnectAttempt {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header(headers, 'authorization') ?? '')?.[1];
  const token = query.get('token') || bearer || undefined;
  return { token, origin: header(headers, 'origin') };
}
