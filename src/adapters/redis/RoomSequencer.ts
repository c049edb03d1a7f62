/** What to do with a room message that arrived, given what this node delivered before. */
export type Arrival =
  | { readonly action: 'deliver' }
  | { readonly action: 'drop' }
  /** Sequences `from` to `to` (inclusive) were never received: recover them first. */
  | { readonly action: 'fill'; readonly from: number; readonly to: number };

interface RoomPosition {
  epoch: string | undefined;
  last: number;
  /** Where the room stood when this node began listening: nothing before it is this node's. */
  since: { epoch: string | undefined; last: number };
}

/**
 * Where each room this node listens to stands: the epoch and the last sequence delivered. Room
 * messages are numbered consecutively within an epoch, so a repeat is dropped and a jump is a
 * gap. An epoch is the first sequence of a counter created anew (a Redis that lost its data), so
 * a message of an epoch not seen before is judged from that epoch's start.
 */
export class RoomSequencer {
  private readonly rooms = new Map<string, RoomPosition>();

  /** Starts following `room` from whatever arrives next. */
  follow(room: string): void {
    if (!this.rooms.has(room))
      this.rooms.set(room, { epoch: undefined, last: 0, since: { epoch: undefined, last: 0 } });
  }

  /** Where `room` stood when this node began listening, unless something arrived since. */
  start(room: string, epoch: string, last: number): void {
    const position = this.rooms.get(room);
    if (position === undefined || position.epoch !== undefined) return;
    position.epoch = epoch;
    position.last = last;
    position.since = { epoch, last };
  }

  forget(room: string): void {
    this.rooms.delete(room);
  }

  following(room: string): boolean {
    return this.rooms.has(room);
  }

  /** Judges an arrival; the caller then calls `delivered` for what it delivered. */
  arrive(room: string, epoch: string, sequence: number): Arrival {
    const position = this.rooms.get(room);
    if (position === undefined) return { action: 'drop' };
    if (position.epoch !== epoch) {
      const first = Number(epoch) + 1;
      return sequence > first ? { action: 'fill', from: first, to: sequence - 1 } : { action: 'deliver' };
    }
    if (sequence <= position.last) return { action: 'drop' };
    if (sequence === position.last + 1) return { action: 'deliver' };
    return { action: 'fill', from: position.last + 1, to: sequence - 1 };
  }

  delivered(room: string, epoch: string, sequence: number): void {
    const position = this.rooms.get(room);
    if (position === undefined) return;
    if (position.epoch !== epoch) {
      position.epoch = epoch;
      position.last = sequence;
    } else {
      position.last = Math.max(position.last, sequence);
    }
  }

  /**
   * Moves `room` back to `last`: a replica promoted after a failover lacked the numbers above it
   * and gives them to new messages, which this node has still to deliver.
   */
  rewind(room: string, epoch: string, last: number): void {
    const position = this.rooms.get(room);
    if (position === undefined || position.epoch !== epoch) return;
    position.last = Math.min(position.last, last);
  }

  /** The lowest number of `epoch` this node may have to deliver in `room`. */
  firstOwn(room: string, epoch: string): number {
    const since = this.rooms.get(room)?.since;
    return since !== undefined && since.epoch === epoch ? since.last + 1 : Number(epoch) + 1;
  }

  /** The rooms followed. */
  followed(): IterableIterator<string> {
    return this.rooms.keys();
  }

  /** Where `room` stands, for a check against the room's counter after a lost link. */
  position(room: string): { readonly epoch: string | undefined; readonly last: number } | undefined {
    const position = this.rooms.get(room);
    return position === undefined ? undefined : { epoch: position.epoch, last: position.last };
  }
}
