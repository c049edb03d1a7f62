import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Options of the chat's tables that operators choose through context; the same for every table. */
export interface ChatTableProps {
  readonly removalPolicy: RemovalPolicy;
  readonly pointInTimeRecovery: boolean;
  /** The customer-managed KMS key both tables use; without one, DynamoDB's own key (see below). */
  readonly encryptionKey?: IKey;
  /** The account's `aws/dynamodb` key instead of DynamoDB's own; ignored with `encryptionKey`. */
  readonly awsManagedKey?: boolean;
}

/**
 * Encryption at rest is always on in DynamoDB; this only picks the key. The default, the key
 * DynamoDB owns, costs nothing and needs no grant (CloudFormation writes it `SSEEnabled: false`).
 */
function encryptionOf(props: ChatTableProps): { encryption: TableEncryption; encryptionKey?: IKey } {
  if (props.encryptionKey !== undefined) {
    return { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey };
  }
  return { encryption: props.awsManagedKey === true ? TableEncryption.AWS_MANAGED : TableEncryption.DEFAULT };
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
      ...encryptionOf(props),
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
