// The SQL executor over better-sqlite3 (the default engine). Statements are prepared once per connection and
// cached by their text; the calls are synchronous underneath, so a Promise settles with the statement's result.

import type Database from "better-sqlite3";
import type { Statement } from "better-sqlite3";
import { messageRef, RefusedError } from "../core/errors.js";
import type { Dialect, HeldTransaction, Params, RunResult, Sql } from "./sql.js";
import { currentTx, turnAfter, within, type Tx } from "./transactions.js";

const SQLITE: Dialect = {
  groupConcat: (expr, separator) => `group_concat(${expr}, ${separator})`,
  jsonObject: (pairs) => `json_object(${pairs})`,
  json: (expr) => `json(${expr})`,
  jsonArray: (element, orderBy) => `json_group_array(${element} ORDER BY ${orderBy})`,
  jsonResult: (value) => value as string,
  daysBetween: (from, to) => `CAST(julianday(${to}) - julianday(${from}) AS INTEGER)`,
  addDays: (date, days) => `date(${date}, (${days}) || ' days')`,
  contains: (haystack, needle) => `instr(${haystack}, ${needle}) > 0`,
  indexedBy: (index) => ` INDEXED BY ${index}`,
  jsonInteger: (json, key) => `json_extract(${json}, '$.${key}')`,
  jsonText: (json, key) => `json_extract(${json}, '$.${key}')`,
};

/** What works on SQLite only so far, named in the refusal on PostgreSQL (`postgres.feature.*`). */
export type SqliteOnlyFeature = "backup" | "purge" | "import" | "health";

/**
 * The SQLite executor for what needs SQLite's own connection (backup, pragmas, the import's synchronous
 * writer); on PostgreSQL one clear line instead: the feature is not supported there yet.
 */
export function sqliteOnly(sql: Sql, feature: SqliteOnlyFeature): SqliteSql {
  if (sql instanceof SqliteSql) return sql;
  throw new RefusedError("error.postgresUnsupported", { feature: messageRef(`postgres.feature.${feature}`) });
}

/**
 * The write transactions of this process per database file, whatever connection they use: a second
 * connection to the same file (a test, a tool) waits here for its turn, instead of in SQLite's busy handler,
 * which would block the one thread that the first transaction needs to finish.
 */
const writers = new Map<string, Promise<void>>();

export class SqliteSql implements Sql {
  readonly engine = "sqlite" as const;
  readonly dialect = SQLITE;
  private readonly statements = new Map<string, Statement>();
  /** The tail of the queue of transactions of this process: each waits for the one before it. */
  private queue: Promise<void> = Promise.resolve();

  /** Runs before each write transaction begins (the turn is ours, no transaction is open); may refuse it. */
  beforeWrite: (() => void) | undefined;

  /** `native`: for what only SQLite has (backup, pragmas, the import's synchronous writer). */
  constructor(readonly native: Database.Database) {}

  /** The prepared statement of a text, prepared once per connection. */
  statement(sql: string): Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.native.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  async all<T>(sql: string, params: Params = []): Promise<T[]> {
    const st = this.statement(sql);
    return (Array.isArray(params) ? st.all(...params) : st.all(params)) as T[];
  }

  async get<T>(sql: string, params: Params = []): Promise<T | undefined> {
    const st = this.statement(sql);
    return (Array.isArray(params) ? st.get(...params) : st.get(params)) as T | undefined;
  }

  async run(sql: string, params: Params = []): Promise<RunResult> {
    const st = this.statement(sql);
    const r = Array.isArray(params) ? st.run(...params) : st.run(params);
    return { changes: r.changes, lastId: Number(r.lastInsertRowid) };
  }

  async exec(sql: string): Promise<void> {
    this.native.exec(sql);
  }

  async *iterate<T>(sql: string, params: Params = []): AsyncIterable<T> {
    // A statement of its own: a cached one may be wanted again while this one is still being read.
    const st = this.native.prepare(sql);
    yield* (Array.isArray(params) ? st.iterate(...params) : st.iterate(params)) as IterableIterator<T>;
  }

  get inTransaction(): boolean {
    return this.currentTx() !== undefined;
  }

  /** The transaction of this connection that the calling work runs in, if any. */
  private currentTx(): Tx | undefined {
    return currentTx(this);
  }

  /** Runs `fn` inside `tx` of this connection (the transactions of other connections it runs in stay as they are). */
  private within<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
    return within(this, tx, fn);
  }

  write<T>(fn: () => Promise<T>): Promise<T> {
    return this.transaction("BEGIN IMMEDIATE", fn);
  }

  async read<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn();
    const release = await this.turn();
    try {
      this.native.exec("BEGIN DEFERRED");
      return await this.within({ savepoints: 0 }, fn);
    } finally {
      // Nothing was written, so ending it either way is the same; SQLite may already have ended it itself
      // after an error such as a damaged page, which the caller reports.
      if (this.native.inTransaction) this.native.exec("ROLLBACK");
      release();
    }
  }

  /** `before`: run once the turn is ours, just before BEGIN (a pragma SQLite takes only outside a transaction). */
  async hold(before?: () => void): Promise<HeldTransaction> {
    const release = await this.writeTurn();
    try {
      before?.();
      this.native.exec("BEGIN IMMEDIATE");
    } catch (e) {
      release();
      throw e;
    }
    const ctx: Tx = { savepoints: 0 };
    let open = true;
    const end = (sql: string) => {
      if (!open) return;
      open = false;
      try {
        if (this.native.inTransaction) this.native.exec(sql);
      } finally {
        release();
      }
    };
    return {
      run: (fn) => this.within(ctx, fn),
      commit: async () => {
        try {
          this.native.exec("COMMIT");
        } catch (e) {
          end("ROLLBACK");
          throw e;
        }
        open = false;
        release();
      },
      rollback: async () => end("ROLLBACK"),
    };
  }

  close(): void {
    if (this.native.open) this.native.close();
  }

  private async transaction<T>(begin: string, fn: () => Promise<T>): Promise<T> {
    const outer = this.currentTx();
    if (outer) {
      // A write inside a write (or a read): a savepoint, so that a failing inner part can be caught alone.
      const name = `avvik_${++outer.savepoints}`;
      this.native.exec(`SAVEPOINT ${name}`);
      try {
        const r = await fn();
        this.native.exec(`RELEASE ${name}`);
        return r;
      } catch (e) {
        if (this.native.inTransaction) this.native.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
        throw e;
      }
    }
    const release = begin === "BEGIN IMMEDIATE" ? await this.writeTurn() : await this.turn();
    try {
      if (begin === "BEGIN IMMEDIATE") this.beforeWrite?.();
      this.native.exec(begin);
      try {
        const r = await this.within({ savepoints: 0 }, fn);
        this.native.exec("COMMIT");
        return r;
      } catch (e) {
        if (this.native.inTransaction) this.native.exec("ROLLBACK");
        throw e;
      }
    } finally {
      release();
    }
  }

  /** Waits until no other transaction on this connection is open; the returned function ends the turn. */
  private turn(): Promise<() => void> {
    return turnAfter(this.queue, (next) => (this.queue = next));
  }

  /** The turn on this connection, then the write turn of this process on the database file. */
  private async writeTurn(): Promise<() => void> {
    const mine = await this.turn();
    const file = this.native.name;
    let done: () => void;
    try {
      done = await turnAfter(writers.get(file) ?? Promise.resolve(), (next) => writers.set(file, next));
    } catch (e) {
      mine();
      throw e;
    }
    return () => {
      done();
      mine();
    };
  }
}
