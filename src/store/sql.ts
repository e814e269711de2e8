// The one interface every repository speaks to its database through, whatever the engine: SQL written once
// with `?` (or `@name`) placeholders where the dialects agree, Promise-returning, and the transactions.
//
// A transaction belongs to the asynchronous work that opened it (AsyncLocalStorage): every statement awaited
// inside `write(async () => …)` runs in it, a `write` inside a `write` is a savepoint of the outer one, and a
// second `write` started meanwhile by other work of the same process waits its turn (one at a time: they
// never interleave on one connection).

import type { IsoDate } from "../core/dates.js";
import type { FieldCipher } from "./crypto.js";

export type Engine = "sqlite" | "postgres";

/** Positional values for `?`, or named ones for `@name`. */
export type Params = readonly unknown[] | Readonly<Record<string, unknown>>;

export interface RunResult {
  changes: number;
  /** The id the statement inserted: write `INSERT … RETURNING id` (both engines take it; PostgreSQL has no last rowid). */
  lastId?: number;
}

/** A transaction held open across awaits that do not run through it (an import between its batches). */
export interface HeldTransaction {
  /** Runs `fn` inside the transaction: the statements it awaits belong to it. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface Sql {
  readonly engine: Engine;
  all<T>(sql: string, params?: Params): Promise<T[]>;
  get<T>(sql: string, params?: Params): Promise<T | undefined>;
  run(sql: string, params?: Params): Promise<RunResult>;
  exec(sql: string): Promise<void>;
  /** The rows one at a time (memory stays flat); nothing else may use the connection until it ends. */
  iterate<T>(sql: string, params?: Params): AsyncIterable<T>;
  /** One write transaction (takes the write lock first): all of `fn` happens, or none of it. */
  write<T>(fn: () => Promise<T>): Promise<T>;
  /** One read transaction: every statement in `fn` sees the same snapshot. Inside a transaction, joins it. */
  read<T>(fn: () => Promise<T>): Promise<T>;
  /** Opens a write transaction to be ended explicitly (see HeldTransaction). */
  hold(): Promise<HeldTransaction>;
  /** True inside `write`/`read` (of this asynchronous context). */
  readonly inTransaction: boolean;
  close(): void;
}

/** Who makes a change and when: recorded on every write. */
export interface Actor {
  user: string;
  now: Date;
}

/** The moment of the run (it honours AVVIK_NOW) and who acts, as the repositories record them. */
export interface Clock {
  readonly actor: Actor;
  /** The current instant as a local timestamp. */
  readonly now: string;
  readonly today: IsoDate;
}

/** The field cipher, loaded and checked against the register on first use. */
export type Keys = () => Promise<FieldCipher>;
