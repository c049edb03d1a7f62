/**
 * What the deployed stack enforces at run time, in one module free of aws-cdk-lib: the CDK app
 * deploys these values and the local API Gateway enforces the same ones, so a function that
 * outruns its timeout or a stage that throttles behaves alike in both places.
 */

/** One Lambda function's size: memory (and with it CPU) and how long an invocation may run. */
export interface FunctionSize {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

// A few DynamoDB calls and a post or two: 256 MB gives enough CPU for a quick cold start (SDK
// client setup) at the smallest bill; 10 s covers SDK retries, well inside API Gateway's 29 s.
const SMALL: FunctionSize = { memoryMb: 256, timeoutSeconds: 10 };

/** Functions that need more than `SMALL`, by route key. */
const SIZES: Readonly<Record<string, FunctionSize>> = {
  // A message pages through its whole audience and posts to every member with bounded
  // concurrency: CPU grows with memory, and signing and TLS for dozens of parallel posts is CPU
  // work, hence 512 MB; 60 s so that a large audience is fully served even after API Gateway
  // stops waiting at 29 s (the client gets nothing from the integration response, only the
  // posted frames).
  sendMessage: { memoryMb: 512, timeoutSeconds: 60 },
  // Presence reaches only a room's json members, a small frame: 256 MB. But a room has no member
  // cap, and $disconnect tells each of up to 50 rooms in turn; a function stopped at 10 s leaves
  // the rest of the rooms untold and gone connections unswept. A timeout costs nothing until it
  // is used, so these get the same 60 s as a message.
  joinRoom: { memoryMb: 256, timeoutSeconds: 60 },
  leaveRoom: { memoryMb: 256, timeoutSeconds: 60 },
  $disconnect: { memoryMb: 256, timeoutSeconds: 60 },
};

/** The size of the function serving `routeKey`. */
export function functionSizeOf(routeKey: string): FunctionSize {
  return Object.hasOwn(SIZES, routeKey) ? (SIZES[routeKey] as FunctionSize) : SMALL;
}

/**
 * The `$connect` authorizer: a JWKS fetch on a cold start (a 2 s timeout of its own) and a
 * signature check; 10 s stays well inside API Gateway's 29 s.
 */
export const AUTHORIZER_SIZE: FunctionSize = { memoryMb: 256, timeoutSeconds: 10 };

/** The stage's default route throttling: steady messages per second and the burst on top. */
export const STAGE_THROTTLE_DEFAULTS = { rateLimit: 100, burstLimit: 200 } as const;
