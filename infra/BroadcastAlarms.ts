import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { ChatFunction } from './ChatFunction.js';

/** Share of a limit at which an alarm fires: early enough to act before the limit is hit. */
const NEAR = 0.8;
const PERIOD = Duration.minutes(1);

export interface BroadcastAlarmsProps {
  readonly fn: ChatFunction;
  /** The function's timeout: a broadcast still running at it is cut part-way, silently. */
  readonly timeout: Duration;
  /** The function's reserved concurrency, when it has one: past it, invocations are throttled. */
  readonly reservedConcurrency?: number;
}

/**
 * The alarms that say a broadcast is about to fail by growth rather than by a bug: its slowest
 * invocation nears the function's timeout (the audience outgrew what one invocation can post to),
 * or its concurrency nears the reservation. Errors and throttles of every function are watched
 * with the stack's other operational alarms; these are only what is particular to fan-out. No
 * action is attached here: the operator's notification target is wired where the other alarms are.
 */
export class BroadcastAlarms extends Construct {
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: BroadcastAlarmsProps) {
    super(scope, id);
    const fn = props.fn.function;
    const timeoutMs = props.timeout.toMilliseconds();
    const alarms = [
      new Alarm(this, 'NearTimeout', {
        alarmDescription:
          `${fn.node.path}: an invocation ran past ${NEAR * 100}% of its ${timeoutMs / 1000} s timeout; ` +
          'a larger audience would be cut part-way.',
        metric: fn.metricDuration({ statistic: 'Maximum', period: PERIOD }),
        threshold: Math.round(timeoutMs * NEAR),
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    if (props.reservedConcurrency !== undefined) {
      alarms.push(
        new Alarm(this, 'NearReservedConcurrency', {
          alarmDescription:
            `${fn.node.path}: concurrency reached ${NEAR * 100}% of its reservation of ` +
            `${props.reservedConcurrency}; past it, broadcasts are throttled.`,
          metric: fn.metric('ConcurrentExecutions', { statistic: 'Maximum', period: PERIOD }),
          threshold: Math.max(1, Math.floor(props.reservedConcurrency * NEAR)),
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    this.alarms = alarms;
  }
}
