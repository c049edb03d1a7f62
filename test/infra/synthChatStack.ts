import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { ChatFunction } from '../../infra/ChatFunction.js';
import { ChatStack } from '../../infra/ChatStack.js';
import { readChatStackSettings } from '../../infra/ChatStackSettings.js';
import { ROUTE_HANDLERS } from '../../src/entrypoints/lambda/routes.js';

export const repoRoot = new URL('../../', import.meta.url).pathname;

/** The context of cdk.json (feature flags included), so tests build what `cdk synth` builds. */
const cdkJsonContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> }).context ?? {};

/** Every route key the stack must deploy: those of `ROUTE_HANDLERS`, which the handlers are built from. */
export const routeKeys: readonly string[] = Object.keys(ROUTE_HANDLERS);

export interface SynthesizedChat {
  readonly app: App;
  readonly stack: ChatStack;
  readonly template: Template;
  /** The function of a route; throws when the stack has none. */
  readonly functionOf: (route: string) => ChatFunction;
  /** The logical id of a construct's CloudFormation resource (its default child). */
  readonly idOf: (construct: IConstruct) => string;
  /** The logical id of a route's function. */
  readonly functionId: (route: string) => string;
  /** The path of the bundled `index.js` of a route's function, as the asset holds it. */
  readonly bundleOf: (route: string) => string;
  /** The same for any function, by its logical id (the authorizer's, say). */
  readonly bundleOfFunction: (logicalId: string) => string;
}

/** Skips esbuild for tests that read the construct tree or the template, not the code. */
export const noBundling = { 'aws:cdk:bundling-stacks': [] };

/** Builds the stack as `infra/app.ts` does (without its validation plugin), with extra context. */
export function buildChatStack(context: Record<string, unknown> = {}): { app: App; stack: ChatStack } {
  const app = new App({ context: { ...cdkJsonContext(), ...context } });
  const settings = readChatStackSettings(app.node);
  return { app, stack: new ChatStack(app, settings.stackName, { settings }) };
}

/** Builds the stack and synthesizes its template once. */
export function synthChatStack(context: Record<string, unknown> = {}): SynthesizedChat {
  const { app, stack } = buildChatStack(context);
  const template = Template.fromStack(stack);
  const functionOf = (route: string): ChatFunction => {
    const found = stack.functions[route];
    if (found === undefined) throw new Error(`no function for route ${route}`);
    return found;
  };
  const idOf = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  const functionId = (route: string) => idOf(functionOf(route).function);
  const bundleOfFunction = (logicalId: string): string => {
    const assembly = app.synth();
    const manifest = JSON.parse(readFileSync(join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8')) as {
      files: Record<string, { source: { path: string } }>;
    };
    const code = template.toJSON().Resources[logicalId].Properties.Code as { S3Key: string };
    const asset = manifest.files[code.S3Key.replace(/\.zip$/, '')];
    if (asset === undefined) throw new Error(`no asset for ${logicalId}`);
    return join(assembly.directory, asset.source.path, 'index.js');
  };
  const bundleOf = (route: string): string => bundleOfFunction(functionId(route));
  return { app, stack, template, functionOf, idOf, functionId, bundleOf, bundleOfFunction };
}
