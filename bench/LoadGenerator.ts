import type { ChildProcess } from 'node:child_process';
import { spawnWithFileLimit } from './processes.js';
import type { ClientShape, LoadGeneratorMessage, RoundResult, RunnerMessage } from './protocol.js';

type Round = Omit<Extract<RunnerMessage, { type: 'round' }>, 'type'>;

/** Drives the load generator process over IPC; every wait is bounded. */
export class LoadGenerator {
  private constructor(private readonly child: ChildProcess) {}

  /** Starts `node <script>` with room for `openFiles` descriptors. */
  static start(script: string, openFiles: number): LoadGenerator {
    const child = spawnWithFileLimit(process.execPath, [script], { ipc: true, openFiles });
    return new LoadGenerator(child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Opens connections, spread over `urls`, until `clients` are open; resolves with the time taken. */
  async connect(urls: readonly string[], clients: number, shape: ClientShape, timeoutMs: number): Promise<number> {
    const reply = await this.request(
      { type: 'connect', urls, clients, shape, timeoutMs: 10_000 },
      'connected',
      timeoutMs,
    );
    return reply.connectMs;
  }

  async round(round: Round): Promise<RoundResult> {
    const reply = await this.request({ type: 'round', ...round }, 'round', round.timeoutMs + 10_000);
    return reply.result;
  }

  /** Closes the connections and ends the process (SIGKILL if it lingers). */
  async stop(graceMs = 3000): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) child.send({ type: 'close' } satisfies RunnerMessage);
    const cut = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(cut);
  }

  private request<T extends LoadGeneratorMessage['type']>(
    message: RunnerMessage,
    expected: T,
    timeoutMs: number,
  ): Promise<Extract<LoadGeneratorMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`load generator: no ${expected} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (reply: LoadGeneratorMessage) => {
        cleanup();
        if (reply.type === expected) resolve(reply as Extract<LoadGeneratorMessage, { type: T }>);
        else reject(new Error(`load generator: ${reply.type === 'failed' ? reply.message : reply.type}`));
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`load generator exited (code ${code})`));
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(message);
    });
  }
}
