import type { ConnectionId, Delivery, MessageGateway, Publication } from '../../src/domain/index.js';
import { PeersUnreachableError, toConnectionId } from '../../src/domain/index.js';

let counter = 0;
/** A fresh id, unique within the test run. */
export const newId = (prefix = 'c'): ConnectionId =>
  toConnectionId(`${prefix}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`);

/**
 * A hand-written MessageGateway fake: records every post, answers 'gone' for ids marked gone,
 * throws for ids marked failing, and tracks how many posts were in flight at once.
 */
export class RecordingGateway implements MessageGateway {
  readonly posts: Array<{ to: ConnectionId; frame: string }> = [];
  /** Connections closed for breaking the rules, in order. */
  readonly disconnected: ConnectionId[] = [];
  readonly gone = new Set<ConnectionId>();
  readonly failing = new Set<ConnectionId>();
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly latencyMs = 0) {}

  async post(to: ConnectionId, frame: string): Promise<Delivery> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      if (this.failing.has(to)) throw new Error(`delivery to ${to} failed`);
      this.posts.push({ to, frame });
      return this.gone.has(to) ? 'gone' : 'delivered';
    } finally {
      this.inFlight--;
    }
  }

  async disconnect(to: ConnectionId): Promise<void> {
    this.disconnected.push(to);
  }

  framesTo(id: ConnectionId): string[] {
    return this.posts.filter((post) => post.to === id && !this.gone.has(id)).map((post) => post.frame);
  }
}

/** A RecordingGateway of a multi-process chat: records what is published, or refuses it all when `unreachable`. */
export class PublishingGateway extends RecordingGateway {
  readonly published: Publication[] = [];
  unreachable = false;

  async publish(publication: Publication): Promise<void> {
    if (this.unreachable) throw new PeersUnreachableError('test');
    this.published.push(publication);
  }
}

/** Collects every page of a listing. */
export async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[][]> {
  const result: T[][] = [];
  for await (const page of pages) result.push([...page]);
  return result;
}
