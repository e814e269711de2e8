import type { Database } from "better-sqlite3";

// Indexes for learning from deviations (issue 6).
export function up(db: Database): void {
  db.exec(`
    -- Statistics per period: a covering index over the cases that count (not marked as duplicates), ordered by
    -- the registration time, so that a half-year is one range scan of the index without visiting the table.
    CREATE INDEX cases_stats ON cases(registered_at, area, kind, severity, counterpart_id, unit_id, status, due_date, answered_at, discovered_date, duplicate_of)
      WHERE duplicate_of IS NULL;

    -- Double reporting: cases of the same counterpart and area with close event dates.
    CREATE INDEX cases_duplicates ON cases(counterpart_id, area, event_date);

    -- The summary's list of outgoing cases waiting for the other party's answer.
    CREATE INDEX cases_direction_status ON cases(direction, status, due_date);
  `);
}
