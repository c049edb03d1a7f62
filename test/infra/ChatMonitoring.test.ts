import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CHAT_METRICS } from '../../src/adapters/powertools/index.js';
import { noBundling, routeKeys, synthChatStack } from './synthChatStack.js';

const ALARM = 'AWS::CloudWatch::Alarm';

describe('ChatMonitoring', () => {
  const chat = synthChatStack(noBundling);
  const { template } = chat;
  const apiId = { Ref: chat.idOf(chat.stack.webSocket.api) };
  const stageName = chat.stack.webSocket.stage.stageName;

  it.each(['IntegrationError', 'ExecutionError'])('alarms on the stage’s %s, any in five minutes', (metricName) => {
    template.hasResourceProperties(ALARM, {
      Namespace: 'AWS/ApiGateway',
      MetricName: metricName,
      Dimensions: Match.arrayEquals([
        { Name: 'ApiId', Value: apiId },
        { Name: 'Stage', Value: stageName },
      ]),
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on errors and throttles of every route’s function and of the fan-out function', () => {
    const functionIds = [...routeKeys.map(chat.functionId), chat.idOf(chat.stack.fanout.function)];
    for (const id of functionIds) {
      const functionName = { Ref: id };
      for (const metricName of ['Errors', 'Throttles']) {
        template.hasResourceProperties(ALARM, {
          Namespace: 'AWS/Lambda',
          MetricName: metricName,
          Dimensions: [{ Name: 'FunctionName', Value: functionName }],
          Threshold: 1,
        });
      }
    }
    // Two per function, two for the stage: nothing else, nothing missing (plus sendMessage's and
    // the fan-out function's near-timeout alarms, ChatStackBroadcast.test.ts).
    template.resourceCountIs(ALARM, 2 * functionIds.length + 2 + 2);
    for (const metricName of ['Errors', 'Throttles']) {
      const alarms = template.findResources(ALARM, { Properties: { MetricName: metricName } });
      expect(
        Object.values(alarms)
          .map((alarm) => alarm.Properties.Dimensions[0].Value.Ref)
          .sort(),
      ).toEqual([...functionIds].sort());
    }
  });

  it('watches the $connect authorizer too, when there is one', () => {
    const withAuthorizer = synthChatStack({ ...noBundling, allowedOrigins: 'https://chat.example' });
    const authorizer = withAuthorizer.stack.connectAuthorizer?.function.function;
    expect(authorizer).toBeDefined();
    withAuthorizer.template.hasResourceProperties(ALARM, {
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: withAuthorizer.idOf(authorizer as never) } }],
    });
    // The routes' functions, the fan-out function and the authorizer, two each; the stage's two;
    // two near-timeout alarms.
    withAuthorizer.template.resourceCountIs(ALARM, 2 * (routeKeys.length + 2) + 2 + 2);
  });

  it('notifies nobody unless alarmTopicArn names a topic, and then on alarm and on recovery', () => {
    for (const alarm of Object.values(template.findResources(ALARM))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
    const topic = 'arn:aws:sns:eu-west-1:123456789012:chat-alarms';
    const notified = synthChatStack({ ...noBundling, alarmTopicArn: topic });
    const alarms = Object.values(notified.template.findResources(ALARM));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
      expect(alarm.Properties.OKActions).toEqual([topic]);
    }
  });

  it('has one dashboard with the stage, the functions and the chat’s EMF metrics', () => {
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
    expect(Object.keys(dashboards)).toHaveLength(1);
    // The body is a Fn::Join of text and references: its literal parts say what it shows.
    const body = JSON.stringify(Object.values(dashboards)[0]?.Properties.DashboardBody);
    for (const shown of [
      'ConnectCount',
      'MessageCount',
      'IntegrationError',
      'ExecutionError',
      'IntegrationLatency',
      'AWS/Lambda',
      'Duration',
      'Throttles',
      CHAT_METRICS.namespace,
      CHAT_METRICS.deliveries,
      CHAT_METRICS.gone,
      CHAT_METRICS.broadcastDuration,
    ]) {
      expect(body).toContain(shown);
    }
    expect(body).toContain(`\\"service\\",\\"${CHAT_METRICS.service}\\"`);
  });
});
