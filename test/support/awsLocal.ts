import type { AddressInfo } from 'node:net';
import {
  LocalWebSocketApi,
  type LocalWebSocketApiOptions,
  type RouteHandler,
  type RouteTable,
} from '../../src/entrypoints/aws-local/LocalWebSocketApi.js';
import { type LambdaHandlerName, ROUTE_HANDLERS } from '../../src/entrypoints/lambda/routes.js';

/** A local API Gateway running in this process, on loopback, port 0. */
export interface RunningLocalApi {
  readonly api: LocalWebSocketApi;
  /** The WebSocket URL, stage included. */
  readonly url: string;
  /** The Management API endpoint, as `APIGW_MANAGEMENT_ENDPOINT` names it. */
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

export const TEST_STAGE = 'test';

/** Starts a LocalWebSocketApi with API Gateway's limits unless `overrides` say otherwise. */
export async function startLocalApi(
  routes: RouteTable = {},
  overrides: Partial<LocalWebSocketApiOptions> = {},
): Promise<RunningLocalApi> {
  const api = new LocalWebSocketApi({
    host: '127.0.0.1',
    port: 0,
    stage: TEST_STAGE,
    maxMessageBytes: 128 * 1024,
    idleTimeoutMs: 600_000,
    maxConnectionAgeMs: 7_200_000,
    ...overrides,
  });
  const { port } = (await api.listen()) as AddressInfo;
  api.setRoutes({ $default: async () => ({ statusCode: 200 }), ...routes });
  return {
    api,
    port,
    url: `ws://127.0.0.1:${port}/${TEST_STAGE}`,
    endpoint: `http://127.0.0.1:${port}/${TEST_STAGE}`,
    close: () => api.close(1000),
  };
}

/** Loads one handler module (source or bundle) by its name. */
export type HandlerLoader = (name: LambdaHandlerName) => Promise<unknown>;

/** The handlers from source, as the vitest process can import them. */
export const sourceHandlers: HandlerLoader = (name) => {
  switch (name) {
    case 'connect':
      return import('../../src/entrypoints/lambda/connect.js');
    case 'disconnect':
      return import('../../src/entrypoints/lambda/disconnect.js');
    case 'message':
      return import('../../src/entrypoints/lambda/message.js');
    case 'authorize':
      return import('../../src/entrypoints/lambda/authorize.js');
    case 'fanout':
      return import('../../src/entrypoints/lambda/fanout.js');
  }
};

/** Every route's handler, as the stack wires them, loaded after `env` is in place (they read it when they load). */
export async function loadHandlers(env: Record<string, string>, load: HandlerLoader): Promise<RouteTable> {
  Object.assign(process.env, env);
  const routes: Record<string, RouteHandler> = {};
  for (const [routeKey, name] of Object.entries(ROUTE_HANDLERS)) {
    routes[routeKey] = ((await load(name)) as { handler: RouteHandler }).handler;
  }
  return routes;
}
