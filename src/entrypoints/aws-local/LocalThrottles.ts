import { type Throttle, TokenBucket } from './TokenBucket.js';

/** The throttles of API Gateway that the emulator applies; an absent one throttles nothing. */
export interface LocalThrottlesOptions {
  /**
   * The account's throttle, which every request draws on: upgrades, client messages and
   * `@connections` calls.
   */
  readonly accountThrottle?: Throttle;
  /**
   * The stage's default route throttling, applied to each route: a bucket per route key, as API
   * Gateway applies a stage's default route settings route by route.
   */
  readonly stageThrottle?: Throttle;
  /** New connections per second, the account's WebSocket quota. */
  readonly newConnectionsThrottle?: Throttle;
}

const UNTHROTTLED: Throttle = { ratePerSecond: 0, burst: 1 };

/**
 * Which requests API Gateway would let through, before anything is invoked: an upgrade, a client
 * message of a route, a `@connections` call. Each refusal is counted, for operators and tests.
 */
export class LocalThrottles {
  private readonly account: TokenBucket;
  private readonly newConnections: TokenBucket;
  private readonly routes = new Map<string, TokenBucket>();
  /** Requests refused so far, by kind. */
  readonly throttled = { upgrades: 0, messages: 0, managementCalls: 0 };

  constructor(private readonly options: LocalThrottlesOptions) {
    this.account = new TokenBucket(options.accountThrottle ?? UNTHROTTLED);
    this.newConnections = new TokenBucket(options.newConnectionsThrottle ?? UNTHROTTLED);
  }

  /** An upgrade: a new connection, a `$connect` request of the stage, a request of the account. */
  admitUpgrade(): boolean {
    if (this.newConnections.take() && this.admitRoute('$connect')) return true;
    this.throttled.upgrades++;
    return false;
  }

  /** A client message selected for `routeKey`. */
  admitMessage(routeKey: string): boolean {
    if (this.admitRoute(routeKey)) return true;
    this.throttled.messages++;
    return false;
  }

  /** A `@connections` call: the account's throttle only (a callback is no route of the stage). */
  admitManagementCall(): boolean {
    if (this.account.take()) return true;
    this.throttled.managementCalls++;
    return false;
  }

  /** A token of the route's bucket on the stage, then one of the account's. */
  private admitRoute(routeKey: string): boolean {
    let bucket = this.routes.get(routeKey);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.options.stageThrottle ?? UNTHROTTLED);
      this.routes.set(routeKey, bucket);
    }
    return bucket.take() && this.account.take();
  }
}
