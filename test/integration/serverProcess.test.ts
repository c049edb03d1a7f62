import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient, eventually } from '../support/ChatClient.js';
import { clientFrame, Opcode, RawWebSocket } from '../support/RawWebSocket.js';
import { type ChatProcess, spawnChatProcess } from '../support/spawnChatProcess.js';

const SERVER = fileURLToPath(new URL('../../dist/server.js', import.meta.url));
const AWS_LOCAL = fileURLToPath(new URL('../../dist/aws-local.js', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built server to its exit (a command that prints, or a start that fails). */
function runToExit(args: readonly string[], env: Record<string, string> = {}, script = SERVER): Promise<Exit> {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

type Event = { readonly level: string; readonly event: string; readonly [field: string]: unknown };

/** Every line of `text` as a JSON event; fails on any line that is not one. */
function events(text: string): Event[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const event = JSON.parse(line) as Event;
      expect(typeof event.time).toBe('string');
      return event;
    });
}

/** A start failure: exit 1 and one structured line, never a stack. */
function expectOneFailureLine(exit: Exit): Event {
  expect(exit.code).toBe(1);
  expect(exit.stderr).not.toMatch(/\n\s+at /);
  const lines = events(exit.stderr);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: 'error', event: 'startup.failed' });
  return lines[0] as Event;
}

describe('the server process (dist/server.js)', () => {
  let server: ChatProcess | undefined;
  let blocker: Server | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await new Promise((resolve) => (blocker === undefined ? resolve(undefined) : blocker.close(resolve)));
    blocker = undefined;
  });

  describe('command line', () => {
    it('prints its version with --version and exits 0', async () => {
      const exit = await runToExit(['--version']);
      expect(exit).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    });

    it('prints its usage with --help and exits 0', async () => {
      const exit = await runToExit(['--help']);
      expect(exit.code).toBe(0);
      expect(exit.stdout).toMatch(/^Usage: node dist\/server\.js/);
      expect(exit.stdout).toContain('LOG_LEVEL');
      expect(exit.stderr).toBe('');
    });

    it('answers --version and --help the same way as the local AWS emulator', async () => {
      expect(await runToExit(['--version'], {}, AWS_LOCAL)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
      expect((await runToExit(['-h'], {}, AWS_LOCAL)).stdout).toMatch(/^Usage: node dist\/aws-local\.js/);
    });

    it('refuses an argument it does not know', async () => {
      const failure = expectOneFailureLine(await runToExit(['--port=1']));
      expect(failure).toMatchObject({ code: 'UNKNOWN_ARGUMENT' });
    });
  });

  describe('start failures', () => {
    it('reports a port in use as one line and exits 1', async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker?.listen(0, '127.0.0.1', resolve));
      const { port } = blocker.address() as { port: number };
      const failure = expectOneFailureLine(await runToExit([], { PORT: String(port) }));
      expect(failure).toMatchObject({ code: 'EADDRINUSE' });
    });

    it('reports an invalid setting as one line naming it, and exits 1', async () => {
      const failure = expectOneFailureLine(await runToExit([], { PORT: 'eighty' }));
      expect(failure).toMatchObject({ code: 'INVALID_SETTING', message: expect.stringContaining('PORT') });
    });

    it('reports an unknown LOG_LEVEL as one line naming it, and exits 1', async () => {
      const failure = expectOneFailureLine(await runToExit([], { LOG_LEVEL: 'loud' }));
      expect(failure).toMatchObject({ code: 'INVALID_SETTING', message: expect.stringContaining('LOG_LEVEL') });
    });
  });

  describe('logs', () => {
    it('writes only JSON lines on stderr, the ready line also as an event', async () => {
      server = await spawnChatProcess([SERVER]);
      await eventually(() => server?.output().includes('"server.listening"') ?? false);
      const stderr = server.output().replace(/^chat server listening on \S+\n/m, '');
      expect(events(stderr).find((event) => event.event === 'server.listening')).toMatchObject({
        level: 'info',
        url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/),
      });
    });

    it('logs each connection opening and closing at debug: its id, close code and duration', async () => {
      server = await spawnChatProcess([SERVER], { LOG_LEVEL: 'debug' });
      const client = await ChatClient.connect(server.url);
      await eventually(() => server?.output().includes('"connection.opened"') ?? false);
      client.socket.close(1000);
      await eventually(() => server?.output().includes('"connection.closed"') ?? false);

      const lines = events(server.output().replace(/^chat server listening on \S+\n/m, ''));
      const opened = lines.find((event) => event.event === 'connection.opened');
      const closed = lines.find((event) => event.event === 'connection.closed');
      expect(opened).toMatchObject({ level: 'debug', connectionId: expect.any(String) });
      expect(closed).toMatchObject({ level: 'debug', connectionId: opened?.connectionId, code: 1000 });
      expect(closed?.durationMs).toEqual(expect.any(Number));
      expect(closed?.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('logs no connection at the default level, and nothing below warn at warn', async () => {
      server = await spawnChatProcess([SERVER]);
      const client = await ChatClient.connect(server.url);
      client.socket.close(1000);
      await client.closed;
      const quiet = await spawnChatProcess([SERVER], { LOG_LEVEL: 'warn' });
      await (await ChatClient.connect(quiet.url)).socket.close(1000);
      await quiet.stop();

      expect(server.output()).not.toContain('"connection.');
      expect(quiet.output()).toMatch(/^chat server listening on ws:\/\//m);
      const levels = events(quiet.output().replace(/^chat server listening on \S+\n/m, '')).map((e) => e.level);
      expect(levels.filter((level) => level === 'debug' || level === 'info')).toEqual([]);
    });

    it('names the connection a socket error happened on', async () => {
      server = await spawnChatProcess([SERVER], { LOG_LEVEL: 'debug' });
      const raw = await RawWebSocket.connect(server.url);
      // Not UTF-8: the server fails the connection (1007), the socket reports an error.
      await raw.write(clientFrame(Opcode.text, Buffer.from([0xff, 0xfe])));
      await raw.closed;
      await eventually(() => server?.output().includes('"connection.failure"') ?? false);

      const lines = events(server.output().replace(/^chat server listening on \S+\n/m, ''));
      const opened = lines.find((event) => event.event === 'connection.opened');
      expect(lines.find((event) => event.event === 'connection.failure')).toMatchObject({
        level: 'warn',
        context: 'socket',
        connectionId: opened?.connectionId,
      });
    });
  });
});
