import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CfnElement, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { CONTENT_SECURITY_POLICY } from '../src/entrypoints/webPage.js';

export interface ChatPageSiteProps {
  /** The built page: `index.html` and its content-named files (`npm run build` writes dist/web). */
  readonly pageDirectory: string;
  /** The stage the page connects to, `wss://…`: the one origin its policy lets it connect to. */
  readonly apiEndpoint: string;
}

/** The page's built files are named by their content; only `index.html` must be fetched anew. */
const PAGE = 'index.html';

/**
 * The chat page on CloudFront, from a private bucket that only this distribution can read
 * (origin access control). The page connects to the stage named in its `?url=` (the stack's
 * `PageUrl` output carries it); its Content-Security-Policy lets it connect there and nowhere
 * else. Deployed in two steps, files first and `index.html` last, so a browser never gets a page
 * naming files that are not there yet.
 */
export class ChatPageSite extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: ChatPageSiteProps) {
    super(scope, id);
    if (!existsSync(join(props.pageDirectory, PAGE))) {
      throw new Error(`${props.pageDirectory} holds no ${PAGE}: run npm run build before publishing the page`);
    }
    // Access logs of the bucket and the distribution. CloudFront's standard logs are written with
    // ACLs, hence object-writer ownership on this bucket alone.
    this.logBucket = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.logBucket, 'AwsSolutions-S1', 'This is the access-log bucket: logging its own access would loop.');
    this.bucket = new Bucket(this, 'Page', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'bucket/',
      // CloudFormation cannot delete a bucket that holds objects, and emptying it on destroy would
      // take one more custom-resource function: `cdk destroy` leaves both buckets (see README).
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'The chat page: strict CSP, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: CONTENT_SECURITY_POLICY.replace(
            /connect-src [^;]*/,
            `connect-src ${props.apiEndpoint}`,
          ),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), override: true },
      },
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Chat page',
      defaultRootObject: PAGE,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'A public chat page for anyone holding the URL, as the chat itself is: no country is excluded.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'Static files only, cached at the edge; the chat traffic goes to API Gateway, which is throttled per stage.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate cannot pin a minimum TLS version; a custom domain with its own certificate can.',
    );

    const files = new BucketDeployment(this, 'Files', {
      sources: [Source.asset(props.pageDirectory, { exclude: [PAGE] })],
      destinationBucket: this.bucket,
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      // Earlier builds' files stay: a browser holding an older page may still ask for them.
      prune: false,
    });
    const page = new BucketDeployment(this, 'IndexPage', {
      sources: [Source.asset(props.pageDirectory, { exclude: ['*', `!${PAGE}`] })],
      destinationBucket: this.bucket,
      cacheControl: [CacheControl.noCache()],
      prune: false,
      distribution: this.distribution,
      distributionPaths: [`/${PAGE}`, '/'],
    });
    page.node.addDependency(files);
    acknowledgeDeploymentHandler(Stack.of(this), this.bucket);
  }
}

/**
 * The findings on the function CDK's `BucketDeployment` brings (one per stack, at the stack's
 * root). It runs only while CloudFormation deploys: it copies the page from CDK's asset bucket
 * to the page bucket and invalidates the distribution. Its grants are the library's, as narrow
 * as that copy allows.
 */
function acknowledgeDeploymentHandler(stack: Stack, bucket: Bucket): void {
  const handler = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (handler === undefined) throw new Error('BucketDeployment created no handler where expected');
  const bucketId = stack.getLogicalId(bucket.node.defaultChild as CfnElement);
  const findings: Record<string, string> = {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
      'The managed policy lets the deployment handler write its own logs, nothing else.',
    'AwsSolutions-L1': 'aws-cdk-lib picks the deployment handler’s runtime and moves it on with each release.',
    'AwsSolutions-IAM5[Resource::*]': 'CloudFront invalidations cannot be scoped to one distribution by ARN here.',
  };
  const copy = 'The copy of the page needs these object actions over the keys it copies, whose names vary by build.';
  for (const action of ['GetBucket*', 'GetObject*', 'List*', 'Abort*', 'DeleteObject*']) {
    findings[`AwsSolutions-IAM5[Action::s3:${action}]`] = copy;
  }
  findings[
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]'
  ] = 'The page is read from the CDK asset bucket, whose keys are the asset hashes.';
  findings[`AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`] = 'The page is written to every key of its own bucket.';
  for (const [id, reason] of Object.entries(findings)) acknowledge(handler, id, reason);
}

function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

/** Where `npm run build` writes the page. */
const BUILT_PAGE = fileURLToPath(new URL('../dist/web', import.meta.url));

/** The page of dist/web on CloudFront, connecting to `webSocket`'s stage; its address is the `PageUrl` output. */
export function publishPage(stack: Stack, webSocket: { api: WebSocketApi; stage: WebSocketStage }): ChatPageSite {
  const site = new ChatPageSite(stack, 'PageSite', {
    pageDirectory: BUILT_PAGE,
    apiEndpoint: webSocket.api.apiEndpoint,
  });
  new CfnOutput(stack, 'PageUrl', {
    description: 'The chat page, connecting to this stack’s stage',
    value: `https://${site.distribution.distributionDomainName}/?url=${webSocket.stage.url}`,
  });
  return site;
}
