import type { Database } from "better-sqlite3";

// Signed exchange files (issue 12): the public keys of counterparts, one per organisation, recorded with
// `avvik org key import`. An exchange file from an organisation is accepted only when its signature verifies
// against the key recorded here. Our own private key is a file in the data directory, not a row.
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE org_keys (
      org_id      TEXT PRIMARY KEY REFERENCES orgs(id),
      public_key  BLOB NOT NULL CHECK (length(public_key) = 32),
      fingerprint TEXT NOT NULL,
      recorded_at TEXT NOT NULL,
      recorded_by TEXT NOT NULL
    ) WITHOUT ROWID;
  `);
}
