import type { Database } from "better-sqlite3";

export function up(db: Database): void {
  db.exec(`
    -- What was last imported for each external reference: a keyed hash (HMAC) of the row as read, so that
    -- importing the same export again changes nothing and a later export updates only what changed there.
    CREATE TABLE import_rows (
      system      TEXT NOT NULL,
      external_id TEXT NOT NULL,
      case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
      fingerprint TEXT NOT NULL,
      imported_at TEXT NOT NULL,
      PRIMARY KEY (system, external_id)
    ) WITHOUT ROWID;
    CREATE INDEX import_rows_case ON import_rows(case_id);
  `);
}
