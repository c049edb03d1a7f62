import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { noBundling, synthChatStack } from './synthChatStack.js';

/** What AwsSolutions reports that nothing acknowledged, by rule and where. */
function unacknowledged(chat: ReturnType<typeof synthChatStack>) {
  const report = new AwsSolutionsChecks(chat.stack).validateScope(chat.stack);
  return report.violations.map((violation) => [
    violation.ruleName,
    violation.violatingResources.map((resource) => resource.resourceLogicalId ?? resource.constructPath),
  ]);
}

describe('ChatPageSite', () => {
  it('is not there by default', () => {
    const { stack, template } = synthChatStack(noBundling);
    expect(stack.pageSite).toBeUndefined();
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(Object.keys(template.findOutputs('PageUrl'))).toEqual([]);
  });

  describe('with -c publishPage=true', () => {
    const chat = synthChatStack({ ...noBundling, publishPage: 'true' });
    const { template } = chat;
    const site = chat.stack.pageSite;
    if (site === undefined) throw new Error('publishPage=true built no page site');
    const bucketId = chat.idOf(site.bucket);

    it('reports nothing unacknowledged to cdk-nag', () => {
      expect(unacknowledged(chat)).toEqual([]);
    });

    it('keeps the page in a private, encrypted bucket that takes TLS only and logs its access', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.anyValue()] },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'bucket/' }),
      });
      const policy = JSON.stringify(
        Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
          (resource) => JSON.stringify(resource.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
        ),
      );
      expect(policy).toContain('"aws:SecureTransport":"false"');
    });

    it('lets only this distribution read the bucket, through origin access control', () => {
      template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          DefaultRootObject: 'index.html',
          Origins: [
            Match.objectLike({
              OriginAccessControlId: { 'Fn::GetAtt': [Match.anyValue(), 'Id'] },
              S3OriginConfig: { OriginAccessIdentity: '' },
            }),
          ],
          DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        }),
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 's3:GetObject',
              Principal: { Service: 'cloudfront.amazonaws.com' },
              Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
            }),
          ]),
        },
      });
    });

    it("serves the page's CSP, letting it connect to this stage's endpoint and nowhere else", () => {
      const [policy] = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
      const csp = policy?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy;
      expect(csp.Override).toBe(true);
      const text = JSON.stringify(csp.ContentSecurityPolicy);
      expect(text).toContain("default-src 'none'");
      expect(text).toContain("script-src 'self'");
      // The API's endpoint attribute: wss://{api}.execute-api.{region}.amazonaws.com once deployed.
      const endpoint = JSON.stringify({ 'Fn::GetAtt': [chat.idOf(chat.stack.webSocket.api), 'ApiEndpoint'] });
      expect(text).toContain(`connect-src ",${endpoint},"; img-src`);
      expect(text).not.toMatch(/connect-src[^;]*'self'/);
    });

    it('deploys the content-named files for good and index.html to be fetched anew, files first', () => {
      const deployments = template.findResources('Custom::CDKBucketDeployment');
      const byCache = Object.fromEntries(
        Object.entries(deployments).map(([id, resource]) => [
          JSON.stringify(resource.Properties.SystemMetadata),
          { id, resource },
        ]),
      );
      const files = byCache[JSON.stringify({ 'cache-control': 'public, max-age=31536000, immutable' })];
      const page = byCache[JSON.stringify({ 'cache-control': 'no-cache' })];
      expect(files).toBeDefined();
      expect(page).toBeDefined();
      expect(page?.resource.DependsOn).toEqual(expect.arrayContaining([expect.stringContaining(files?.id ?? '?')]));
      expect(page?.resource.Properties.DistributionPaths).toEqual(['/index.html', '/']);
      for (const deployment of [files, page]) expect(deployment?.resource.Properties.Prune).toBe(false);
    });

    it('names the page, with its stage, in the PageUrl output', () => {
      const outputs = Object.values(template.findOutputs('PageUrl'));
      expect(outputs).toHaveLength(1);
      const value = JSON.stringify(outputs[0]?.Value);
      expect(value).toContain('https://');
      expect(value).toContain('/?url=wss://');
      expect(value).toContain('DomainName');
    });
  });
});
