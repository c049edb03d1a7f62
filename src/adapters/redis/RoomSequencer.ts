/** What to do with a room message that arrived, given what this node delivered before. */
export type Arrival =
  | { readonly action: 'deliver' }
  | { readonly action: 'drop' }
  /** Sequences `from` to `to` (inclusive) were never received: recover them first. */
  | { readonly action: 'fill'; readonly from: number; readonly to: number };

interface RoomPosition {
  epoch: string | undefined;
  last: number;
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
    if (!this.rooms.has(room)) this.rooms.set(room, { epoch: undefined, last: 0 });
  }

  /** Where `room` stood when this node began listening, unless something arrived since. */
  start(room: string, epoch: string, last: number): void {
    const position = this.rooms.get(room);
    if (position === undefined || position.epoch !== undefined) return;
    position.epoch = epoch;
    position.last = last;
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

  /** Where `room` stands, for a check against the room's counter after a lost link. */
  position(room: string): { readonly epoch: string | undefined; readonly last: number } | undefined {
    return this.rooms.get(room);
  }
}
