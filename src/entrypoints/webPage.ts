import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A file of the page, ready to send. */
interface Asset {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * No script but the page's own, no style but its own, no frames, no forms posting elsewhere;
 * the connection may go to this server or to a deployed stage (`?url=wss://…`).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

const COMMON = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' } as const;

/** Serves the chat page; answers the requests it knows and leaves the rest to the caller. */
export interface WebPage {
  /** True when it answered `request` (GET or HEAD of `/` or one of the page's files). */
  respond(request: IncomingMessage, response: ServerResponse): boolean;
}

/**
 * Loads the page built into `dir` (dist/web) into memory. `socketPath` is where the page's
 * WebSocket connects on this server (`/` standalone, `/<stage>` on the local API Gateway).
 * The page itself must be fetched anew each time (it names the current files); its files are
 * named by their content, so browsers may keep them for good.
 */
export async function loadWebPage(dir: URL, socketPath: string): Promise<WebPage> {
  const assets = new Map<string, Asset>();
  const html = (await readFile(new URL('index.html', dir), 'utf8')).replace('%SOCKET_PATH%', socketPath);
  assets.set('/', {
    body: Buffer.from(html),
    headers: {
      ...COMMON,
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-frame-options': 'DENY',
    },
  });
  for (const file of await readdir(dir)) {
    const type = TYPES[file.slice(file.lastIndexOf('.'))];
    if (type === undefined) continue;
    assets.set(`/${file}`, {
      body: await readFile(new URL(file, dir)),
      headers: { ...COMMON, 'content-type': type, 'cache-control': 'public, max-age=31536000, immutable' },
    });
  }
  return {
    respond(request, response) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return false;
      const path = (request.url ?? '/').split('?')[0] as string;
      if (path === '/favicon.ico') {
        // Browsers ask for a tab icon on their own: the page has none, and says so without an error.
        response.writeHead(204, { ...COMMON, 'cache-control': 'public, max-age=86400' }).end();
        return true;
      }
      const asset = assets.get(path === '/index.html' ? '/' : path);
      if (asset === undefined) return false;
      response.writeHead(200, { ...asset.headers, 'content-length': asset.body.length });
      response.end(request.method === 'HEAD' ? undefined : asset.body);
      return true;
    },
  };
}
