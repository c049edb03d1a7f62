import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ChatStack } from './ChatStack.js';
import { readChatStackSettings } from './ChatStackSettings.js';

/**
 * The CDK app: `npx cdk synth|deploy|destroy` runs it through cdk.json. The stack is
 * environment-agnostic (account and region come from the deploying credentials), so synth needs
 * none. cdk-nag's AwsSolutions pack validates the assembly: any finding not acknowledged in code,
 * warnings included, fails synth.
 */
const app = new App();
const settings = readChatStackSettings(app.node);
// The stack's id is its name: `-c stage=dev` deploys `WebSocketChat-dev` beside `WebSocketChat`.
new ChatStack(app, settings.stackName, {
  description: `Serverless WebSocket chat${settings.stage === undefined ? '' : ` (stage ${settings.stage})`}: API Gateway WebSocket API, Lambda, DynamoDB`,
  settings,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
