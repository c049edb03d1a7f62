import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReportsSuppressedError, ReportThrottle } from '../../../../src/adapters/ws/ReportThrottle.js';

describe('ReportThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('pass', () => {
    it('passes the first reports of a window and counts the rest in one summary when it ends', () => {
      const reported: unknown[] = [];
      const throttle = new ReportThrottle((error) => reported.push(error), 3, 1000);
      for (let i = 0; i < 50; i++) throttle.pass(new Error(`e${i}`));
      expect(reported.map((error) => (error as Error).message)).toEqual(['e0', 'e1', 'e2']);
      vi.advanceTimersByTime(1000);
      expect(reported).toHaveLength(4);
      const summary = reported[3] as ReportsSuppressedError;
      expect(summary).toBeInstanceOf(ReportsSuppressedError);
      expect(summary).toMatchObject({ code: 'REPORTS_SUPPRESSED', suppressed: 47 });
    });

    it('passes on the connection a report names, and none with the summary', () => {
      const reported: Array<[unknown, string | undefined]> = [];
      const throttle = new ReportThrottle((error, connectionId) => reported.push([error, connectionId]), 1, 1000);
      throttle.pass('a', 'connection-1');
      throttle.pass('b', 'connection-2');
      vi.advanceTimersByTime(1000);
      expect(reported.map(([, connectionId]) => connectionId)).toEqual(['connection-1', undefined]);
    });

    it('passes reports again in the next window', () => {
      const reported: unknown[] = [];
      const throttle = new ReportThrottle((error) => reported.push(error), 1, 1000);
      throttle.pass('a');
      throttle.pass('b');
      vi.advanceTimersByTime(1000);
      throttle.pass('c');
      expect(reported.filter((error) => typeof error === 'string')).toEqual(['a', 'c']);
    });

    it('reports no summary when nothing was held back', () => {
      const reported: unknown[] = [];
      const throttle = new ReportThrottle((error) => reported.push(error), 5, 1000);
      throttle.pass('only');
      vi.advanceTimersByTime(5000);
      expect(reported).toEqual(['only']);
    });
  });
});
