/**
 * A broadcast went through its whole audience, but some recipients could not be reached: their
 * deliveries failed (after whatever retries the gateway makes) for a reason other than being gone.
 */
export class RecipientsUnreachedError extends Error {
  readonly code = 'NOT_DELIVERED';

  constructor(readonly unreached: number) {
    super(`the message did not reach ${unreached} recipient${unreached === 1 ? '' : 's'}`);
  }
}
