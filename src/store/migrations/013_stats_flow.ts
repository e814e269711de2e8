import type { Database } from "better-sqlite3";

// The board report (issue 15): who reported whom and handling days per counterpart, from the monthly
// aggregates. Migration 005 counted cases per month and code of six dimensions; this adds a seventh, 'flow'
// (direction|counterpart: the cases we reported to a counterpart and those it reported to us), and keys the
// handling-day histogram by counterpart too. The triggers are made again with the new contribution and both
// tables rebuilt from the cases, in the migration's one transaction.

/** The dimensions counted per month: [dim, SQL expression over the row]. */
export const DIMENSIONS: ReadonlyArray<[string, (r: string) => string]> = [
  ["area", (r) => `${r}.area`],
  ["kind", (r) => `${r}.kind`],
  ["severity", (r) => `ifnull(${r}.severity, '-')`],
  ["counterpart", (r) => `${r}.counterpart_id`],
  ["unit", (r) => `ifnull(${r}.unit_id, '-')`],
  ["pair", (r) => `${r}.area || '|' || ${r}.counterpart_id`],
  ["flow", (r) => `${r}.direction || '|' || ${r}.counterpart_id`],
];

export const answered = (r: string) => `(${r}.answered_at IS NOT NULL)`;
export const onTime = (r: string) => `(${r}.answered_at IS NOT NULL AND substr(${r}.answered_at, 1, 10) <= ${r}.due_date)`;
export const days = (r: string) => `CAST(round(julianday(substr(${r}.answered_at, 1, 10)) - julianday(${r}.discovered_date)) AS INTEGER)`;

/** The columns whose change moves a case's contribution. */
const COLUMNS = "registered_at, direction, area, kind, severity, counterpart_id, unit_id, duplicate_of, answered_at, due_date, discovered_date";

/** Adds (sign 1) or removes (sign -1) one case's contribution; the row is NEW or OLD in a trigger. */
function contribution(r: "NEW" | "OLD", sign: 1 | -1): string {
  const month = `substr(${r}.registered_at, 1, 7)`;
  const dims = DIMENSIONS.map(([dim, expr]) => `SELECT '${dim}' AS dim, ${expr(r)} AS code`).join(" UNION ALL ");
  return `
    INSERT INTO stats_month (month, dim, code, n, answered, on_time)
      SELECT ${month}, d.dim, d.code, ${sign}, ${sign} * ${answered(r)}, ${sign} * ${onTime(r)}
      FROM (${dims}) d WHERE ${r}.duplicate_of IS NULL
      ON CONFLICT (month, dim, code) DO UPDATE SET n = n + excluded.n, answered = answered + excluded.answered, on_time = on_time + excluded.on_time;
    INSERT INTO stats_handling (month, counterpart, days, n)
      SELECT ${month}, ${r}.counterpart_id, ${days(r)}, ${sign} WHERE ${r}.duplicate_of IS NULL AND ${r}.answered_at IS NOT NULL
      ON CONFLICT (month, counterpart, days) DO UPDATE SET n = n + excluded.n;`;
}

export function up(db: Database): void {
  db.exec(`
    DROP TRIGGER IF EXISTS cases_stats_insert;
    DROP TRIGGER IF EXISTS cases_stats_delete;
    DROP TRIGGER IF EXISTS cases_stats_update;
    DROP TABLE stats_handling;
    DELETE FROM stats_month;

    -- Per month of registration and counterpart: answered cases per number of handling days.
    CREATE TABLE stats_handling (
      month       TEXT NOT NULL,
      counterpart TEXT NOT NULL,
      days        INTEGER NOT NULL,
      n           INTEGER NOT NULL,
      PRIMARY KEY (month, counterpart, days)
    ) WITHOUT ROWID;

    CREATE TRIGGER cases_stats_insert AFTER INSERT ON cases BEGIN ${contribution("NEW", 1)} END;
    CREATE TRIGGER cases_stats_delete AFTER DELETE ON cases BEGIN ${contribution("OLD", -1)} END;
    CREATE TRIGGER cases_stats_update AFTER UPDATE OF ${COLUMNS} ON cases
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
    INSERT INTO stats_handling (month, counterpart, days, n)
      SELECT substr(c.registered_at, 1, 7), c.counterpart_id, ${days("c")}, count(*) FROM cases c
      WHERE c.duplicate_of IS NULL AND c.answered_at IS NOT NULL GROUP BY 1, 2, 3;`);
}
