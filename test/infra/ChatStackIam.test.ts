import { describe, expect, it } from 'vitest';
import { accessOf, MissingRouteAccessError, type RouteKey } from '../../src/entrypoints/lambda/routeAccess.js';
import { noBundling, routeKeys, synthChatStack } from './synthChatStack.js';

const { stack, template, functionOf, idOf } = synthChatStack(noBundling);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const apiId = idOf(stack.webSocket.api);
const tableArns = {
  connections: { 'Fn::GetAtt': [idOf(stack.connections.table), 'Arn'] },
  rooms: { 'Fn::GetAtt': [idOf(stack.rooms.table), 'Arn'] },
};
/** The fan-out function's ARN, built from its fixed name: the only function any role may invoke. */
const fanoutArn = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':lambda:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':function:WebSocketChat-fanout',
    ],
  ],
};
const connectionsArn = (method: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':execute-api:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':',
      { Ref: apiId },
      `/production/${method}/@connections/*`,
    ],
  ],
});

interface Grants {
  readonly connections: readonly string[];
  readonly rooms: readonly string[];
  readonly posts: boolean;
  /** Message routes may cut a flooding sender (DELETE @connections). */
  readonly disconnects?: boolean;
  /** Hands a large audience (or, for the fan-out function, its unfinished part) to the fan-out function. */
  readonly invokesFanout?: boolean;
}

/** The functions whose grants are checked: each route's, and the fan-out function. */
type Granted = RouteKey | 'fanout';
const granted: readonly string[] = [...routeKeys, 'fanout'];
const chatFunctionOf = (name: string) => (name === 'fanout' ? stack.fanout : functionOf(name));

/**
 * What each route's code calls (read off the DynamoDB adapters), written out rather than imported:
 * the stack must grant exactly this. Every message route reads its sender first (GetItem) and may
 * answer it (posts); a fan-out Queries the room and sweeps gone connections (DeleteItem,
 * BatchWriteItem of their memberships).
 */
const expectedGrants: Record<Granted, Grants> = {
  $connect: { connections: ['PutItem'], rooms: [], posts: false },
  $disconnect: { connections: ['DeleteItem'], rooms: ['BatchWriteItem', 'Query'], posts: true },
  $default: { connections: ['GetItem', 'UpdateItem'], rooms: [], posts: true, disconnects: true },
  sendMessage: {
    connections: ['DeleteItem', 'GetItem', 'Scan', 'UpdateItem'],
    rooms: ['BatchWriteItem', 'PutItem', 'Query', 'UpdateItem'],
    posts: true,
    disconnects: true,
    invokesFanout: true,
  },
  joinRoom: {
    connections: ['DeleteItem', 'GetItem', 'UpdateItem'],
    rooms: ['BatchWriteItem', 'PutItem', 'Query'],
    posts: true,
    disconnects: true,
  },
  leaveRoom: {
    connections: ['DeleteItem', 'GetItem', 'UpdateItem'],
    rooms: ['BatchWriteItem', 'Query'],
    posts: true,
    disconnects: true,
  },
  setName: { connections: ['GetItem', 'UpdateItem'], rooms: ['UpdateItem'], posts: true, disconnects: true },
  listMembers: { connections: ['GetItem', 'UpdateItem'], rooms: ['Query'], posts: true, disconnects: true },
  history: { connections: ['GetItem', 'UpdateItem'], rooms: ['GetItem', 'Query'], posts: true, disconnects: true },
  // A part is a Scan segment of connections or a run of a room's members (Query); the gone are
  // removed (DeleteItem, BatchWriteItem of their memberships) and their rooms told (Query, POST).
  // It reads no sender (no GetItem), stores nothing, and cuts no one (no DELETE @connections).
  fanout: {
    connections: ['DeleteItem', 'Scan'],
    rooms: ['BatchWriteItem', 'Query'],
    posts: true,
    invokesFanout: true,
  },
};

