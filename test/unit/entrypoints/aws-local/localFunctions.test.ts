import { afterEach, describe, expect, it } from 'vitest';
import {
  AUTHORIZER,
  accessKeyOf,
  connectionsGrantOf,
  FANOUT,
  type LocalFunctions,
  startLocalFunctions,
} from '../../../../src/entrypoints/aws-local/localFunctions.js';
import { AUTHORIZER_SIZE, functionSizeOf } from '../../../../src/entrypoints/lambda/deployedLimits.js';
import { accessOf } from '../../../../src/entrypoints/lambda/routeAccess.js';
import { ROUTE_HANDLERS } from '../../../../src/entrypoints/lambda/routes.js';

describe('startLocalFunctions', () => {
  let functions: LocalFunctions | undefined;
  afterEach(async () => {
    await Promise.all(functions?.pools.map((pool) => pool.close()) ?? []);
  });

  it('runs each route as a function of its own, held to the timeout the stack deploys', () => {
    // Nothing is invoked, so no environment starts and the bundles need not exist.
    functions = startLocalFunctions({
      handlers: { ...ROUTE_HANDLERS, [AUTHORIZER]: 'authorize' },
      bundleOf: (name) => `file:///nowhere/${name}.mjs`,
      workerUrl: new URL('file:///nowhere/worker.js'),
      maxEnvironments: 1,
    });
    const routeKeys = Object.keys(ROUTE_HANDLERS);
    expect(functions.pools).toHaveLength(routeKeys.length + 1);
    expect(new Set(functions.pools.map((pool) => pool.functionName)).size).toBe(routeKeys.length + 1);
    const timeouts = Object.fromEntries(functions.pools.map((pool) => [pool.functionName, pool.timeoutSeconds]));
    expect(timeouts['local-sendMessage']).toBe(functionSizeOf('sendMessage').timeoutSeconds);
    expect(timeouts['local-sendMessage']).toBe(60);
    expect(timeouts['local-connect']).toBe(10);
    expect(timeouts['local-authorizer']).toBe(AUTHORIZER_SIZE.timeoutSeconds);
    expect(Object.keys(functions.routes).sort()).toEqual(routeKeys.sort());
    expect(functions.authorizer).toBeDefined();
  });

  it('gives each function an access key of its own, shaped like an AWS one', () => {
    const keys = Object.keys(ROUTE_HANDLERS).map(accessKeyOf);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^ASIA[A-Z0-9]+$/);
  });
});

describe('connectionsGrantOf', () => {
  it('grants each function the @connections methods the stack grants its role', () => {
    expect(connectionsGrantOf('sendMessage')).toEqual(['POST', 'DELETE']);
    expect(connectionsGrantOf('$connect')).toEqual([]);
    expect(connectionsGrantOf('$disconnect')).toEqual(['POST']);
    expect(connectionsGrantOf(FANOUT)).toEqual(['POST']);
    expect(connectionsGrantOf(AUTHORIZER)).toEqual([]);
    for (const routeKey of Object.keys(ROUTE_HANDLERS)) {
      const { posts, disconnects } = accessOf(routeKey);
      expect(connectionsGrantOf(routeKey)).toEqual(posts ? (disconnects ? ['POST', 'DELETE'] : ['POST']) : []);
      expect(connectionsGrantOf(routeKey)).not.toContain('GET');
    }
  });
});
