// The PostgreSQL schema's versions, numbered as SQLite's (src/store/migrations/index.ts): a register on either
// engine at version N has the same tables and columns. A new register gets the baseline (SQLite's schema at
// its version); every later SQLite migration gets its PostgreSQL counterpart here with the same number.
// The version is the one row of `schema_version` (SQLite keeps it in PRAGMA user_version).

import type { PostgresSql } from "../../postgres.js";
import { STATS_PER_STATEMENT } from "./021_stats_per_statement.js";
import { BASELINE, BASELINE_VERSION } from "./baseline.js";

export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

/**
 * 020: stored files' bytes (as stored: encrypted when the file may hold personal data) in the database, one
 * row per file of `files`, so that every registrar sharing the register reads them (SQLite keeps them in the
 * data directory: its 020 changes nothing). Out of line and uncompressed: PDFs are compressed already and
 * encrypted bytes do not compress.
 */
const FILE_CONTENTS = `
CREATE TABLE file_contents (
  hash TEXT PRIMARY KEY REFERENCES files(hash),
  data BYTEA NOT NULL
);
ALTER TABLE file_contents ALTER COLUMN data SET STORAGE EXTERNAL;
`;

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  { version: BASELINE_VERSION, name: "baseline", sql: BASELINE },
  { version: 20, name: "file contents", sql: FILE_CONTENTS },
  { version: 21, name: "new cases counted per statement", sql: STATS_PER_STATEMENT },
];

/** Tables only PostgreSQL has (test/unit/schema-engines.test.ts leaves them out of the comparison), and why. */
export const POSTGRES_ONLY_TABLES: Readonly<Record<string, string>> = {
  file_contents: "stored files' bytes; on SQLite they are files/<aa>/<hash> in the data directory",
};

/** The schema's version (0: an empty database). */
export async function schemaVersion(db: PostgresSql): Promise<number> {
  const table = await db.get<{ t: string | null }>("SELECT to_regclass('schema_version')::text AS t");
  if (!table?.t) return 0;
  return (await db.get<{ version: number }>("SELECT version FROM schema_version"))?.version ?? 0;
}

/**
 * Applies what is missing, each migration in one write transaction (under the register's write lock).
 * `current`: the version the caller has just read (`schemaVersion`), so that opening a register asks once.
 */
export async function migratePostgres(db: PostgresSql, current?: number): Promise<void> {
  const latest = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1]!.version;
  current ??= await schemaVersion(db);
  if (current > latest) throw new Error(`database schema ${current} is newer than this avvik (${latest})`);
  if (current === latest) return;
  await db.write(async () => {
    // Another process may have applied them while we waited for the lock.
    let now = await schemaVersion(db);
    if (now === 0) {
      await db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
      await db.exec("INSERT INTO schema_version (version) VALUES (0)");
    }
    for (const m of POSTGRES_MIGRATIONS) {
      if (m.version <= now) continue;
      // The baseline is the whole schema at its version: a new database starts there.
      if (m.name !== "baseline" && now === 0) throw new Error(`migration ${m.version} needs the baseline first`);
      await db.exec(m.sql);
      await db.run("UPDATE schema_version SET version = ?", [m.version]);
      now = m.version;
    }
  });
}
