import type { Database } from "better-sqlite3";

// Outbox safety (issue 12):
// - status gains `failed`: a message the server refused for good (5xx), or that used up its attempts across all
//   runs (the `retries` setting). Only `avvik outbox retry ID` puts it back in the queue.
// - A claim records who holds it: the process id, the host and the process's start token (so a reused pid is not
//   mistaken for the claimant). A claim whose process is gone is taken over at once by the next run; the
//   `claimed_until` lease only decides for a claimant on another host, whose process cannot be looked at (and
//   for a claim made before this version, which is kept as it is).
//
// SQLite cannot change a CHECK constraint in place, so the table is rebuilt. outbox_attachments references it
// with ON DELETE CASCADE, and foreign keys are on during migrations: dropping the old table while attachments
// point at it would delete them. The attachments are therefore set aside, their table dropped, the outbox
// rebuilt and renamed, and the attachments put back, all in the migration's one transaction.
export function up(db: Database): void {
  db.exec(`
    CREATE TEMP TABLE outbox_attachments_keep AS SELECT * FROM outbox_attachments;
    DROP TABLE outbox_attachments;

    CREATE TABLE outbox_new (
      id              INTEGER PRIMARY KEY,
      message_id      TEXT NOT NULL UNIQUE,
      case_id         INTEGER REFERENCES cases(id) ON DELETE SET NULL,
      template        TEXT NOT NULL,
      sender          TEXT NOT NULL,
      recipients      TEXT NOT NULL,            -- JSON [{name, address, kind: 'to'|'cc'}]
      subject         TEXT NOT NULL,
      body            TEXT NOT NULL,
      status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','failed')),
      attempts        INTEGER NOT NULL DEFAULT 0, -- tries that reached the server (capped by the retries setting)
      last_error      TEXT,
      delivered_to    TEXT NOT NULL DEFAULT '[]', -- JSON addresses the server has accepted (never sent to again)
      claimed_by      TEXT,                       -- the delivery run holding the message
      claimed_until   TEXT,                       -- lease, for a claimant on another host
      claim_pid       INTEGER,
      claim_host      TEXT,
      claim_start     TEXT,                       -- the claiming process's start token (pid reuse)
      created_at      TEXT NOT NULL,
      created_by      TEXT NOT NULL,
      last_attempt_at TEXT,
      sent_at         TEXT,
      failed_at       TEXT,
      transport       TEXT,
      response        TEXT
    );
    INSERT INTO outbox_new (id, message_id, case_id, template, sender, recipients, subject, body, status, attempts,
                            last_error, delivered_to, claimed_by, claimed_until, created_at, created_by,
                            last_attempt_at, sent_at, transport, response)
      SELECT id, message_id, case_id, template, sender, recipients, subject, body, status, attempts,
             last_error, delivered_to, claimed_by, claimed_until, created_at, created_by,
             last_attempt_at, sent_at, transport, response
      FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_new RENAME TO outbox;
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
    INSERT INTO outbox_attachments SELECT outbox_id, seq, filename, content_type, file_hash FROM outbox_attachments_keep;
    DROP TABLE outbox_attachments_keep;
  `);
}
