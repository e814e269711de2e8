// The SQL executor over PostgreSQL (node-postgres, `pg`): the register's second engine, selected by a
// postgres:// URL (AVVIK_DATABASE_URL or `database.url` in config.json).
//
// One connection per store, used as sqlite.ts uses its one: one transaction at a time on it (AsyncLocalStorage,
// a `write` inside a `write` is a savepoint), statements outside a transaction in autocommit. Across processes
// and hosts a write transaction takes one transaction-level advisory lock before its first statement: writers
// of one register take turns as they do on SQLite (BEGIN IMMEDIATE), so what a write reads and decides under
// that lock (the next diary number, the audit chain's head, `max(id)`) stays true until it commits. Readers
// never wait for it: `read` is a REPEATABLE READ, READ ONLY snapshot.
//
// SQL is written once for both engines: `?` and `@name` placeholders become `$n` here (outside string
// literals, quoted identifiers and comments), and a column alias in camel case is quoted so that PostgreSQL
// keeps its case (`AS onTime` stays `onTime`, not `ontime`), as SQLite does.

import type { Client, ClientConfig, QueryResult } from "pg";
import { setTimeout as delay } from "node:timers/promises";
import { FailedError, PrivilegeError } from "../core/errors.js";
import type { Dialect, HeldTransaction, Params, RunResult, Sql, WriteOptions } from "./sql.js";
import { currentTx, turnAfter, within, type Tx } from "./transactions.js";

const POSTGRES: Dialect = {
  groupConcat: (expr, separator) => `string_agg(CAST(${expr} AS text), ${separator})`,
  jsonObject: (pairs) => `json_build_object(${pairs})`,
  json: (expr) => `CAST(${expr} AS json)`,
  jsonArray: (element, orderBy) => `COALESCE(json_agg(${element} ORDER BY ${orderBy}), CAST('[]' AS json))`,
  // node-postgres parses json itself; written again compactly, in the same key order, as SQLite writes it.
  jsonResult: (value) => (typeof value === "string" ? value : JSON.stringify(value)),
  daysBetween: (from, to) => `(CAST(CAST(${to} AS text) AS date) - CAST(CAST(${from} AS text) AS date))`,
  addDays: (date, days) => `CAST(CAST(CAST(${date} AS text) AS date) + CAST(${days} AS integer) AS text)`,
  contains: (haystack, needle) => `strpos(${haystack}, ${needle}) > 0`,
  indexedBy: () => "",
  jsonInteger: (json, key) => `(CASE WHEN jsonb_typeof(CAST(${json} AS jsonb) -> '${key}') = 'number' THEN CAST(CAST(${json} AS jsonb) ->> '${key}' AS bigint) END)`,
  jsonText: (json, key) => `(CAST(${json} AS jsonb) ->> '${key}')`,
};

/** The key of the advisory lock every write transaction of a register takes (any constant the tool owns). */
export const WRITE_LOCK = 0x61767669; // "avvi"
/** How long a write waits for the write lock before it looks again whether an import holds it. */
const LOCK_SLICE_MS = 1000;

interface Translated {
  text: string;
  /** Positional: the `?` count. Named: the names in order of their first use (`$n` per distinct name). */
  names: string[] | undefined;
  count: number;
}

const translations = new Map<string, Translated>();

