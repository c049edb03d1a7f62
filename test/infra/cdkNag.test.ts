import { App, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildChatStack, noBundling } from './synthChatStack.js';

/** What AwsSolutions reports for `scope` that nothing acknowledged, errors and warnings alike. */
function unacknowledged(scope: Stack) {
  const report = new AwsSolutionsChecks(scope).validateScope(scope);
  return report.violations.map((violation) => ({
    rule: violation.ruleName,
    severity: violation.severity,
    at: violation.violatingResources.map((resource) => resource.resourceLogicalId),
  }));
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the default stack', () => {
    expect(unacknowledged(buildChatStack(noBundling).stack)).toEqual([]);
  });

  it('finds nothing unacknowledged with PITR on, another stage, and the logging role', () => {
    const { stack } = buildChatStack({
      ...noBundling,
      pointInTimeRecovery: true,
      stageName: 'dev',
      apiGatewayCloudWatchRole: true,
    });
    expect(unacknowledged(stack)).toEqual([]);
  });

  it.each([
    ['stage=dev', { stage: 'dev' }],
    ['stage=prod, retained tables', { stage: 'prod', tableRemovalPolicy: 'retain' }],
    ['tableEncryption=aws-managed', { tableEncryption: 'aws-managed' }],
    ['tableEncryption=customer-managed', { tableEncryption: 'customer-managed' }],
    ['customer-managed key, retained', { tableEncryption: 'customer-managed', tableRemovalPolicy: 'retain' }],
    ['broadcastReservedConcurrency=50', { broadcastReservedConcurrency: 50 }],
    [
      'everything at once',
      {
        stage: 'staging',
        tableEncryption: 'customer-managed',
        broadcastReservedConcurrency: 20,
        apiGatewayCloudWatchRole: true,
        pointInTimeRecovery: true,
      },
    ],
  ])('finds nothing unacknowledged with %s', (_name, context) => {
    expect(unacknowledged(buildChatStack({ ...noBundling, ...context }).stack)).toEqual([]);
  });

  const jwks = { authJwksUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example/.well-known/jwks.json' };
  it.each([
    ['authMode=required', { authMode: 'required', ...jwks, authAudience: 'client123' }],
    ['authMode=optional with origins', { authMode: 'optional', ...jwks, allowedOrigins: 'https://chat.example' }],
    ['origins only', { allowedOrigins: 'https://chat.example' }],
  ])('finds nothing unacknowledged with the $connect authorizer: %s', (_name, context) => {
    const { stack } = buildChatStack({ ...noBundling, ...context });
    expect(stack.connectAuthorizer).toBeDefined();
    expect(unacknowledged(stack)).toEqual([]);
  });

  it('does report what is not acknowledged (the check is not vacuous)', () => {
    const stack = new Stack(new App(), 'Probe');
    new Table(stack, 'Unrecoverable', { partitionKey: { name: 'id', type: AttributeType.STRING } });
    expect(unacknowledged(stack).map((violation) => violation.rule)).toContain('AwsSolutions-DDB3');
  });

  it('accepts an acknowledgment only with the exact finding id', () => {
    const stack = new Stack(new App(), 'Probe');
    const table = new Table(stack, 'Unrecoverable', { partitionKey: { name: 'id', type: AttributeType.STRING } });
    Validations.of(table).acknowledge({ id: 'AwsSolutions-DDB3', reason: 'probe' });
    expect(unacknowledged(stack)).toEqual([]);
  });
});
