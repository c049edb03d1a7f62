import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, routeKeys } from './synthChatStack.js';

/** The environment of a machine with no AWS account: no AWS_* variable, no credentials file. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  return {
    ...env,
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_EC2_METADATA_DISABLED: 'true',
    // The CLI's own network calls (telemetry, version check) are not part of what is tested.
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
  };
}

describe('npx cdk synth', () => {
  const out = mkdtempSync(join(tmpdir(), 'chat-cdk-out-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('synthesizes the app offline, without credentials, and cdk-nag passes', () => {
    const run = spawnSync('npx', ['cdk', 'synth', '--no-notices', '--quiet', '--output', out], {
      cwd: repoRoot,
      env: offlineEnv(),
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stderr).not.toMatch(/\bERROR\b|AwsSolutions-/);
    const template = JSON.parse(readFileSync(join(out, 'WebSocketChat.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
      Outputs: Record<string, unknown>;
    };
    const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    // One per route, and the fan-out function.
    expect(functions).toHaveLength(routeKeys.length + 1);
    expect(Object.keys(template.Outputs)).toEqual(
      expect.arrayContaining(['WebSocketUrl', 'ManagementEndpoint', 'ConnectionsTableName', 'RoomsTableName']),
    );
  }, 180_000);
});
