// The PostgreSQL schema equal to SQLite's at migration 19 (test/unit/schema-engines.test.ts compares the two:
// the same tables, the same columns). Written for PostgreSQL rather than translated:
// - an BIGINT PRIMARY KEY id is given, as SQLite gives it, max(id) + 1 when an insert leaves it out
//   (`avvik_next_id`): the import and the audit chain choose their ids themselves, the other inserts do not,
//   and a sequence would not know of the chosen ones. Safe because every write transaction holds the
//   register's write lock (src/store/postgres.ts).
// - BLOB is bytea; booleans stay integers (0/1), timestamps and dates stay the tool's own text, as on SQLite.
// - the triggers are PL/pgSQL functions doing what SQLite's do: the audit trail is append-only; the monthly
//   aggregates stats_month and stats_handling follow every insert, change and deletion of a case.

export const BASELINE_VERSION = 19;

const withId = ["actions", "archive_deliveries", "audit", "cases", "contacts", "documents", "outbox", "persons"];

/** The contribution of one case (OLD or NEW) to the aggregates, with sign `sign`, per month and per day (019). */
function statsOf(row: "OLD" | "NEW", sign: 1 | -1): string {
  return statsInto(row, sign, "stats_month", "stats_handling", "month") + statsInto(row, sign, "stats_day", "stats_handling_day", "day");
}

function statsInto(row: "OLD" | "NEW", sign: 1 | -1, table: string, handling: string, key: "month" | "day"): string {
  const at = `substr(${row}.registered_at, 1, ${key === "month" ? 7 : 10})`;
  return `
    IF ${row}.duplicate_of IS NULL THEN
      INSERT INTO ${table} AS s (${key}, dim, code, n, answered, on_time)
        SELECT ${at}, d.dim, d.code, ${sign},
               ${sign} * (CASE WHEN ${row}.answered_at IS NOT NULL THEN 1 ELSE 0 END),
               ${sign} * (CASE WHEN ${row}.answered_at IS NOT NULL AND substr(${row}.answered_at, 1, 10) <= ${row}.due_date THEN 1 ELSE 0 END)
        FROM (VALUES ('area', ${row}.area), ('kind', ${row}.kind), ('severity', COALESCE(${row}.severity, '-')),
                     ('counterpart', ${row}.counterpart_id), ('unit', COALESCE(${row}.unit_id, '-')),
                     ('pair', ${row}.area || '|' || ${row}.counterpart_id), ('flow', ${row}.direction || '|' || ${row}.counterpart_id)) AS d (dim, code)
      ON CONFLICT (${key}, dim, code) DO UPDATE SET n = s.n + excluded.n, answered = s.answered + excluded.answered, on_time = s.on_time + excluded.on_time;
      IF ${row}.answered_at IS NOT NULL THEN
        INSERT INTO ${handling} AS h (${key}, counterpart, days, n)
          VALUES (${at}, ${row}.counterpart_id,
                  CAST(substr(${row}.answered_at, 1, 10) AS date) - CAST(${row}.discovered_date AS date), ${sign})
        ON CONFLICT (${key}, counterpart, days) DO UPDATE SET n = h.n + excluded.n;
      END IF;
    END IF;`;
}

