import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { noBundling, routeKeys, synthChatStack } from './synthChatStack.js';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

describe('ChatStack table encryption', () => {
  it('uses the key DynamoDB owns by default: no KMS key, no kms grant', () => {
    const { template } = synthChatStack(noBundling);
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(2);
    for (const table of tables) expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: false });
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('kms:');
  });

  it('uses the aws/dynamodb key with tableEncryption=aws-managed', () => {
    const { template } = synthChatStack({ ...noBundling, tableEncryption: 'aws-managed' });
    for (const table of Object.values(template.findResources('AWS::DynamoDB::Table'))) {
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    }
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  describe('tableEncryption=customer-managed', () => {
    const chat = synthChatStack({ ...noBundling, tableEncryption: 'customer-managed' });
    const keyId = chat.idOf(chat.stack.tableKey as NonNullable<typeof chat.stack.tableKey>);
    const resources = chat.template.toJSON().Resources as Record<string, { Properties: Record<string, unknown> }>;

    it('encrypts both tables with one rotating key of the stack, destroyed with the tables', () => {
      chat.template.resourceCountIs('AWS::KMS::Key', 1);
      chat.template.hasResource('AWS::KMS::Key', {
        Properties: Match.objectLike({ EnableKeyRotation: true }),
        DeletionPolicy: 'Delete',
      });
      for (const table of Object.values(chat.template.findResources('AWS::DynamoDB::Table'))) {
        expect(table.Properties.SSESpecification).toEqual({
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        });
      }
    });

    it('keeps the key when the tables are kept', () => {
      const retained = synthChatStack({
        ...noBundling,
        tableEncryption: 'customer-managed',
        tableRemovalPolicy: 'retain',
      });
      retained.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    });

    it.each([...routeKeys, 'fanout'])('lets %s use the key through DynamoDB only', (route) => {
      const roleId = chat.idOf((route === 'fanout' ? chat.stack.fanout : chat.functionOf(route)).role);
      const policies = Object.values(resources).filter(
        (resource) =>
          (resource.Properties.Roles as unknown[] | undefined)?.some(
            (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId }),
          ) === true,
      );
      const statements = policies.flatMap(
        (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
      );
      const onKey = statements.filter((statement) => JSON.stringify(statement.Resource).includes(keyId));
      expect(onKey).toEqual([
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
          Condition: {
            StringEquals: {
              'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
            },
          },
        },
      ]);
    });
  });
});
