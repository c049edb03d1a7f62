/**
 * Runs `work` over `items` with at most `limit` calls in flight, in order of start. Work that
 * finishes at once (returns no promise) is not awaited, so a synchronous run costs no promise
 * per item. A failure does not stop the other items: every item is tried, then the first
 * failure is rethrown.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => void | Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        const pending = work(item);
        if (pending !== undefined) await pending;
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
}
