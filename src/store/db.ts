import Database from "better-sqlite3";
import { FailedError } from "../core/errors.js";
import { KEY_CHECK, keyCheckOf, loadKeyFile, type FieldCipher } from "./crypto.js";
import { MIGRATIONS, type MigrationContext } from "./migrations/index.js";

export type Db = Database.Database;

export const DB_FILE = "avvik.db";

/**
 * Opens the database with the pragmas the whole tool relies on and applies pending migrations; `keyFile` is the
 * register's key, for a migration that seals stored personal data again (loaded only then).
 */
export function openDatabase(file: string, keyFile?: string): Db {
  const db = new Database(file);
  db.pragma("busy_timeout = 15000");
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("synchronous = NORMAL");
  // Statement journals and sorts in memory: as temporary files they cost a write per page a statement touches.
  db.pragma("temp_store = MEMORY");
  try {
    migrate(db, keyFile);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** The key for a migration, checked against the register's key check when it has one (else the data checks it). */
function migrationContext(db: Db, keyFile: string | undefined): MigrationContext {
  let cipher: FieldCipher | undefined;
  return {
    cipher() {
      if (cipher) return cipher;
      if (!keyFile) throw new Error("migration needs the register's key");
      const loaded = loadKeyFile(keyFile);
      const check = db.prepare("SELECT value FROM settings WHERE key = ?").pluck().get(KEY_CHECK) as string | undefined;
      if (check !== undefined && keyCheckOf(loaded) !== check) throw new FailedError("error.keyWrong", { file: keyFile });
      return (cipher = loaded);
    },
  };
}

export function migrate(db: Db, keyFile?: string): void {
  const ctx = migrationContext(db, keyFile);
  const current = db.pragma("user_version", { simple: true }) as number;
  const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  if (current > latest) throw new Error(`database schema ${current} is newer than this avvik (${latest})`);
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      // Another process may have applied it while we waited for the write lock.
      const now = db.pragma("user_version", { simple: true }) as number;
      if (now >= m.version) return;
      m.up(db, ctx);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