export const BASELINE = `
CREATE FUNCTION avvik_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS NULL THEN
    EXECUTE format('SELECT COALESCE(max(id), 0) + 1 FROM %I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO NEW.id;
  END IF;
  RETURN NEW;
END $$;

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
  deadline_months BIGINT CHECK (deadline_months IS NULL OR deadline_months > 0),
  is_self         BIGINT NOT NULL DEFAULT 0,
  created_at      TEXT NOT NULL,
  deviation_recipient_id TEXT REFERENCES orgs(id)
);
CREATE INDEX orgs_parent ON orgs(parent_id);

CREATE TABLE org_keys (
  org_id      TEXT PRIMARY KEY REFERENCES orgs(id),
  public_key  BYTEA NOT NULL CHECK (length(public_key) = 32),
  fingerprint TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  recorded_by TEXT NOT NULL
);

CREATE TABLE contacts (
  id         BIGINT PRIMARY KEY,
  org_id     TEXT NOT NULL REFERENCES orgs(id),
  role       TEXT NOT NULL,
  name       TEXT NOT NULL,
  email      TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (org_id, role, email)
);
CREATE INDEX contacts_org_role ON contacts(org_id, role);

CREATE TABLE diary_sequences (
  year     BIGINT PRIMARY KEY,
  last_seq BIGINT NOT NULL
);

CREATE TABLE files (
  hash          TEXT PRIMARY KEY,
  size          BIGINT NOT NULL,
  media_type    TEXT NOT NULL,
  original_name TEXT,
  encrypted     BIGINT NOT NULL DEFAULT 0,
  stored_at     TEXT NOT NULL,
  purged_at     TEXT
);

CREATE TABLE archive_deliveries (
  id                 BIGINT PRIMARY KEY,
  package_id         TEXT NOT NULL UNIQUE,
  dir                TEXT NOT NULL,
  closed_before      TEXT NOT NULL,
  with_personal_data BIGINT NOT NULL,
  created_at         TEXT NOT NULL,
  created_by         TEXT NOT NULL
);

CREATE TABLE cases (
  id              BIGINT PRIMARY KEY,
  diary_number    TEXT UNIQUE,
  diary_year      BIGINT,
  diary_seq       BIGINT,
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
  assignee_id     BIGINT REFERENCES contacts(id),
  sent_at         TEXT,
  answered_at     TEXT,
  closed_at       TEXT,
  duplicate_of    BIGINT REFERENCES cases(id),
  doc_seq         BIGINT NOT NULL DEFAULT 0,
  updated_at      TEXT NOT NULL,
  secrecy         TEXT,
  archive_delivery_id BIGINT REFERENCES archive_deliveries(id),
  risk_probability BIGINT CHECK (risk_probability BETWEEN 1 AND 4),
  risk_consequence BIGINT CHECK (risk_consequence BETWEEN 1 AND 4),
  classification  TEXT,
  UNIQUE (diary_year, diary_seq)
);
CREATE INDEX cases_archive_delivery ON cases(archive_delivery_id);
CREATE INDEX cases_direction_status ON cases(direction, status, due_date);
CREATE INDEX cases_duplicates ON cases(counterpart_id, area, event_date);
CREATE INDEX cases_registered ON cases(registered_at);
CREATE INDEX cases_status_due ON cases(status, due_date);

CREATE TABLE actions (
  id         BIGINT PRIMARY KEY,
  case_id    BIGINT NOT NULL REFERENCES cases(id),
  text       TEXT NOT NULL,
  owner_id   BIGINT NOT NULL REFERENCES contacts(id),
  due_date   TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  done_at    TEXT,
  done_by    TEXT
);
CREATE INDEX actions_case ON actions(case_id, done_at);
CREATE INDEX actions_open_due ON actions(due_date) WHERE done_at IS NULL;

CREATE TABLE archive_files (
  delivery_id BIGINT NOT NULL REFERENCES archive_deliveries(id),
  case_id     BIGINT NOT NULL REFERENCES cases(id),
  file_hash   TEXT NOT NULL REFERENCES files(hash),
  PRIMARY KEY (delivery_id, case_id, file_hash)
);
CREATE INDEX archive_files_hash ON archive_files(file_hash);

CREATE TABLE audit (
  id        BIGINT PRIMARY KEY,
  at        TEXT NOT NULL,
  "user"    TEXT NOT NULL,
  action    TEXT NOT NULL,
  case_id   BIGINT,
  details   TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
CREATE INDEX audit_case ON audit(case_id);
CREATE INDEX audit_imports ON audit(id) WHERE action = 'import';

CREATE TABLE case_refs (
  case_id     BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  system      TEXT NOT NULL,
  external_id TEXT NOT NULL,
  fingerprint TEXT,
  imported_at TEXT,
  import_run  TEXT,
  import_line BIGINT,
  PRIMARY KEY (system, external_id)
);
CREATE INDEX case_refs_case ON case_refs(case_id);

CREATE TABLE classification_codes (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE documents (
  id         BIGINT PRIMARY KEY,
  case_id    BIGINT NOT NULL REFERENCES cases(id),
  seq        BIGINT NOT NULL,
  number     TEXT NOT NULL UNIQUE,
  date       TEXT NOT NULL,
  direction  TEXT NOT NULL CHECK (direction IN ('in','out','internal')),
  party      TEXT,
  subject    TEXT NOT NULL,
  file_hash  TEXT REFERENCES files(hash),
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  secrecy    TEXT,
  voided_at  TEXT,
  voided_by  TEXT,
  void_reason TEXT,
  recognised_hash TEXT REFERENCES files(hash),
  UNIQUE (case_id, seq)
);
CREATE INDEX documents_date ON documents(date);
CREATE INDEX documents_file ON documents(file_hash);

CREATE TABLE exchange_exports (
  case_id      BIGINT NOT NULL REFERENCES cases(id),
  content_hash TEXT NOT NULL,
  document     TEXT NOT NULL,
  file_hash    TEXT NOT NULL REFERENCES files(hash),
  exported_at  TEXT NOT NULL,
  PRIMARY KEY (case_id, content_hash)
);

CREATE TABLE outbox (
  id              BIGINT PRIMARY KEY,
  message_id      TEXT NOT NULL UNIQUE,
  case_id         BIGINT REFERENCES cases(id) ON DELETE SET NULL,
  template        TEXT NOT NULL,
  sender          TEXT NOT NULL,
  recipients      TEXT NOT NULL,
  subject         TEXT NOT NULL,
  body            TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','failed')),
  attempts        BIGINT NOT NULL DEFAULT 0,
  last_error      TEXT,
  delivered_to    TEXT NOT NULL DEFAULT '[]',
  claimed_by      TEXT,
  claimed_until   TEXT,
  claim_pid       BIGINT,
  claim_host      TEXT,
  claim_start     TEXT,
  created_at      TEXT NOT NULL,
  created_by      TEXT NOT NULL,
  last_attempt_at TEXT,
  sent_at         TEXT,
  failed_at       TEXT,
  transport       TEXT,
  response        TEXT
);
CREATE INDEX outbox_case ON outbox(case_id);
CREATE INDEX outbox_status ON outbox(status, id);

CREATE TABLE outbox_attachments (
  outbox_id    BIGINT NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
  seq          BIGINT NOT NULL,
  filename     TEXT NOT NULL,
  content_type TEXT NOT NULL,
  file_hash    TEXT NOT NULL REFERENCES files(hash),
  PRIMARY KEY (outbox_id, seq)
);

CREATE TABLE persons (
  id        BIGINT PRIMARY KEY,
  case_id   BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  sealed    BYTEA,
  pnr_hash  BYTEA,
  purged_at TEXT
);
CREATE INDEX persons_case ON persons(case_id);
CREATE INDEX persons_hash ON persons(pnr_hash);

CREATE TABLE stats_month (
  month    TEXT NOT NULL,
  dim      TEXT NOT NULL,
  code     TEXT NOT NULL,
  n        BIGINT NOT NULL,
  answered BIGINT NOT NULL,
  on_time  BIGINT NOT NULL,
  PRIMARY KEY (month, dim, code)
);

CREATE TABLE stats_day (
  day      TEXT NOT NULL,
  dim      TEXT NOT NULL,
  code     TEXT NOT NULL,
  n        BIGINT NOT NULL,
  answered BIGINT NOT NULL,
  on_time  BIGINT NOT NULL,
  PRIMARY KEY (day, dim, code)
);

CREATE TABLE stats_handling_day (
  day         TEXT NOT NULL,
  counterpart TEXT NOT NULL,
  days        BIGINT NOT NULL,
  n           BIGINT NOT NULL,
  PRIMARY KEY (day, counterpart, days)
);

CREATE TABLE stats_handling (
  month       TEXT NOT NULL,
  counterpart TEXT NOT NULL,
  days        BIGINT NOT NULL,
  n           BIGINT NOT NULL,
  PRIMARY KEY (month, counterpart, days)
);

${withId.map((t) => `CREATE TRIGGER ${t}_id BEFORE INSERT ON ${t} FOR EACH ROW EXECUTE FUNCTION avvik_next_id();`).join("\n")}

CREATE FUNCTION avvik_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit is append-only';
END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit FOR EACH ROW EXECUTE FUNCTION avvik_audit_append_only();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit FOR EACH ROW EXECUTE FUNCTION avvik_audit_append_only();

CREATE FUNCTION avvik_cases_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN ${statsOf("OLD", -1)}
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN ${statsOf("NEW", 1)}
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER cases_stats_insert AFTER INSERT ON cases FOR EACH ROW EXECUTE FUNCTION avvik_cases_stats();
CREATE TRIGGER cases_stats_update AFTER UPDATE OF registered_at, direction, area, kind, severity, counterpart_id, unit_id,
  duplicate_of, answered_at, due_date, discovered_date ON cases FOR EACH ROW EXECUTE FUNCTION avvik_cases_stats();
CREATE TRIGGER cases_stats_delete AFTER DELETE ON cases FOR EACH ROW EXECUTE FUNCTION avvik_cases_stats();
`;
