import { type ChildProcess, spawn } from 'node:child_process';

export interface ChatProcess {
  /** The WebSocket URL from the process's ready line, host rewritten to loopback. */
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote, for diagnosis. */
  output(): string;
  /** Sends `signal` and resolves with the exit code once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code when the process exits by itself. */
  readonly exited: Promise<number | null>;
}

const READY_LINE = /ws:\/\/[^\s/]+:(\d+)(\/\S*)?/;

/**
 * Starts a chat process (`node dist/server.js` or any entrypoint that honours the runtime
 * contract) on a free port and resolves once its ready line names the URL.
 */
export function spawnChatProcess(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<ChatProcess> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} not ready within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = READY_LINE.exec(output);
      if (match === null) return;
      child.stdout?.off('data', onData);
      child.stdout?.on('data', (more: Buffer) => {
        output += more.toString();
      });
      clearTimeout(timer);
      resolve({
        url: `ws://127.0.0.1:${match[1]}${match[2] ?? ''}`,
        child,
        output: () => output,
        exited,
        stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code} before it was ready:\n${output}`));
    });
  });
}
