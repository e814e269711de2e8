import type { Database } from "better-sqlite3";

// Exchange files exported (issue 12): what each export of a case contained, as a hash of its content without
// the moment it was made, and the diary document and stored file it was recorded as. An export run again
// with nothing changed writes the same file again and records nothing new.

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE exchange_exports (
      case_id INTEGER NOT NULL REFERENCES cases(id),
      content_hash TEXT NOT NULL,
      document TEXT NOT NULL,
      file_hash TEXT NOT NULL REFERENCES files(hash),
      exported_at TEXT NOT NULL,
      PRIMARY KEY (case_id, content_hash)
    ) WITHOUT ROWID;
  `);
}
