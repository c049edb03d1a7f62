/** A running chat, whatever shape it has. */
export interface RunningChat {
  /** Entry points of the chat (one per node); clients are spread across them in turn. */
  readonly urls: readonly string[];
  /** Everything the chat's processes wrote so far (stdout and stderr). */
  output(): string;
  /** Sends `signal` to every process and resolves with their exit codes. */
  stop(signal?: NodeJS.Signals): Promise<Array<number | null>>;
}

/**
 * One way to run the chat (standalone, cluster, AWS emulator). The end-to-end suite runs
 * unchanged against each. `env` carries the shared settings (IDLE_TIMEOUT_MS,
 * MAX_CONNECTION_AGE_MS, ...) every shape honours.
 */
export interface RuntimeShape {
  readonly name: string;
  /**
   * A sender's messages reach everyone in the order it sent them. True of the servers (one
   * connection's frames are handled in turn); false on AWS, where API Gateway runs each message's
   * integration independently and promises no order: there the suites check completeness and no
   * duplicates, and order only by message id.
   */
  readonly ordersPerSender: boolean;
  start(env?: Record<string, string>): Promise<RunningChat>;
}
