import type { Connection } from '../domain/index.js';

/** What a frame of a client asks, once its action names the route. */
export type ActionBody = Readonly<Record<string, unknown>>;

/** A use case behind one route: answers the sender itself, returns nothing to read. */
export interface ActionHandler {
  execute(sender: Connection, body: ActionBody): Promise<void>;
}
