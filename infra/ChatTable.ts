import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** Options of the chat's tables that operators choose through context; the same for every table. */
export interface ChatTableProps {
  readonly removalPolicy: RemovalPolicy;
  readonly pointInTimeRecovery: boolean;
}

/** Keys and TTL attribute of a table, as a schema of `src/adapters/dynamodb/tableSchemas.ts` declares them. */
export interface ChatTableSchema {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly ttlAttribute: string;
}

/**
 * A DynamoDB table of the chat, built from the schema its adapter reads (string keys, TTL), with
 * the settings every table of the chat shares, so that they are decided here once.
 */
export abstract class ChatTable extends Construct {
  readonly table: Table;

  /** `withoutBackups`: why point-in-time recovery may stay off for this table's items (cdk-nag). */
  protected constructor(
    scope: Construct,
    id: string,
    props: ChatTableProps & { readonly schema: ChatTableSchema; readonly withoutBackups: string },
  ) {
    super(scope, id);
    const { schema } = props;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: schema.partitionKey, type: AttributeType.STRING },
      ...(schema.sortKey === undefined ? {} : { sortKey: { name: schema.sortKey, type: AttributeType.STRING } }),
      timeToLiveAttribute: schema.ttlAttribute,
      // Traffic follows chat activity and is idle most of the time: pay per request.
      billingMode: BillingMode.PAY_PER_REQUEST,
      // KMS key managed by AWS for DynamoDB: encrypted at rest, visible in CloudTrail, and no key
      // policy for the functions to need (a customer key would add cost and kms:* grants).
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery },
      removalPolicy: props.removalPolicy,
    });
    if (!props.pointInTimeRecovery) {
      Validations.of(this.table).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason: `Point-in-time recovery is off by default: ${props.withoutBackups} Enable it with -c pointInTimeRecovery=true.`,
      });
    }
  }
}
