/** One request's worth of items and where the next request starts. */
export interface Fetched<T> {
  readonly items: readonly T[];
  readonly next: Record<string, unknown> | undefined;
}

/**
 * Follows `LastEvaluatedKey` to the end, so nothing past one response (or 1 MB) is dropped, and
 * re-cuts what comes back into pages of `pageSize`. Each request asks for one item more than a
 * page: DynamoDB answers a full final page with a `LastEvaluatedKey` too, and the look-ahead
 * item spares that trailing empty request, so N items cost at most ceil(N / pageSize) requests.
 */
export async function* pages<T>(
  fetch: (start: Record<string, unknown> | undefined, limit: number) => Promise<Fetched<T>>,
  pageSize: number,
): AsyncIterable<T[]> {
  const buffer: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const { items, next } = await fetch(start, pageSize + 1);
    buffer.push(...items);
    while (buffer.length >= pageSize) yield buffer.splice(0, pageSize);
    start = next;
  } while (start !== undefined);
  if (buffer.length > 0) yield buffer;
}
