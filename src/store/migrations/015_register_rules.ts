import type { Database } from "better-sqlite3";

// The register's rules (issue 19, CLI.md section 8): actions with an owner and a due date, the risk assessment
// (probability × consequence) and the classification of a matter, and the loaded classification scheme.
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE actions (
      id         INTEGER PRIMARY KEY,
      case_id    INTEGER NOT NULL REFERENCES cases(id),
      text       TEXT NOT NULL,
      owner_id   INTEGER NOT NULL REFERENCES contacts(id),
      due_date   TEXT NOT NULL,
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      done_at    TEXT,
      done_by    TEXT
    );
    CREATE INDEX actions_case ON actions(case_id, done_at);
    -- The summary's and the list's overdue actions: open ones by due date.
    CREATE INDEX actions_open_due ON actions(due_date) WHERE done_at IS NULL;

    ALTER TABLE cases ADD COLUMN risk_probability INTEGER CHECK (risk_probability BETWEEN 1 AND 4);
    ALTER TABLE cases ADD COLUMN risk_consequence INTEGER CHECK (risk_consequence BETWEEN 1 AND 4);
    -- The matter's own code; NULL: the organisation's default (setting diary_classification), if any.
    ALTER TABLE cases ADD COLUMN classification TEXT;

    -- The classification scheme loaded with \`classification import\`; empty: codes are checked for form only.
    CREATE TABLE classification_codes (
      code TEXT PRIMARY KEY,
      name TEXT NOT NULL
    ) WITHOUT ROWID;
  `);
}
