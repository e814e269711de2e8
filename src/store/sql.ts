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

export interface WriteOptions {
  /**
   * `fn` does nothing outside the database (no file renamed into place, no mail sent, no state of the caller
   * changed) and may run again from the start: on PostgreSQL a transaction the server broke (a deadlock with an
   * outside session, a lost connection) is then run again a few times before it fails. SQLite never needs it.
   */
  retry?: boolean;
}

/** A transaction held open across awaits that do not run through it (an import between its batches). */
export interface HeldTransaction {
  /** Runs `fn` inside the transaction: the statements it awaits belong to it. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/**
 * Where the two engines' SQL must differ, the difference in one place: each method gives the engine's text
 * for an expression (the arguments are SQL expressions, never values).
 */
export interface Dialect {
  /** The values of a group joined by a separator (group_concat / string_agg). */
  groupConcat(expr: string, separator: string): string;
  /** ` INDEXED BY name` after a table on SQLite (its planner is told); nothing on PostgreSQL. */
  indexedBy(index: string): string;
  /** A JSON text's member `key` (a plain name) as an integer, NULL when absent or not a number. */
  jsonInteger(json: string, key: string): string;
  /** A JSON object of `pairs` ('key', value, …). */
  jsonObject(pairs: string): string;
  /** A JSON value from its text or from a JSON expression (kept as JSON inside an object, not as a string). */
  json(expr: string): string;
  /** The JSON array of a group's values in order (an empty array for no rows). */
  jsonArray(element: string, orderBy: string): string;
  /** The JSON text of a JSON value the database returned (the driver may already have parsed it). */
  jsonResult(value: unknown): string;
  /** Whole days from date `from` to date `to` (ISO date texts). */
  daysBetween(from: string, to: string): string;
  /** The ISO date text `days` (an SQL integer expression, may be negative) after the ISO date `date`. */
  addDays(date: string, days: string): string;
  /** Whether text `needle` occurs in `haystack` (instr / strpos). */
  contains(haystack: string, needle: string): string;
  /** A JSON text's member `key` as text. */
  jsonText(json: string, key: string): string;
}

export interface Sql {
  readonly engine: Engine;
  readonly dialect: Dialect;
  all<T>(sql: string, params?: Params): Promise<T[]>;
  get<T>(sql: string, params?: Params): Promise<T | undefined>;
  run(sql: string, params?: Params): Promise<RunResult>;
  exec(sql: string): Promise<void>;
  /** The rows one at a time (memory stays flat); nothing else may use the connection until it ends. */
  iterate<T>(sql: string, params?: Params): AsyncIterable<T>;
  /** One write transaction (takes the write lock first): all of `fn` happens, or none of it. */
  write<T>(fn: () => Promise<T>, options?: WriteOptions): Promise<T>;
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
