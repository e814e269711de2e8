import type { Database } from "better-sqlite3";

export function up(db: Database): void {
  db.exec(`
    -- The text OCR read from a scanned reply (a stored file, encrypted like the scan: it may hold personal data).
    ALTER TABLE documents ADD COLUMN recognised_hash TEXT REFERENCES files(hash);
  `);
}
