/** Reports were held back: how many, in how long. */
export class ReportsSuppressedError extends Error {
  readonly code = 'REPORTS_SUPPRESSED';

  constructor(
    readonly suppressed: number,
    windowMs: number,
  ) {
    super(`${suppressed} more like it in the last ${windowMs} ms were not reported`);
  }
}

/**
 * Passes on at most `limit` reports per window, then, when the window ends, one
 * `ReportsSuppressedError` that counts the rest. What clients cause (bad frames, broken
 * connections) must not turn into as many log lines as an attacker likes.
 */
export class ReportThrottle {
  private windowStart = Number.NEGATIVE_INFINITY;
  private passed = 0;
  private suppressed = 0;
  private summary: NodeJS.Timeout | undefined;

  /** `report` gets the error and, when one is known, the connection it happened on. */
  constructor(
    private readonly report: (error: unknown, connectionId?: string) => void,
    private readonly limit = 10,
    private readonly windowMs = 10_000,
  ) {}

  pass(error: unknown, connectionId?: string): void {
    const now = performance.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.passed = 0;
    }
    if (this.passed < this.limit) {
      this.passed++;
      this.report(error, connectionId);
      return;
    }
    this.suppressed++;
    this.summary ??= setTimeout(() => this.summarize(), this.windowStart + this.windowMs - now).unref();
  }

  private summarize(): void {
    this.summary = undefined;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    this.report(new ReportsSuppressedError(suppressed, this.windowMs));
  }
}