/** `?`/`@name` to `$n`, and camel-case aliases quoted; cached by text. */
export function translate(sql: string): Translated {
  let t = translations.get(sql);
  if (t) return t;
  let out = "";
  let count = 0;
  const names: string[] = [];
  let named = false;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      // A literal or a quoted identifier: copied as it is ('' and "" are the escapes of both engines).
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === "-" && sql[i + 1] === "-") {
      const j = sql.indexOf("\n", i);
      const end = j < 0 ? sql.length : j;
      out += sql.slice(i, end);
      i = end;
    } else if (c === "?") {
      out += `$${++count}`;
      i++;
    } else if (c === "@" && /[A-Za-z_]/.test(sql[i + 1] ?? "")) {
      const m = /^@([A-Za-z_]\w*)/.exec(sql.slice(i))!;
      named = true;
      let n = names.indexOf(m[1]!);
      if (n < 0) n = names.push(m[1]!) - 1;
      out += `$${n + 1}`;
      i += m[0].length;
    } else if ((c === "A" || c === "a") && /^as\s+[a-z_]\w*[A-Z]\w*\b/i.test(sql.slice(i, i + 80)) && !/\w/.test(sql[i - 1] ?? "")) {
      const m = /^(as\s+)([a-z_]\w*)/i.exec(sql.slice(i))!;
      out += /[A-Z]/.test(m[2]!) ? `${m[1]}"${m[2]}"` : m[0];
      i += m[0].length;
    } else {
      out += c;
      i++;
    }
  }
  if (named && count > 0) throw new Error("SQL mixes ? and @name placeholders");
  t = { text: out, names: named ? names : undefined, count: named ? names.length : count };
  translations.set(sql, t);
  return t;
}

/** The values of a statement in `$n` order; undefined is NULL, as better-sqlite3 takes it. */
function values(t: Translated, params: Params): unknown[] {
  const value = (v: unknown) => (v === undefined ? null : typeof v === "boolean" ? (v ? 1 : 0) : v);
  if (t.names) {
    const named = params as Readonly<Record<string, unknown>>;
    return t.names.map((n) => {
      if (!(n in named)) throw new Error(`missing SQL parameter @${n}`);
      return value(named[n]);
    });
  }
  if (t.count === 0) return [];
  const list = params as readonly unknown[];
  if (list.length !== t.count) throw new Error(`SQL expects ${t.count} parameters, given ${list.length}`);
  return list.map(value);
}

/** Type parsers of the connection: counts and sums (int8, numeric) as numbers, as SQLite gives them. */
const NUMERIC_TYPES = new Set([20, 1700]);

export type PgTypes = NonNullable<ClientConfig["types"]>;

export function numberTypes(base: PgTypes): PgTypes {
  return {
    getTypeParser: ((oid: number, format?: string) =>
      NUMERIC_TYPES.has(oid) && format !== "binary" ? (v: string) => Number(v) : base.getTypeParser(oid, format as "text")) as PgTypes["getTypeParser"],
  };
}

/**
 * What went wrong with a statement that running the transaction again may cure: `conflict`, the server broke a
 * deadlock (40P01) or a serialisation failure (40001); `lost`, the connection ended (the server restarted or
 * ended the session, 57P01–57P03, a class 08 error, the network).
 */
export function transientKind(e: unknown): "conflict" | "lost" | undefined {
  const code = String((e as { code?: unknown })?.code ?? "");
  if (code === "40001" || code === "40P01") return "conflict";
  if (/^(57P0[123]|08...)$/.test(code) || ["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNREFUSED"].includes(code)) return "lost";
  const message = e instanceof Error ? e.message : "";
  if (/^(Connection terminated|Client has encountered a connection error|Client was closed)/.test(message)) return "lost";
  return undefined;
}

/** How many times a write marked `retry` runs at most when the server breaks it (conflict or lost connection). */
export const WRITE_TRIES = 4;

/** The one line a transient failure ends in (the database's own words with --debug). */
function failure(kind: "conflict" | "lost" | "commit", e: unknown, tries: number): FailedError {
  const reason = (e instanceof Error ? e.message : String(e)).slice(0, 200);
  const code = String((e as { code?: unknown })?.code ?? "");
  const err =
    kind === "conflict"
      ? new FailedError("error.databaseConflict", { code, tries })
      : kind === "lost"
        ? new FailedError("error.databaseLost", { reason })
        : new FailedError("error.databaseCommitUnknown", { reason });
  return Object.assign(err, { cause: e });
}

