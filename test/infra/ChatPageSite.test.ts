import { AwsSolutionsChecks } from 'cdk-nag';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { noBundling, synthChatStack } from './synthChatStack.js';

describe('ChatPageSite', () => {
  it('is not there by default', () => {
    const { stack, template } = synthChatStack(noBundling);
    expect(stack.pageSite).toBeUndefined();
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
  });

  describe('with -c publishPage=true', () => {
    const chat = synthChatStack({ ...noBundling, publishPage: 'true' });
    const { template } = chat;

    it('reports nothing unacknowledged to cdk-nag', () => {
      const report = new AwsSolutionsChecks(chat.stack).validateScope(chat.stack);
      expect(report.violations.map((v) => [v.ruleName, v.violatingResources.map((r) => r.resourceLogicalId ?? r.constructPath ?? JSON.stringify(Object.keys(r)))])).toEqual([]);
    });
  });
});
