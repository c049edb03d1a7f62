import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/ChatClient.js';
import type { RunningChat } from './RuntimeShape.js';
import { standaloneShape } from './shapes.js';

const wscatBin = createRequire(import.meta.url).resolve('wscat/bin/wscat');

/** The real wscat CLI, as the original tutorial used it; `lines` are what it printed, prompts stripped. */
function startWscat(url: string) {
  const child = spawn(process.execPath, [wscatBin, '-c', url], { stdio: 'pipe' }) as ChildProcessWithoutNullStreams;
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return {
    child,
    lines: () =>
      output
        .split('\n')
        .map((line) => line.replace(/^(?:[<>] )+/, '').trim())
        .filter((line) => line !== ''),
    type: (line: string) => child.stdin.write(`${line}\n`),
    output: () => output,
  };
}

describe('wscat against the standalone server', () => {
  let chat: RunningChat | undefined;
  const sessions: Array<ReturnType<typeof startWscat>> = [];

  afterEach(async () => {
    for (const session of sessions.splice(0)) session.child.kill('SIGKILL');
    await chat?.stop('SIGKILL');
  });

  it('lets two wscat sessions chat and shows the seed error for an unknown action', async () => {
    chat = await standaloneShape.start();
    const url = chat.urls[0] as string;
    const [listener, talker] = [startWscat(url), startWscat(url)];
    sessions.push(listener, talker);
    // Piped wscat prints no banner: both sessions are up once a warm-up message crosses.
    let attempt = 0;
    await eventually(
      () => {
        talker.type(JSON.stringify({ action: 'sendMessage', data: `warm-up ${++attempt}` }));
        return listener.lines().some((line) => line.startsWith('warm-up'));
      },
      10_000,
      200,
    );

    talker.type('{"action":"sendMessage","data":"hello world"}');
    await eventually(() => listener.lines().includes('hello world') && talker.lines().includes('hello world'), 10_000);

    talker.type('{"action":"dance"}');
    await eventually(() => talker.lines().includes('Error: Invalid action type'), 10_000);
    expect(listener.lines()).not.toContain('Error: Invalid action type');
    expect(listener.lines().filter((line) => line === 'hello world')).toHaveLength(1);
    expect(listener.lines().every((line) => line === 'hello world' || line.startsWith('warm-up'))).toBe(true);
  });
});