export class PostgresSql implements Sql {
  readonly engine = "postgres" as const;
  readonly dialect = POSTGRES;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  /** Set when the connection ended under us: the next transaction (or statement outside one) connects again. */
  private lost = false;
  /** Session-level advisory locks held (two int4 keys each): taken again on a new connection. */
  private readonly sessionLocks = new Map<string, [number, number]>();

  /** Runs before each write transaction begins (the turn is ours, no transaction is open); may refuse it. */
  beforeWrite: (() => Promise<void> | void) | undefined;
  /**
   * Runs inside a write transaction that found the write lock taken by another session, before it waits for
   * it; may refuse the write (then it is rolled back): a registrar is told at once that an import holds it.
   */
  whenLockTaken: (() => Promise<void>) | undefined;

  constructor(
    private client: Client,
    /** A new connection like the first one (after the first one was lost). */
    private readonly reconnect?: () => Promise<Client>,
  ) {
    this.watch(client);
  }

  /** The connection now (a new one after a lost one). */
  get native(): Client {
    return this.client;
  }

  /** An ended connection emits "error" when idle: noted (a listener must exist, or the process would crash). */
  private watch(client: Client): void {
    client.on("error", () => {
      if (client === this.client) this.lost = true;
    });
    client.on("end", () => {
      if (client === this.client && !this.closed) this.lost = true;
    });
  }

  /** After a lost connection, outside any transaction: a new one, with this session's advisory locks again. */
  private async connectAgain(): Promise<void> {
    if (!this.lost || this.closed || !this.reconnect) return;
    const old = this.client;
    this.client = await this.reconnect();
    this.lost = false;
    this.watch(this.client);
    old.end().catch(() => undefined);
    for (const [k1, k2] of this.sessionLocks.values()) await this.client.query("SELECT pg_advisory_lock($1, $2)", [k1, k2]);
  }

  /** Takes a session-level advisory lock (held until `sessionUnlock` or the session ends; taken again after a reconnect). */
  async sessionLock(k1: number, k2: number): Promise<void> {
    this.sessionLocks.set(`${k1}:${k2}`, [k1, k2]);
    await this.get("SELECT pg_advisory_lock(?, ?)", [k1, k2]);
  }

  async sessionUnlock(k1: number, k2: number): Promise<void> {
    this.sessionLocks.delete(`${k1}:${k2}`);
    await this.get("SELECT pg_advisory_unlock(?, ?)", [k1, k2]);
  }

  private async query(sql: string, params: Params): Promise<QueryResult> {
    const t = translate(sql);
    const inside = this.inTransaction;
    try {
      if (!inside) await this.connectAgain();
      return await this.native.query({ text: t.text, values: values(t, params) });
    } catch (e) {
      // Inside a transaction the transaction's end decides (write: retry or one line); outside, one line now.
      if (!inside) {
        const kind = transientKind(e);
        if (kind) {
          if (kind === "lost") this.lost = true;
          throw failure(kind, e, 1);
        }
      }
      throw this.refused(e);
    }
  }

  /** PostgreSQL's insufficient_privilege (42501) as the refusal of the role logged in; anything else as it is. */
  private refused(e: unknown): unknown {
    return (e as { code?: unknown }).code === "42501" ? new PrivilegeError(this.native.user ?? "?", (e as Error).message) : e;
  }

