import { type ChatConnectionHandler, ReportsSuppressedError, ReportThrottle } from '../../adapters/ws/index.js';
import type { ActionRouter, AuthorizeConnection, JoinChat, LeaveChat } from '../../application/index.js';
import { ClientError, type ConnectOptions, type Identity, parseConnectOptions } from '../../domain/index.js';
import { connectAttempt } from '../connectRequest.js';
import { describeError, log, logs } from '../log.js';

/** What a connection was admitted with, until it has joined. */
export interface ConnectSession {
  readonly options: ConnectOptions;
  readonly identity: Identity | undefined;
}

interface Dependencies {
  readonly authorize: AuthorizeConnection;
  readonly join: JoinChat;
  readonly leave: LeaveChat;
  readonly router: ActionRouter;
  /** Told of every close, with its code. */
  readonly onClosed?: (code: number) => void;
}

/**
 * Connects the socket server's events to the core. Before the upgrade, the origin and token
 * decide who may connect (401, 403, 503) and the query string how (400 for a format or name the
 * chat cannot give). The router answers the client, failures included; what is left here is the
 * log line of a failure, with its cause and never a body. Those lines are bounded like the socket
 * server's own reports: one failing dependency (Redis unreachable) fails every message, and every
 * client's message must not become a line of its own.
 */
export function createConnectionHandler({
  authorize,
  join,
  leave,
  router,
  onClosed,
}: Dependencies): ChatConnectionHandler<ConnectSession> {
  const failures = new ReportThrottle((error, connectionId) =>
    log('error', 'frame.failed', {
      ...(connectionId === undefined ? {} : { connectionId }),
      ...(error instanceof ReportsSuppressedError ? { suppressed: error.suppressed } : {}),
      ...describeError(error),
    }),
  );
  // When each connection opened, for its close line; kept only while debug lines are written.
  const openedAt = new Map<string, number>();
  return {
    async admit(request) {
      const query = new URL(request.url, 'http://request').searchParams;
      const authorization = await authorize.execute(connectAttempt(query, request.headers));
      if (!authorization.allowed)
        return { admitted: false, status: authorization.status, reason: authorization.reason };
      const options = parseConnectOptions({
        format: query.get('format') ?? undefined,
        name: query.get('name') ?? undefined,
      });
      if (options instanceof ClientError) return { admitted: false, status: 400, reason: options.message };
      return { admitted: true, session: { options, identity: authorization.identity } };
    },
    opened: (id, { options, identity }) => {
      if (logs('debug')) {
        openedAt.set(id, performance.now());
        log('debug', 'connection.opened', {
          connectionId: id,
          format: options.format,
          signedIn: identity !== undefined,
        });
      }
      return join.execute(id, options, identity);
    },
    closed: (id, code) => {
      onClosed?.(code);
      const since = openedAt.get(id);
      if (since !== undefined) {
        openedAt.delete(id);
        log('debug', 'connection.closed', {
          connectionId: id,
          code,
          durationMs: Math.round(performance.now() - since),
        });
      }
      return leave.execute(id);
    },
    async received(id, text) {
      try {
        await router.route(id, text);
      } catch (error) {
        failures.pass(error, id);
      }
    },
  };
}
