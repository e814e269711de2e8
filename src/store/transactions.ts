// What both SQL executors (sqlite.ts, postgres.ts) share about transactions: which transaction of a connection
// the calling asynchronous work runs in, and the queue in which transactions on one connection take turns.

import { AsyncLocalStorage } from "node:async_hooks";

/** An open transaction of a connection: the savepoints opened inside it so far name the next one. */
export interface Tx {
  savepoints: number;
}

/**
 * The open transaction of each connection, for the asynchronous work inside it. One storage for the whole
 * process, whatever the engine, never one per connection: Node.js keeps every AsyncLocalStorage that has ever
 * run in a list and visits all of them for each promise the process creates, so a storage per connection made
 * every promise slower with each register opened (a test worker opens thousands; the menu, one per action).
 */
const current = new AsyncLocalStorage<ReadonlyMap<object, Tx>>();

/** The transaction of `connection` that the calling work runs in, if any. */
export function currentTx(connection: object): Tx | undefined {
  return current.getStore()?.get(connection);
}

/** Runs `fn` inside `tx` of `connection` (the transactions of other connections it runs in stay as they are). */
export function within<T>(connection: object, tx: Tx, fn: () => Promise<T>): Promise<T> {
  return current.run(new Map(current.getStore()).set(connection, tx), fn);
}

/** Waits for the turn after the one at the tail of `tail`; the returned function ends the turn. */
export async function turnAfter(tail: Promise<void>, set: (next: Promise<void>) => void): Promise<() => void> {
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  set(tail.then(() => mine));
  await tail;
  return release;
}