  async all<T>(sql: string, params: Params = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: Params = []): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: Params = []): Promise<RunResult> {
    const r = await this.query(sql, params);
    const first = r.rows[0] as { id?: unknown } | undefined;
    return { changes: r.rowCount ?? 0, lastId: first?.id === undefined ? undefined : Number(first.id) };
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.native.query(sql);
    } catch (e) {
      throw this.refused(e);
    }
  }

  async *iterate<T>(sql: string, params: Params = []): AsyncIterable<T> {
    // In batches through a cursor of a transaction of its own (or the one open): memory stays flat.
    const t = translate(sql);
    const batch = 500;
    const inside = this.inTransaction;
    const release = inside ? undefined : await this.turn();
    const cursor = `avvik_cursor_${Math.random().toString(36).slice(2)}`;
    try {
      if (!inside) await this.native.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      await this.native.query({ text: `DECLARE ${cursor} NO SCROLL CURSOR FOR ${t.text}`, values: values(t, params) });
      // The next batch is asked for before this one is handed out: the server makes it while the caller works
      // through this one (a case list spent as long waiting for the server as working, one after the other).
      let next: Promise<QueryResult> | undefined = this.native.query(`FETCH ${batch} FROM ${cursor}`);
      try {
        while (next) {
          const r: QueryResult = await next;
          next = r.rows.length < batch ? undefined : this.native.query(`FETCH ${batch} FROM ${cursor}`);
          for (const row of r.rows) yield row as T;
        }
      } finally {
        // A caller that stops early leaves the batch asked for last: it is awaited (or its failure dropped).
        if (next) await next.catch(() => undefined);
      }
      await this.native.query(`CLOSE ${cursor}`);
    } finally {
      if (!inside) {
        await this.native.query("ROLLBACK").catch(() => undefined);
        release!();
      }
    }
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

  /**
   * One write transaction. Writers of the register take turns (the advisory lock), so two of the tool's writes
   * never conflict; an outside session (an administrator's psql) holding row locks can still make the server
   * break a deadlock (40P01), and the connection can be lost. Marked `retry` (`fn` touches nothing outside the
   * database and may run again from the start), the transaction is run again, up to WRITE_TRIES times with a
   * growing pause; else, or at the last try, it ends in one line. A connection lost while COMMIT was under way
   * is never retried: the change may have been recorded.
   */
  async write<T>(fn: () => Promise<T>, options: WriteOptions = {}): Promise<T> {
    const outer = this.currentTx();
    if (outer) return this.savepoint(outer, fn);
    for (let tries = 1; ; tries++) {
      const release = await this.turn();
      let committing = false;
      try {
        await this.connectAgain();
        await this.beforeWrite?.();
        await this.beginWrite();
        try {
          const r = await this.within({ savepoints: 0 }, fn);
          committing = true;
          await this.native.query("COMMIT");
          return r;
        } catch (e) {
          if (!committing || !transientKind(e)) await this.native.query("ROLLBACK").catch(() => undefined);
          throw e;
        }
      } catch (e) {
        const kind = transientKind(e);
        if (!kind) throw e;
        if (kind === "lost") this.lost = true;
        if (kind === "lost" && committing) throw failure("commit", e, tries);
        if (!options.retry || tries >= WRITE_TRIES || this.closed) throw failure(kind, e, tries);
      } finally {
        release();
      }
      await delay(25 * 4 ** (tries - 1) * (1 + Math.random()));
    }
  }

  async read<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn();
    const release = await this.turn();
    try {
      await this.connectAgain();
      await this.native.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      return await this.within({ savepoints: 0 }, fn);
    } catch (e) {
      const kind = transientKind(e);
      if (!kind) throw e;
      if (kind === "lost") this.lost = true;
      throw failure(kind, e, 1);
    } finally {
      await this.native.query("ROLLBACK").catch(() => undefined);
      release();
    }
  }

  async hold(): Promise<HeldTransaction> {
    const release = await this.turn();
    try {
      await this.beforeWrite?.();
      await this.beginWrite();
    } catch (e) {
      await this.native.query("ROLLBACK").catch(() => undefined);
      release();
      throw e;
    }
    const ctx: Tx = { savepoints: 0 };
    let open = true;
    const end = async (sql: string) => {
      if (!open) return;
      open = false;
      try {
        await this.native.query(sql);
      } catch (e) {
        if (sql === "COMMIT") await this.native.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        release();
      }
    };
    return { run: (fn) => this.within(ctx, fn), commit: () => end("COMMIT"), rollback: () => end("ROLLBACK") };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Ends once the queries queued on the connection have run.
    this.native.end().catch(() => undefined);
  }

  /** Waits until this connection's transaction is closed (and the connection is done with it). */
  async end(): Promise<void> {
    this.closed = true;
    await this.native.end();
  }

  private async beginWrite(): Promise<void> {
    // READ COMMITTED whatever the server's default_transaction_isolation: under the write lock every statement
    // sees what the writers before committed, and no write fails to serialise against another of the tool's.
    if (!this.whenLockTaken) {
      await this.native.query("BEGIN ISOLATION LEVEL READ COMMITTED");
      await this.native.query(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
      return;
    }
    // Taken by another session: `whenLockTaken` may refuse (an import holds it); else wait for it a second at a
    // time, looking again in between (an import that has just taken the lock says so a moment later).
    for (;;) {
      await this.native.query("BEGIN ISOLATION LEVEL READ COMMITTED");
      try {
        const r = await this.native.query<{ got: boolean }>(`SELECT pg_try_advisory_xact_lock(${WRITE_LOCK}) AS got`);
        if (r.rows[0]?.got) return;
        await this.whenLockTaken();
        await this.native.query(`SET LOCAL lock_timeout = '${LOCK_SLICE_MS}ms'`);
        await this.native.query(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
        await this.native.query("SET LOCAL lock_timeout TO DEFAULT");
        return;
      } catch (e) {
        await this.native.query("ROLLBACK").catch(() => undefined);
        if ((e as { code?: unknown }).code !== "55P03") throw e; // lock_not_available: the slice is over
      }
    }
  }

  private async savepoint<T>(outer: Tx, fn: () => Promise<T>): Promise<T> {
    const name = `avvik_${++outer.savepoints}`;
    await this.native.query(`SAVEPOINT ${name}`);
    try {
      const r = await fn();
      await this.native.query(`RELEASE SAVEPOINT ${name}`);
      return r;
    } catch (e) {
      await this.native.query(`ROLLBACK TO SAVEPOINT ${name}`);
      await this.native.query(`RELEASE SAVEPOINT ${name}`);
      throw e;
    }
  }

  private turn(): Promise<() => void> {
    return turnAfter(this.queue, (next) => (this.queue = next));
  }
}

/** A database URL as it may be shown: without its password. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "****";
    return u.toString();
  } catch {
    return "postgres://…";
  }
}

interface PgPassInfo {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
}

/** The password ~/.pgpass (PGPASSFILE) gives for a connection, if any (the file must be 0600, as for libpq). */
async function pgpassPassword(info: PgPassInfo): Promise<string | undefined> {
  const pgpass = ((await import("pgpass")) as { default: (info: PgPassInfo, cb: (password: string | undefined) => void) => void }).default;
  return new Promise((resolve) => pgpass(info, resolve));
}

async function openClient(url: string): Promise<Client> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: url, types: numberTypes(pg.types) });
  // No password in the URL nor in PGPASSWORD: the one of ~/.pgpass (or PGPASSFILE), asked for only when the
  // server wants one, read here rather than by node-postgres, whose own reading prints a deprecation warning.
  const native = client as unknown as { password: unknown; connectionParameters: PgPassInfo };
  if (native.password === null || native.password === undefined) native.password = async () => (await pgpassPassword(native.connectionParameters)) ?? "";
  await client.connect();
  // Timestamps are the tool's own local text (as on SQLite); the session's time zone never enters a value.
  await client.query("SET client_min_messages = warning");
  return client;
}

/** A connection to the register at `url` (postgres://…; TLS through `sslmode` and the other URL options). */
export async function connectPostgres(url: string): Promise<PostgresSql> {
  return new PostgresSql(await openClient(url), () => openClient(url));
}
