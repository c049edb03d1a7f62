import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { WebPage } from '../webPage.js';

export interface HttpEndpoints {
  /** The chat page at `/`; absent when the server runs without its built page. */
  readonly page: WebPage | undefined;
  /** Prometheus metrics at `/metrics`, unless they are served on a port of their own. */
  readonly metrics: Registry | undefined;
  /** Whether the node takes connections: not draining, joined to its cluster, Redis reachable. */
  readonly ready: () => boolean;
}

/**
 * The server's plain HTTP requests beside the WebSocket upgrade (`/health` stays the transport's
 * liveness answer): `/ready` for load balancers, `/metrics` for Prometheus, and the chat page.
 */
export function httpEndpoints({ page, metrics, ready }: HttpEndpoints) {
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/ready') {
      const up = ready();
      response.writeHead(up ? 200 : 503, { 'content-type': 'text/plain' }).end(up ? 'ready\n' : 'not ready\n');
      return true;
    }
    if (path === '/metrics' && metrics !== undefined) {
      serveMetrics(metrics, response);
      return true;
    }
    return page?.respond(request, response) ?? false;
  };
}

/** Answers a scrape with the registry's text format. */
export function serveMetrics(metrics: Registry, response: ServerResponse): void {
  metrics.metrics().then(
    (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
    () => response.writeHead(500).end(),
  );
}
