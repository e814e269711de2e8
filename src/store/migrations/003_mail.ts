import type { Database } from "better-sqlite3";

// The outbox: every e-mail is stored here, in the same transaction as the change that caused it, before any
// delivery is tried. The message is kept as the fields it is composed from (checked by the guard when queued);
// the Message-ID is fixed when queued so that a retry is recognisably the same message.
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE outbox (
      id              INTEGER PRIMARY KEY,
      message_id      TEXT NOT NULL UNIQUE,
      case_id         INTEGER REFERENCES cases(id) ON DELETE SET NULL,
      template        TEXT NOT NULL,
      sender          TEXT NOT NULL,
      recipients      TEXT NOT NULL,            -- JSON [{name, address, kind: 'to'|'cc'}]
      subject         TEXT NOT NULL,
      body            TEXT NOT NULL,
      status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent')),
      attempts        INTEGER NOT NULL DEFAULT 0,
      last_error      TEXT,
      delivered_to    TEXT NOT NULL DEFAULT '[]', -- JSON addresses the server has accepted (never sent to again)
      claimed_by      TEXT,
      claimed_until   TEXT,
      created_at      TEXT NOT NULL,
      created_by      TEXT NOT NULL,
      last_attempt_at TEXT,
      sent_at         TEXT,
      transport       TEXT,
      response        TEXT
    );
    CREATE INDEX outbox_status ON outbox(status, id);
    CREATE INDEX outbox_case ON outbox(case_id);

    CREATE TABLE outbox_attachments (
      outbox_id    INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
      seq          INTEGER NOT NULL,
      filename     TEXT NOT NULL,
      content_type TEXT NOT NULL,
      file_hash    TEXT NOT NULL REFERENCES files(hash),
      PRIMARY KEY (outbox_id, seq)
    );
  `);
}
