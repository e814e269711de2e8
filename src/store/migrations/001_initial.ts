import type { Database } from "better-sqlite3";

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE settings (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );

    CREATE TABLE orgs (
      id              TEXT PRIMARY KEY,
      name            TEXT NOT NULL,
      kind            TEXT NOT NULL CHECK (kind IN ('region','municipality','private')),
      parent_id       TEXT REFERENCES orgs(id),
      address         TEXT,
      deadline_months INTEGER CHECK (deadline_months IS NULL OR deadline_months > 0),
      is_self         INTEGER NOT NULL DEFAULT 0,
      created_at      TEXT NOT NULL
    );
    CREATE INDEX orgs_parent ON orgs(parent_id);

    CREATE TABLE contacts (
      id         INTEGER PRIMARY KEY,
      org_id     TEXT NOT NULL REFERENCES orgs(id),
      role       TEXT NOT NULL,
      name       TEXT NOT NULL,
      email      TEXT NOT NULL,
      created_at TEXT NOT NULL,
      UNIQUE (org_id, role, email)
    );
    CREATE INDEX contacts_org_role ON contacts(org_id, role);

    CREATE TABLE diary_sequences (
      year     INTEGER PRIMARY KEY,
      last_seq INTEGER NOT NULL
    );

    CREATE TABLE cases (
      id              INTEGER PRIMARY KEY,
      diary_number    TEXT UNIQUE,
      diary_year      INTEGER,
      diary_seq       INTEGER,
      direction       TEXT NOT NULL CHECK (direction IN ('in','out')),
      status          TEXT NOT NULL,
      counterpart_id  TEXT NOT NULL REFERENCES orgs(id),
      unit_id         TEXT REFERENCES orgs(id),
      event_date      TEXT NOT NULL,
      discovered_date TEXT NOT NULL,
      received_date   TEXT,
      registered_at   TEXT NOT NULL,
      due_date        TEXT NOT NULL,
      kind            TEXT NOT NULL,
      area            TEXT NOT NULL,
      severity        TEXT,
      summary         TEXT NOT NULL,
      description     TEXT,
      causes          TEXT,
      actions         TEXT,
      follow_up       TEXT,
      assignee_id     INTEGER REFERENCES contacts(id),
      sent_at         TEXT,
      answered_at     TEXT,
      closed_at       TEXT,
      duplicate_of    INTEGER REFERENCES cases(id),
      doc_seq         INTEGER NOT NULL DEFAULT 0,
      updated_at      TEXT NOT NULL,
      UNIQUE (diary_year, diary_seq)
    );
    CREATE INDEX cases_status_due ON cases(status, due_date);
    CREATE INDEX cases_registered ON cases(registered_at);
    CREATE INDEX cases_counterpart ON cases(counterpart_id);

    CREATE TABLE case_refs (
      case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
      system      TEXT NOT NULL,
      external_id TEXT NOT NULL,
      PRIMARY KEY (system, external_id)
    );
    CREATE INDEX case_refs_case ON case_refs(case_id);

    -- Personal data, encrypted field by field (AES-256-GCM); pnr_hash is a keyed hash (HMAC) for matching.
    CREATE TABLE persons (
      id        INTEGER PRIMARY KEY,
      case_id   INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
      pnr_enc   BLOB,
      name_enc  BLOB,
      pnr_hash  TEXT,
      purged_at TEXT
    );
    CREATE INDEX persons_case ON persons(case_id);
    CREATE INDEX persons_hash ON persons(pnr_hash);

    -- Stored files (packets, scanned replies), addressed by the SHA-256 of their content.
    CREATE TABLE files (
      hash          TEXT PRIMARY KEY,
      size          INTEGER NOT NULL,
      media_type    TEXT NOT NULL,
      original_name TEXT,
      encrypted     INTEGER NOT NULL DEFAULT 0,
      stored_at     TEXT NOT NULL
    );

    CREATE TABLE documents (
      id         INTEGER PRIMARY KEY,
      case_id    INTEGER NOT NULL REFERENCES cases(id),
      seq        INTEGER NOT NULL,
      number     TEXT NOT NULL UNIQUE,
      date       TEXT NOT NULL,
      direction  TEXT NOT NULL CHECK (direction IN ('in','out','internal')),
      party      TEXT,
      subject    TEXT NOT NULL,
      file_hash  TEXT REFERENCES files(hash),
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      UNIQUE (case_id, seq)
    );
    CREATE INDEX documents_date ON documents(date);
    CREATE INDEX documents_file ON documents(file_hash);

    -- The audit trail: append-only and hash-chained (each event carries the hash of the one before).
    CREATE TABLE audit (
      id        INTEGER PRIMARY KEY,
      at        TEXT NOT NULL,
      user      TEXT NOT NULL,
      action    TEXT NOT NULL,
      case_id   INTEGER,
      details   TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash      TEXT NOT NULL
    );
    CREATE INDEX audit_case ON audit(case_id);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
  `);
}
