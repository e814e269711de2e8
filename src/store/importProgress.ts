// What a running import tells the registrars who wait for it. An import holds the register's write lock from
// its first batch to its commit (all or nothing); meanwhile it publishes how far it has come in a small file in
// the data directory, `import-progress.json` (process id, share done, estimated seconds left; no personal data,
// no file name), written to a temporary file and renamed, so a reader never sees half of it. A writer that finds
// it (Store.write) says at once that the register is busy with an import, how far it is and about when to try
// again, instead of waiting for the lock's timeout; `case new` on a terminal waits with a spinner instead. The
// file is removed when the import ends; one left behind by a killed import names a process that no longer runs
// (or the lock is free), and is ignored.
//
// On PostgreSQL the registrars are on other machines: there the progress is the importing session's
// `application_name` ("avvik import <per mille> <rows> <end>", the end in the server's epoch seconds), set on
// the import's own connection as it goes. Every session of the server can read it in pg_stat_activity, whatever
// its role; it needs no table and no second connection, and an import that is killed leaves nothing behind (its
// session is gone, and with it the lock). A writer that finds the write lock taken (it tries without waiting
// first) looks there, and is refused at once when it is an import.

import type Database from "better-sqlite3";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RefusedError } from "../core/errors.js";
import type { PostgresSql } from "./postgres.js";

export const PROGRESS_FILE = "import-progress.json";

export interface ImportProgress {
  pid: number;
  /** When the import took the lock (ms since the epoch). */
  startedAt: number;
  /** Rows read so far and the share of the file read (0–1). */
  rows: number;
  done: number;
  /** Estimated seconds until the import commits and the lock is free, as of `writtenAt` (ms since the epoch). */
  secondsLeft: number;
  writtenAt: number;
}

/** What an import tells the register's other writers as it goes. */
export interface ProgressPublishing {
  /**
   * `done` is the share of the file read; `tail` an estimate of the seconds the import needs after the last row
   * (building indexes, committing), added to the time left. At most every so often, unless `force`.
   */
  update(rows: number, done: number, tail?: number, force?: boolean): void;
  /** The import has ended (committed or not). */
  clear(): void;
}

/** The estimate both engines publish, at most every `everyMs` (unless forced); `publish` says it where it is read. */
abstract class Publisher implements ProgressPublishing {
  private last = 0;
  private readonly startedAt = Date.now();

  constructor(private readonly everyMs: number) {}

  update(rows: number, done: number, tail = 0, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < this.everyMs) return;
    this.last = now;
    const share = Math.min(1, Math.max(0, done));
    const secondsLeft = Math.max(0, Math.round((share > 0.01 ? ((now - this.startedAt) / 1000) * ((1 - share) / share) : 60) + tail));
    this.publish({ pid: process.pid, startedAt: this.startedAt, rows, done: Math.round(share * 1000) / 1000, secondsLeft, writtenAt: now });
  }

  protected abstract publish(p: ImportProgress): void;
  abstract clear(): void;
}

/** SQLite: publishes the progress of this process's import in the data directory. */
export class ProgressPublisher extends Publisher {
  private readonly file: string;
  private readonly temp: string;

  constructor(home: string, everyMs = 200) {
    super(everyMs);
    this.file = join(home, PROGRESS_FILE);
    this.temp = join(home, `.${PROGRESS_FILE}.${process.pid}.tmp`);
  }

  protected publish(p: ImportProgress): void {
    try {
      writeFileSync(this.temp, JSON.stringify(p), { mode: 0o600 });
      renameSync(this.temp, this.file);
    } catch {
      // Progress is a courtesy to waiting registrars: an import never fails for it.
    }
  }