/** The statements a route's policy must hold, in the order the stack adds them. */
function expectedStatements(route: string): unknown[] {
  const grants = expectedGrants[route as Granted];
  const dynamo = (actions: readonly string[], resource: unknown) => ({
    Action: actions.length === 1 ? `dynamodb:${actions[0]}` : actions.map((action) => `dynamodb:${action}`),
    Effect: 'Allow',
    Resource: resource,
  });
  return [
    {
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [idOf(chatFunctionOf(route).logGroup), 'Arn'] },
    },
    ...(grants.connections.length > 0 ? [dynamo(grants.connections, tableArns.connections)] : []),
    ...(grants.rooms.length > 0 ? [dynamo(grants.rooms, tableArns.rooms)] : []),
    ...(grants.posts
      ? [
          {
            Action: 'execute-api:ManageConnections',
            Effect: 'Allow',
            Resource: grants.disconnects ? [connectionsArn('DELETE'), connectionsArn('POST')] : connectionsArn('POST'),
          },
        ]
      : []),
    ...(grants.invokesFanout ? [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: fanoutArn }] : []),
  ];
}

/** Every statement of every inline policy in the template. */
const statements = Object.values(resources)
  .filter((resource) => resource.Type === 'AWS::IAM::Policy')
  .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement);
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

describe('ChatStack IAM', () => {
  it('has an expectation for every route and a route for every expectation', () => {
    expect(Object.keys(expectedGrants).sort()).toEqual([...granted].sort());
  });

  it.each(granted)('grants %s exactly the actions its use case performs, on exact resources', (route) => {
    const roleId = idOf(chatFunctionOf(route).role);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.PolicyDocument.Statement).toEqual(expectedStatements(route));
    expect(resources[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('no DynamoDB or ManageConnections statement has a wildcard resource or action', () => {
    const guarded = statements.filter((statement) =>
      asList(statement.Action).some((action) => /^(dynamodb|execute-api):/.test(String(action))),
    );
    const expectedCount = Object.values(expectedGrants).reduce(
      (sum, grants) =>
        sum + Number(grants.connections.length > 0) + Number(grants.rooms.length > 0) + Number(grants.posts),
      0,
    );
    expect(guarded).toHaveLength(expectedCount);
    for (const statement of guarded) {
      expect(Object.keys(statement).sort()).toEqual(['Action', 'Effect', 'Resource']);
      for (const action of asList(statement.Action)) expect(String(action)).not.toContain('*');
      for (const resource of asList(statement.Resource)) {
        // The only wildcard allowed: the connection id under this API's stage, POST or DELETE.
        const text = JSON.stringify(resource).replace(
          /\/production\/(POST|DELETE)\/@connections\/\*"/,
          '/production/$1/@connections/{id}"',
        );
        expect(text, `wildcard resource in ${JSON.stringify(statement)}`).not.toContain('*');
      }
    }
  });

  it('lets sendMessage and the fan-out function invoke the fan-out function, and nothing else', () => {
    const invoking = statements.filter((statement) =>
      asList(statement.Action).some((action) => String(action).startsWith('lambda:')),
    );
    expect(invoking).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: fanoutArn },
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: fanoutArn },
    ]);
    // The ARN names the very function the stack deploys.
    expect(resources[idOf(stack.fanout.function)]?.Properties.FunctionName).toBe('WebSocketChat-fanout');
    // Only the route that hands off is told the name; presence routes deliver in place.
    for (const route of routeKeys) expect(accessOf(route).handsOff).toBe(route === 'sendMessage');
  });

  it('refuses to build a route that has no grants rather than guess them', () => {
    for (const unknown of ['renameRoom', 'toString', '$unknown']) {
      expect(() => accessOf(unknown)).toThrow(MissingRouteAccessError);
    }
    expect(() => accessOf('renameRoom')).toThrow(/route renameRoom has no entry in ROUTE_ACCESS/);
  });
});
