import type { Database } from "better-sqlite3";

// Learning from deviations (issue 6): indexes, and monthly aggregates kept up to date by triggers so that a
// half-year's statistics read a few hundred rows instead of every case registered in it.

/** The dimensions counted per month: [dim, SQL expression over the row]. */
export const DIMENSIONS: ReadonlyArray<[string, (r: string) => string]> = [
  ["area", (r) => `${r}.area`],
  ["kind", (r) => `${r}.kind`],
  ["severity", (r) => `ifnull(${r}.severity, '-')`],
  ["counterpart", (r) => `${r}.counterpart_id`],
  ["unit", (r) => `ifnull(${r}.unit_id, '-')`],
  ["pair", (r) => `${r}.area || '|' || ${r}.counterpart_id`],
];

export const answered = (r: string) => `(${r}.answered_at IS NOT NULL)`;
export const onTime = (r: string) => `(${r}.answered_at IS NOT NULL AND substr(${r}.answered_at, 1, 10) <= ${r}.due_date)`;
export const days = (r: string) => `CAST(round(julianday(substr(${r}.answered_at, 1, 10)) - julianday(${r}.discovered_date)) AS INTEGER)`;

/** Adds (sign 1) or removes (sign -1) one case's contribution; the row is NEW or OLD in a trigger. */
export function contribution(r: "NEW" | "OLD", sign: 1 | -1): string {
  const month = `substr(${r}.registered_at, 1, 7)`;
  const dims = DIMENSIONS.map(([dim, expr]) => `SELECT '${dim}' AS dim, ${expr(r)} AS code`).join(" UNION ALL ");
  return `
    INSERT INTO stats_month (month, dim, code, n, answered, on_time)
      SELECT ${month}, d.dim, d.code, ${sign}, ${sign} * ${answered(r)}, ${sign} * ${onTime(r)}
      FROM (${dims}) d WHERE ${r}.duplicate_of IS NULL
      ON CONFLICT (month, dim, code) DO UPDATE SET n = n + excluded.n, answered = answered + excluded.answered, on_time = on_time + excluded.on_time;
    INSERT INTO stats_handling (month, days, n)
      SELECT ${month}, ${days(r)}, ${sign} WHERE ${r}.duplicate_of IS NULL AND ${r}.answered_at IS NOT NULL
      ON CONFLICT (month, days) DO UPDATE SET n = n + excluded.n;`;
}

export function up(db: Database): void {
  db.exec(`
    -- Statistics for any other period: a covering index over the cases that count (not marked as duplicates),
    -- ordered by the registration time, so that a period is one range scan of the index.
    CREATE INDEX cases_stats ON cases(registered_at, area, kind, severity, counterpart_id, unit_id, status, due_date, answered_at, discovered_date, duplicate_of)
      WHERE duplicate_of IS NULL;

    -- Double reporting: cases of the same counterpart and area with close event dates.
    CREATE INDEX cases_duplicates ON cases(counterpart_id, area, event_date);

    -- The summary's list of outgoing cases waiting for the other party's answer.
    CREATE INDEX cases_direction_status ON cases(direction, status, due_date);

    -- Per month of registration (YYYY-MM, local): cases per code of each dimension ('-' for a missing severity
    -- or unit; 'pair' codes are area|counterpart), with how many are answered and answered on time.
    -- Cases marked as duplicates are not counted.
    CREATE TABLE stats_month (
      month    TEXT NOT NULL,
      dim      TEXT NOT NULL,
      code     TEXT NOT NULL,
      n        INTEGER NOT NULL,
      answered INTEGER NOT NULL,
      on_time  INTEGER NOT NULL,
      PRIMARY KEY (month, dim, code)
    ) WITHOUT ROWID;

    -- Per month of registration: answered cases per number of handling days.
    CREATE TABLE stats_handling (
      month TEXT NOT NULL,
      days  INTEGER NOT NULL,
      n     INTEGER NOT NULL,
      PRIMARY KEY (month, days)
    ) WITHOUT ROWID;

    CREATE TRIGGER cases_stats_insert AFTER INSERT ON cases BEGIN ${contribution("NEW", 1)} END;
    CREATE TRIGGER cases_stats_delete AFTER DELETE ON cases BEGIN ${contribution("OLD", -1)} END;
    CREATE TRIGGER cases_stats_update
      AFTER UPDATE OF registered_at, area, kind, severity, counterpart_id, unit_id, duplicate_of, answered_at, due_date, discovered_date ON cases
      BEGIN ${contribution("OLD", -1)} ${contribution("NEW", 1)} END;
  `);
  // The cases already registered.
  for (const [dim, expr] of DIMENSIONS) {
    db.exec(`
      INSERT INTO stats_month (month, dim, code, n, answered, on_time)
        SELECT substr(c.registered_at, 1, 7), '${dim}', ${expr("c")}, count(*), sum(${answered("c")}), sum(${onTime("c")})
        FROM cases c WHERE c.duplicate_of IS NULL GROUP BY 1, 3;`);
  }
  db.exec(`
    INSERT INTO stats_handling (month, days, n)
      SELECT substr(c.registered_at, 1, 7), ${days("c")}, count(*) FROM cases c
      WHERE c.duplicate_of IS NULL AND c.answered_at IS NOT NULL GROUP BY 1, 2;`);
}
