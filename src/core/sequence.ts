/**
 * `items.map(fn)` for an asynchronous `fn`, one item after the other (never two at once): the order of what
 * `fn` does, such as writes and audit events, is the order of the items.
 */
export async function mapInOrder<T, R>(items: Iterable<T>, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}
