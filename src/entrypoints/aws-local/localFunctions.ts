import { AUTHORIZER_SIZE, type FunctionSize, functionSizeOf } from '../lambda/deployedLimits.js';
import { accessOf, type ConnectionsMethod, connectionsMethodsOf, FANOUT_ACCESS } from '../lambda/routeAccess.js';
import type { LambdaHandlerName } from '../lambda/routes.js';
import { LambdaWorkerPool } from './LambdaWorkerPool.js';
import type { RouteHandler, RouteTable } from './LocalWebSocketApi.js';

/** The worker pool's name for the `$connect` authorizer, which is no route of the API. */
export const AUTHORIZER = '$authorizer';
/** The worker pool's name for the fan-out function, which is no route either. */
export const FANOUT = '$fanout';

/**
 * The `@connections` methods the function of `routeKey` is granted, from the same route access
 * the stack's policies are written from: the authorizer none, the fan-out function its own.
 */
export function connectionsGrantOf(routeKey: string): readonly ConnectionsMethod[] {
  if (routeKey === AUTHORIZER) return [];
  return connectionsMethodsOf(routeKey === FANOUT ? FANOUT_ACCESS : accessOf(routeKey));
}

/** Each access key id's grant, for the Management API to check callers against. */
export function connectionsGrants(routeKeys: Iterable<string>): Map<string, readonly ConnectionsMethod[]> {
  return new Map([...routeKeys].map((routeKey) => [accessKeyOf(routeKey), connectionsGrantOf(routeKey)]));
}

/** Every function of the stack, each with its own environments, timeout and credentials. */
export interface LocalFunctions {
  readonly pools: readonly LambdaWorkerPool[];
  /** Route key to the function that serves it. */
  readonly routes: RouteTable;
  /** The `$connect` authorizer's function, when the stack has one. */
  readonly authorizer: RouteHandler | undefined;
  /** The access key id each function signs its requests with, by route key. */
  readonly accessKeys: ReadonlyMap<string, string>;
}

export interface LocalFunctionsOptions {
  /** Handler name by route key (`ROUTE_HANDLERS`, plus `AUTHORIZER` when access is checked). */
  readonly handlers: Readonly<Record<string, LambdaHandlerName>>;
  /** The bundle of a handler. */
  readonly bundleOf: (name: LambdaHandlerName) => string;
  readonly workerUrl: URL;
  /** Execution environments per function at most. */
  readonly maxEnvironments: number;
}

/** `$connect` -> `local-connect`: a name Lambda would accept. */
export const functionNameOf = (routeKey: string) => `local-${routeKey.replace(/^\$/, '')}`;

/**
 * The access key id of a function's role: as each Lambda function signs with its own role's
 * credentials, each emulated one signs with its own key, by which the Management API knows which
 * function calls it and so what that function is granted.
 */
export const accessKeyOf = (routeKey: string) =>
  `ASIALOCAL${routeKey
    .replace(/^\$/, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')}`;

/**
 * One function per route, as the stack deploys them (every message route its own function, even
 * where they share a handler bundle), sized by `deployedLimits`, and the authorizer.
 */
export function startLocalFunctions(options: LocalFunctionsOptions): LocalFunctions {
  const pools: LambdaWorkerPool[] = [];
  const routes: Record<string, RouteHandler> = {};
  const accessKeys = new Map<string, string>();
  let authorizer: RouteHandler | undefined;
  for (const [routeKey, name] of Object.entries(options.handlers)) {
    const size: FunctionSize = routeKey === AUTHORIZER ? AUTHORIZER_SIZE : functionSizeOf(routeKey);
    const accessKeyId = accessKeyOf(routeKey);
    const pool = new LambdaWorkerPool(options.workerUrl, {
      functionName: functionNameOf(routeKey),
      routes: { [routeKey]: options.bundleOf(name) },
      memoryMb: size.memoryMb,
      timeoutSeconds: size.timeoutSeconds,
      maxEnvironments: options.maxEnvironments,
      env: { AWS_ACCESS_KEY_ID: accessKeyId },
    });
    pools.push(pool);
    accessKeys.set(routeKey, accessKeyId);
    const handler = pool.routeTable()[routeKey] as RouteHandler;
    if (routeKey === AUTHORIZER) authorizer = handler;
    else routes[routeKey] = handler;
  }
  return { pools, routes, authorizer, accessKeys };
}
