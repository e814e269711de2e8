import type { Database } from "better-sqlite3";

/**
 * The register's rules (issue 19): secrecy grounds on diary entries and on whole cases (OSL ch. 5), voided
 * entries (kept with who, when and why), and deliveries to the e-archive (which cases went in which package,
 * and which stored files went with them, so that a purge knows what the archive holds).
 */
export function up(db: Database): void {
  db.exec(`
    ALTER TABLE documents ADD COLUMN secrecy TEXT;
    ALTER TABLE documents ADD COLUMN voided_at TEXT;
    ALTER TABLE documents ADD COLUMN voided_by TEXT;
    ALTER TABLE documents ADD COLUMN void_reason TEXT;
    ALTER TABLE cases ADD COLUMN secrecy TEXT;

    CREATE TABLE archive_deliveries (
      id                 INTEGER PRIMARY KEY,
      package_id         TEXT NOT NULL UNIQUE,
      dir                TEXT NOT NULL,
      closed_before      TEXT NOT NULL,
      with_personal_data INTEGER NOT NULL,
      created_at         TEXT NOT NULL,
      created_by         TEXT NOT NULL
    );
    ALTER TABLE cases ADD COLUMN archive_delivery_id INTEGER REFERENCES archive_deliveries(id);
    CREATE INDEX cases_archive_delivery ON cases(archive_delivery_id);

    -- The stored files a delivery put in its package (a file withheld or already erased is not listed).
    CREATE TABLE archive_files (
      delivery_id INTEGER NOT NULL REFERENCES archive_deliveries(id),
      case_id     INTEGER NOT NULL REFERENCES cases(id),
      file_hash   TEXT NOT NULL REFERENCES files(hash),
      PRIMARY KEY (delivery_id, case_id, file_hash)
    );
    CREATE INDEX archive_files_hash ON archive_files(file_hash);
  `);
}
