import type { Database } from "better-sqlite3";

// Bulk imports (issue 5): an import of a million rows writes its cases in one transaction, so every statement
// and index per row counts.
// - What was last imported for an external reference moves from the table import_rows into case_refs, which
//   has the same key: one row written per imported case instead of two. `import_run` and `import_line` let an
//   import recognise an external id repeated further down the same file, and name the earlier line.
// - cases_counterpart goes: cases_duplicates (counterpart_id, area, event_date) serves the same look-ups.
// - The import events get an index: each records the range of case ids it created, so that a case's history
//   finds the event that created it without one audit event per imported case.

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE case_refs ADD COLUMN fingerprint TEXT;
    ALTER TABLE case_refs ADD COLUMN imported_at TEXT;
    ALTER TABLE case_refs ADD COLUMN import_run TEXT;
    ALTER TABLE case_refs ADD COLUMN import_line INTEGER;
    UPDATE case_refs SET fingerprint = i.fingerprint, imported_at = i.imported_at
      FROM import_rows i WHERE i.system = case_refs.system AND i.external_id = case_refs.external_id;
    DROP TABLE import_rows;

    DROP INDEX cases_counterpart;

    CREATE INDEX audit_imports ON audit(id) WHERE action = 'import';
  `);
}
