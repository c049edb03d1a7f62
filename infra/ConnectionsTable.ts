import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { CONNECTIONS_TABLE_SCHEMA } from '../src/adapters/dynamodb/tableSchemas.js';

/** Options of the connections table that operators choose through context. */
export interface ConnectionsTableProps {
  readonly removalPolicy: RemovalPolicy;
  readonly pointInTimeRecovery: boolean;
}

/**
 * The table `DynamoDbConnectionRepository` keeps, as `CONNECTIONS_TABLE_SCHEMA` defines it: one
 * item per open connection, expiring through its TTL attribute so that rows whose `$disconnect`
 * never arrived do not linger.
 */
export class ConnectionsTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: ConnectionsTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: CONNECTIONS_TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: CONNECTIONS_TABLE_SCHEMA.ttlAttribute,
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
        reason:
          'Point-in-time recovery is off by default: rows live at most 2 hours (TTL) and name ' +
          'sockets that a restore cannot bring back. Enable it with -c pointInTimeRecovery=true.',
      });
    }
  }
}
