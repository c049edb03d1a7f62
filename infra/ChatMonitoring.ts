import { Duration } from 'aws-cdk-lib';
import type { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarmAction,
  type IMetric,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CHAT_METRICS } from '../src/adapters/powertools/chatMetricNames.js';

export interface ChatMonitoringProps {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  /** Every function to watch, by a readable name (a route key, `authorizer`). */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** Where alarms go when they fire or clear (an SNS topic); none: they show on the dashboard only. */
  readonly alarmAction?: IAlarmAction;
}

/** Five minutes: CloudWatch's standard resolution for these metrics, and a page-worthy delay. */
const PERIOD = Duration.minutes(5);

/**
 * What an operator watches: alarms on the stage's integration and execution errors and on each
 * function's errors and throttles (any at all in five minutes: none is the normal state), and one
 * dashboard with connections, messages, errors and durations beside the chat's own EMF metrics
 * (deliveries, gone, broadcast duration).
 */
export class ChatMonitoring extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: ChatMonitoringProps) {
    super(scope, id);
    const stageMetric = (metricName: string, statistic: string = Stats.SUM) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.api.apiId, Stage: props.stage.stageName },
        statistic,
        period: PERIOD,
      });
    const chatMetric = (metricName: string, statistic: string = Stats.SUM, label?: string) =>
      new Metric({
        namespace: CHAT_METRICS.namespace,
        metricName,
        dimensionsMap: { service: CHAT_METRICS.service },
        statistic,
        period: PERIOD,
        ...(label === undefined ? {} : { label }),
      });

    const alarms: Alarm[] = [];
    const alarm = (alarmId: string, metric: IMetric, description: string) => {
      const created = new Alarm(this, alarmId, {
        metric,
        alarmDescription: description,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No traffic is not a failure.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      if (props.alarmAction !== undefined) {
        created.addAlarmAction(props.alarmAction);
        created.addOkAction(props.alarmAction);
      }
      alarms.push(created);
    };
    alarm(
      'IntegrationErrors',
      stageMetric('IntegrationError'),
      'The stage got errors from its Lambda integrations (a function failed, timed out or was throttled).',
    );
    alarm(
      'ExecutionErrors',
      stageMetric('ExecutionError'),
      'API Gateway failed to run requests of the stage (authorizer failures, internal errors).',
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      const stem = constructIdOf(name);
      alarm(`${stem}Errors`, fn.metricErrors({ period: PERIOD }), `The ${name} function threw or timed out.`);
      alarm(
        `${stem}Throttles`,
        fn.metricThrottles({ period: PERIOD }),
        `The ${name} function was throttled: the account's or function's concurrency is exhausted.`,
      );
    }
    this.alarms = alarms;

    const functions = Object.entries(props.functions);
    const perFunction = (pick: (fn: IFunction) => IMetric, label: string) =>
      functions.map(([name, fn]) => withLabel(pick(fn), `${name} ${label}`));
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Chat: stage \`${props.stage.stageName}\`\nAPI Gateway, each route's function, and the chat's own metrics (namespace \`${CHAT_METRICS.namespace}\`).`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('Connections', [stageMetric('ConnectCount')]),
      graph('Messages', [stageMetric('MessageCount')]),
      graph('Stage errors', [
        stageMetric('IntegrationError'),
        stageMetric('ExecutionError'),
        stageMetric('ClientError'),
      ]),
      graph('Integration latency (ms)', [
        withLabel(stageMetric('IntegrationLatency', Stats.p(50)), 'p50'),
        withLabel(stageMetric('IntegrationLatency', Stats.p(90)), 'p90'),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Function errors',
        perFunction((fn) => fn.metricErrors({ period: PERIOD }), 'errors'),
      ),
      graph(
        'Function throttles',
        perFunction((fn) => fn.metricThrottles({ period: PERIOD }), 'throttles'),
      ),
      graph(
        'Function duration p90 (ms)',
        perFunction((fn) => fn.metricDuration({ period: PERIOD, statistic: Stats.p(90) }), 'p90'),
      ),
      graph(
        'Invocations',
        perFunction((fn) => fn.metricInvocations({ period: PERIOD }), 'invocations'),
      ),
    );
    this.dashboard.addWidgets(
      graph('Deliveries and gone', [chatMetric(CHAT_METRICS.deliveries), chatMetric(CHAT_METRICS.gone)]),
      graph('Broadcast duration (ms)', [
        chatMetric(CHAT_METRICS.broadcastDuration, Stats.p(50), 'p50'),
        chatMetric(CHAT_METRICS.broadcastDuration, Stats.p(90), 'p90'),
        chatMetric(CHAT_METRICS.broadcastDuration, Stats.p(99), 'p99'),
      ]),
      graph('Frames and broadcasts', [chatMetric(CHAT_METRICS.frames), chatMetric(CHAT_METRICS.broadcasts)]),
      graph('Rate limited', [chatMetric(CHAT_METRICS.rateLimited), chatMetric(CHAT_METRICS.rateLimitCuts)]),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 }));
  }
}

function graph(title: string, left: IMetric[]): GraphWidget {
  return new GraphWidget({ title, left, width: 6, height: 6 });
}

function withLabel(metric: IMetric, label: string): IMetric {
  return metric instanceof Metric ? metric.with({ label }) : metric;
}

/** `$connect` -> `Connect`, `sendMessage` -> `SendMessage`: an id CloudFormation accepts. */
function constructIdOf(name: string): string {
  const stem = name.replace(/[^A-Za-z0-9]/g, '');
  return stem.charAt(0).toUpperCase() + stem.slice(1);
}

/** Each route's function by its route key, and the `$connect` authorizer's when there is one. */
export function monitoredFunctions(
  routes: Readonly<Record<string, { readonly function: IFunction }>>,
  authorizer?: { readonly function: { readonly function: IFunction } },
): Record<string, IFunction> {
  return {
    ...Object.fromEntries(Object.entries(routes).map(([routeKey, fn]) => [routeKey, fn.function])),
    ...(authorizer === undefined ? {} : { authorizer: authorizer.function.function }),
  };
}

/** The SNS topic of `alarmTopicArn` as an alarm action; none when it is unset. */
export function alarmActionOf(scope: Construct, topicArn: string | undefined): IAlarmAction | undefined {
  return topicArn === undefined ? undefined : new SnsAction(Topic.fromTopicArn(scope, 'AlarmTopic', topicArn));
}
