import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionDeadlines, type WatchedSocket } from '../../../../src/adapters/ws/ConnectionDeadlines.js';

/** A socket that records what the deadlines did to it. */
class FakeSocket extends EventEmitter {
  readonly closes: Array<[number, string]> = [];
  terminated = false;
  pings = 0;
  close(code: number, reason: string): void {
    this.closes.push([code, reason]);
  }
  terminate(): void {
    this.terminated = true;
  }
  ping(): void {
    this.pings++;
  }
  /** Answers the last ping, as a live peer does. */
  pong(): void {
    this.emit('pong');
  }
}

const watched = (socket: FakeSocket) => socket as unknown as WatchedSocket;

describe('ConnectionDeadlines', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const deadlines = (heartbeatIntervalMs?: number) =>
    new ConnectionDeadlines({ idleTimeoutMs: 1000, maxConnectionAgeMs: 5000, heartbeatIntervalMs });

  describe('track', () => {
    it('closes a connection that sends nothing for the idle timeout with 1001', () => {
      const socket = new FakeSocket();
      deadlines().track(watched(socket));
      vi.advanceTimersByTime(999);
      expect(socket.closes).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(socket.closes).toEqual([[1001, 'Idle timeout']]);
    });

    it('closes any connection at the maximum age, however active', () => {
      const socket = new FakeSocket();
      const tracker = deadlines();
      tracker.track(watched(socket));
      for (let at = 500; at < 5000; at += 500) {
        vi.advanceTimersByTime(500);
        tracker.touch(watched(socket));
      }
      vi.advanceTimersByTime(499);
      expect(socket.closes).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(socket.closes).toEqual([[1001, 'Maximum connection age reached']]);
    });
  });

  describe('touch', () => {
    it('moves the idle deadline to a full timeout after the last activity', () => {
      const socket = new FakeSocket();
      const tracker = deadlines();
      tracker.track(watched(socket));
      vi.advanceTimersByTime(800);
      tracker.touch(watched(socket));
      vi.advanceTimersByTime(999);
      expect(socket.closes).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(socket.closes).toEqual([[1001, 'Idle timeout']]);
    });
  });

  describe('untrack', () => {
    it('leaves a connection alone once it is untracked', () => {
      const socket = new FakeSocket();
      const tracker = deadlines(100);
      tracker.start();
      tracker.track(watched(socket));
      tracker.untrack(watched(socket));
      vi.advanceTimersByTime(10_000);
      expect(socket).toMatchObject({ closes: [], terminated: false, pings: 0 });
      tracker.stop();
    });
  });

  describe('start', () => {
    it('pings every interval and terminates a peer that missed a pong', () => {
      const live = new FakeSocket();
      const dead = new FakeSocket();
      const tracker = deadlines(100);
      tracker.start();
      tracker.track(watched(live));
      tracker.track(watched(dead));
      vi.advanceTimersByTime(100);
      expect([live.pings, dead.pings]).toEqual([1, 1]);
      live.pong();
      vi.advanceTimersByTime(100);
      expect([live.terminated, dead.terminated]).toEqual([false, true]);
      tracker.stop();
    });

    it('runs no heartbeat without an interval (the emulator, as API Gateway)', () => {
      const socket = new FakeSocket();
      const tracker = deadlines();
      tracker.start();
      tracker.track(watched(socket));
      vi.advanceTimersByTime(900);
      expect(socket.pings).toBe(0);
    });
  });
});