  clear(): void {
    rmSync(this.temp, { force: true });
    try {
      const p = JSON.parse(readFileSync(this.file, "utf8")) as Partial<ImportProgress>;
      if (p.pid !== process.pid) return; // another import's (a second one waits for the lock, it never runs beside)
    } catch {
      return;
    }
    rmSync(this.file, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** What a registrar is told of a running import: how far it is (never 100 % while it holds the lock), and the seconds left. */
export function busyFigures(p: ImportProgress): { percent: number; seconds: number } {
  return { percent: Math.min(99, Math.floor(p.done * 100)), seconds: p.secondsLeft };
}

/** The import running in another process on this register, if any. */
export function importInProgress(home: string): ImportProgress | null {
  let p: Partial<ImportProgress>;
  try {
    p = JSON.parse(readFileSync(join(home, PROGRESS_FILE), "utf8")) as Partial<ImportProgress>;
  } catch {
    return null;
  }
  if (typeof p.pid !== "number" || p.pid === process.pid || !alive(p.pid)) return null;
  if (typeof p.done !== "number" || typeof p.secondsLeft !== "number" || typeof p.writtenAt !== "number") return null;
  // The estimate as of now (the file may not have been rewritten while the import builds its indexes).
  const since = Math.max(0, (Date.now() - p.writtenAt) / 1000);
  return { pid: p.pid, startedAt: p.startedAt ?? 0, rows: p.rows ?? 0, done: p.done, secondsLeft: Math.max(1, Math.round(p.secondsLeft - since)), writtenAt: p.writtenAt };
}

/**
 * Refuses a write while another process's import holds the register's write lock: at once, saying how far the
 * import is and about when to try again, rather than after the lock's timeout. Only when an import has published
 * its progress and the lock is really taken (a probe that does not wait).
 */
export function assertNoImportRunning(db: Database.Database, home: string): void {
  const p = importInProgress(home);
  if (!p) return;
  const timeout = db.pragma("busy_timeout", { simple: true }) as number;
  db.pragma("busy_timeout = 0");
  try {
    db.exec("BEGIN IMMEDIATE");
    db.exec("ROLLBACK");
  } catch (e) {
    if ((e as { code?: string }).code === "SQLITE_BUSY") {
      throw new RefusedError("error.importBusy", busyFigures(p));
    }
    throw e;
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

/** The start of the importing session's application_name on PostgreSQL, and the whole of it: per mille, rows, end. */
const PG_PROGRESS = "avvik import ";
const PG_PROGRESS_TEXT = new RegExp(`^${PG_PROGRESS}(\\d+) (\\d+) (\\d+)$`);

/**
 * PostgreSQL: publishes the progress of this process's import as its session's application_name, set on the
 * import's connection inside its transaction (a rollback sets it back by itself); at most every `everyMs`.
 * Between batches the connection is idle; a statement sent while a batch is still being copied waits its turn.
 */
export class PgProgressPublisher extends Publisher {
  constructor(
    private readonly sql: PostgresSql,
    everyMs = 200,
  ) {
    super(everyMs);
  }

  protected publish(p: ImportProgress): void {
    // The end in the server's clock: a registrar's machine compares it with the same clock.
    this.sql.native
      .query("SELECT set_config('application_name', $1 || CAST(CAST(extract(epoch FROM clock_timestamp()) AS bigint) + $2 AS text), false)", [
        `${PG_PROGRESS}${Math.round(p.done * 1000)} ${p.rows} `,
        p.secondsLeft,
      ])
      .catch(() => undefined); // a courtesy to waiting registrars: an import never fails for it
  }

  clear(): void {
    this.sql.native.query("RESET application_name").catch(() => undefined);
  }
}

/** The import another session is running on this PostgreSQL register, if any (pg_stat_activity). */
export async function pgImportInProgress(sql: PostgresSql): Promise<ImportProgress | null> {
  const row = await sql.get<{ name: string; pid: number; now: number; started: number | null }>(
    `SELECT application_name AS name, pid, CAST(extract(epoch FROM clock_timestamp()) AS double precision) AS now,
            CAST(extract(epoch FROM xact_start) AS double precision) AS started
       FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE '${PG_PROGRESS}%'
      ORDER BY backend_start LIMIT 1`,
  );
  const m = row ? PG_PROGRESS_TEXT.exec(row.name) : null;
  if (!row || !m) return null;
  const now = Number(row.now);
  return {
    pid: row.pid,
    startedAt: row.started === null ? 0 : Math.round(Number(row.started) * 1000),
    rows: Number(m[2]),
    done: Number(m[1]) / 1000,
    secondsLeft: Math.max(1, Math.round(Number(m[3]) - now)),
    writtenAt: Math.round(now * 1000),
  };
}

/** PostgreSQL: called when a write finds the write lock taken; refuses at once when an import holds it. */
export async function assertNoPgImportRunning(sql: PostgresSql): Promise<void> {
  const p = await pgImportInProgress(sql);
  if (p) throw new RefusedError("error.importBusy", busyFigures(p));
}
