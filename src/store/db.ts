import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations/index.js";

export type Db = Database.Database;

export const DB_FILE = "avvik.db";

/** Opens the database with the pragmas the whole tool relies on and applies pending migrations. */
export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma("busy_timeout = 15000");
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("synchronous = NORMAL");
  // Statement journals and sorts in memory: as temporary files they cost a write per page a statement touches.
  db.pragma("temp_store = MEMORY");
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  if (current > latest) throw new Error(`database schema ${current} is newer than this avvik (${latest})`);
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      // Another process may have applied it while we waited for the write lock.
      const now = db.pragma("user_version", { simple: true }) as number;
      if (now >= m.version) return;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
