// Read-only inspection of a data directory for `avvik doctor`: nothing is created, migrated or changed.

import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DB_FILE } from "./db.js";
import { loadKeyFile } from "./crypto.js";
import { MIGRATIONS } from "./migrations/index.js";

export { shownUrl } from "./postgres.js";

export interface DatabaseHealth {
  exists: boolean;
  /** The error that stopped opening or reading it (corrupt file, not a database). */
  error?: string;
  quickCheck?: string;
  version?: number;
  latest: number;
  initialised?: boolean;
  cases?: number;
  /** E-mail messages that failed for good (status `failed`, waiting for `avvik outbox retry`). */
  mailFailed?: number;
  /** One encrypted personnummer, to test the key against (none when no person is stored). */
  sampleEncrypted?: Buffer;
  /** On PostgreSQL: whether this connection is encrypted (TLS), and the server's host. */
  tls?: boolean;
  host?: string;
}

/**
 * The register on PostgreSQL, read only (nothing is migrated or changed): the connection, the schema version,
 * whether it is initialised, the counts doctor reports, a sample to try the key on, and TLS.
 */
export async function inspectPostgres(url: string): Promise<DatabaseHealth> {
  const h: DatabaseHealth = { exists: true, latest: LATEST_SCHEMA, quickCheck: "ok" };
  const { connectPostgres } = await import("./postgres.js");
  const { schemaVersion } = await import("./migrations/postgres/index.js");
  let db: Awaited<ReturnType<typeof connectPostgres>> | undefined;
  try {
    h.host = new URL(url).hostname;
    db = await connectPostgres(url);
    h.tls = (await db.get<{ ssl: boolean }>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))?.ssl === true;
    h.version = await schemaVersion(db);
    if (h.version > 0) {
      h.initialised = (await db.get("SELECT 1 AS x FROM settings WHERE key = 'org_id'")) !== undefined;
      h.cases = (await db.get<{ n: number }>("SELECT count(*) AS n FROM cases"))!.n;
      h.mailFailed = (await db.get<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE status = 'failed'"))!.n;
      h.sampleEncrypted = (await db.get<{ sealed: Buffer }>("SELECT sealed FROM persons WHERE sealed IS NOT NULL LIMIT 1"))?.sealed;
    }
  } catch (e) {
    h.error = e instanceof Error ? e.message.split("\n")[0]! : String(e);
  } finally {
    await db?.end().catch(() => undefined);
  }
  return h;
}

export function databaseFile(home: string): string {
  return join(home, DB_FILE);
}

export const LATEST_SCHEMA = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export function inspectDatabase(file: string): DatabaseHealth {
  const h: DatabaseHealth = { exists: existsSync(file), latest: LATEST_SCHEMA };
  if (!h.exists) return h;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    const rows = db.pragma("quick_check") as Array<{ quick_check: string }>;
    h.quickCheck = rows.map((r) => r.quick_check).join("; ");
    h.version = db.pragma("user_version", { simple: true }) as number;
    const hasTable = (name: string) => db!.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    if (hasTable("settings")) h.initialised = db.prepare("SELECT 1 FROM settings WHERE key = 'org_id'").get() !== undefined;
    if (hasTable("cases")) h.cases = (db.prepare("SELECT count(*) AS n FROM cases").get() as { n: number }).n;
    if (hasTable("outbox")) h.mailFailed = (db.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'failed'").get() as { n: number }).n;
    if (hasTable("persons")) {
      // Before migration 18 a person's number was sealed alone in pnr_enc; since, with the name in `sealed`.
      const column = (db.prepare("SELECT name FROM pragma_table_info('persons') WHERE name IN ('sealed', 'pnr_enc')").pluck().get() as string | undefined) ?? "sealed";
      h.sampleEncrypted = db.prepare(`SELECT ${column} FROM persons WHERE ${column} IS NOT NULL LIMIT 1`).pluck().get() as Buffer | undefined;
    }
  } catch (e) {
    h.error = e instanceof Error ? e.message.split("\n")[0]! : String(e);
  } finally {
    db?.close();
  }
  return h;
}

/** Loads the key and, when a sample is given, decrypts it; returns the problem or undefined when all is well. */
export function tryKey(file: string, sample: Buffer | undefined): "invalid" | "wrong" | undefined {
  let cipher;
  try {
    cipher = loadKeyFile(file);
  } catch {
    return "invalid";
  }
  if (!sample) return undefined;
  try {
    cipher.decrypt(sample);
    return undefined;
  } catch {
    return "wrong";
  }
}

/** The diary numbers of cases not yet closed, newest first (for shell completion). */
export function openDiaryNumbers(file: string, limit = 500): string[] {
  if (!existsSync(file)) return [];
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return db.prepare("SELECT diary_number FROM cases WHERE diary_number IS NOT NULL AND status <> 'closed' ORDER BY id DESC LIMIT ?").pluck().all(limit) as string[];
  } catch {
    return [];
  } finally {
    db?.close();
  }
}

/** Organisation ids of the directory (for shell completion). */
export function orgIds(file: string): string[] {
  if (!existsSync(file)) return [];
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return db.prepare("SELECT id FROM orgs ORDER BY id").pluck().all() as string[];
  } catch {
    return [];
  } finally {
    db?.close();
  }
}
