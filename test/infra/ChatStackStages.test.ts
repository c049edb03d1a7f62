import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ChatStack } from '../../infra/ChatStack.js';
import { readChatStackSettings, stackNameOf } from '../../infra/ChatStackSettings.js';
import { noBundling, synthChatStack } from './synthChatStack.js';

/** Properties that give a resource a fixed physical name: two stages must never share one. */
const NAME_PROPERTIES = ['TableName', 'FunctionName', 'RoleName', 'LogGroupName', 'AlarmName', 'AliasName', 'Name'];

function fixedNames(resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>) {
  const names: string[] = [];
  for (const resource of Object.values(resources)) {
    for (const key of NAME_PROPERTIES) {
      const value = resource.Properties?.[key];
      // A reference to another resource (a permission's function) names nothing new.
      if (typeof value === 'string') names.push(`${resource.Type}.${key}=${JSON.stringify(value)}`);
    }
  }
  return names.sort();
}

describe('ChatStack stages', () => {
  const dev = synthChatStack({ ...noBundling, stage: 'dev' });
  const prod = synthChatStack({ ...noBundling, stage: 'prod' });

  it('names the stack after the stage, and keeps WebSocketChat without one', () => {
    expect(dev.stack.stackName).toBe('WebSocketChat-dev');
    expect(prod.stack.stackName).toBe('WebSocketChat-prod');
    expect(synthChatStack(noBundling).stack.stackName).toBe('WebSocketChat');
    expect(stackNameOf(undefined)).toBe('WebSocketChat');
  });

  it('gives each stage its own WebSocket stage and API name', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: 'dev' });
    prod.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: 'prod' });
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'WebSocketChat-dev' });
    prod.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'WebSocketChat-prod' });
  });

  it('lets stageName still choose the URL segment of a stage', () => {
    const custom = synthChatStack({ ...noBundling, stage: 'dev', stageName: 'v1' });
    expect(custom.stack.stackName).toBe('WebSocketChat-dev');
    custom.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: 'v1' });
  });

  it('sets no physical name that two stages in one region could both claim', () => {
    const devNames = fixedNames(dev.template.toJSON().Resources);
    const prodNames = fixedNames(prod.template.toJSON().Resources);
    // The API's and the fan-out function's (which others invoke by name) are the only fixed
    // names, and both carry the stage.
    expect(devNames).toEqual([
      'AWS::ApiGatewayV2::Api.Name="WebSocketChat-dev"',
      'AWS::Lambda::Function.FunctionName="WebSocketChat-dev-fanout"',
    ]);
    expect(prodNames).toEqual([
      'AWS::ApiGatewayV2::Api.Name="WebSocketChat-prod"',
      'AWS::Lambda::Function.FunctionName="WebSocketChat-prod-fanout"',
    ]);
  });

  it('names the fan-out function within Lambda’s 64 characters for the longest stage allowed', () => {
    const longest = 'a'.repeat(43);
    const { stack, template } = synthChatStack({ ...noBundling, stage: longest });
    const name = `WebSocketChat-${longest}-fanout`;
    expect(name).toHaveLength(64);
    expect(stack.fanoutFunctionName).toBe(name);
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: name });
  });

  it('synthesizes two stages side by side in one app, as two stacks', () => {
    const app = new App({ context: noBundling });
    for (const stage of ['dev', 'prod']) {
      const settings = readChatStackSettings(new App({ context: { stage } }).node);
      new ChatStack(app, settings.stackName, { settings });
    }
    const assembly = app.synth();
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual(['WebSocketChat-dev', 'WebSocketChat-prod']);
  });
});
