import { type CfnElement, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { buildChatStack, noBundling, routeKeys, synthChatStack } from './synthChatStack.js';

describe('ChatStack broadcast functions', () => {
  it('reserves no concurrency by default, for any function', () => {
    const { template } = synthChatStack(noBundling);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties).not.toHaveProperty('ReservedConcurrentExecutions');
    }
  });

  it('alarms when a sendMessage or fan-out invocation nears its 60 s timeout', () => {
    const chat = synthChatStack(noBundling);
    const fanoutId = chat.idOf(chat.stack.fanout.function);
    // The monitoring alarms (errors, throttles) are ChatMonitoring's; here only the broadcast's own.
    const alarms = Object.values(chat.template.findResources('AWS::CloudWatch::Alarm')).filter(
      (alarm) => !['Errors', 'Throttles', 'IntegrationError', 'ExecutionError'].includes(alarm.Properties.MetricName),
    );
    const nearTimeout = (id: string) =>
      expect.objectContaining({
        Namespace: 'AWS/Lambda',
        MetricName: 'Duration',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }],
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 48_000,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    expect(alarms.map((alarm) => alarm.Properties)).toEqual([
      nearTimeout(chat.functionId('sendMessage')),
      nearTimeout(fanoutId),
    ]);
    expect(chat.stack.broadcastAlarms).toHaveLength(2);
  });

  describe('with broadcastReservedConcurrency', () => {
    const chat = synthChatStack({ ...noBundling, broadcastReservedConcurrency: '50' });
    const resources = chat.template.toJSON().Resources as Record<string, { Properties: Record<string, unknown> }>;

    it.each(routeKeys)('reserves 50 for %s only if it delivers messages to an audience', (route) => {
      const reserved = resources[chat.functionId(route)]?.Properties.ReservedConcurrentExecutions;
      expect(reserved).toBe(route === 'sendMessage' ? 50 : undefined);
    });

    it('reserves 50 for the fan-out function as well', () => {
      expect(resources[chat.idOf(chat.stack.fanout.function)]?.Properties.ReservedConcurrentExecutions).toBe(50);
    });

    it('alarms at 80% of each reservation as well', () => {
      const concurrency = chat.template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: 'ConcurrentExecutions' },
      });
      const watched = Object.values(concurrency).map((alarm) => {
        expect(alarm.Properties).toMatchObject({ Statistic: 'Maximum', Threshold: 40 });
        return alarm.Properties.Dimensions;
      });
      expect(watched).toEqual([
        [{ Name: 'FunctionName', Value: { Ref: chat.functionId('sendMessage') } }],
        [{ Name: 'FunctionName', Value: { Ref: chat.idOf(chat.stack.fanout.function) } }],
      ]);
    });
  });

  it('gives a function added with addBroadcastFunction (a fan-out worker) the same reservation and alarms', () => {
    const { stack } = buildChatStack({ ...noBundling, broadcastReservedConcurrency: 10 });
    const worker = stack.addBroadcastFunction('Worker', {
      // Any bundle serves for the template; the worker's own handler is its business.
      handlerFile: 'message',
      description: 'a worker that takes a share of a broadcast',
      memorySize: 512,
      timeout: Duration.seconds(30),
      environment: {},
      logRetention: RetentionDays.ONE_MONTH,
    });
    const template = Template.fromStack(stack);
    const workerId = stack.getLogicalId(worker.function.node.defaultChild as CfnElement);
    expect(template.toJSON().Resources[workerId].Properties.ReservedConcurrentExecutions).toBe(10);
    const dimensions = [{ Name: 'FunctionName', Value: { Ref: workerId } }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Duration',
      Dimensions: dimensions,
      Threshold: 24_000,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ConcurrentExecutions',
      Dimensions: dimensions,
      Threshold: 8,
    });
    // sendMessage's, the fan-out function's, and the worker's.
    expect(stack.broadcastAlarms).toHaveLength(3);
  });
});
