import type { Database } from "better-sqlite3";
import { DIMENSIONS, answered, days, onTime } from "./013_stats_flow.js";

// Daily aggregates beside the monthly ones: the same counts per day of registration (`stats_day`,
// `stats_handling_day`), so that a period whose first or last month is not whole reads the days it covers of
// those months from aggregates instead of counting their cases (half a month of a million-case register took
// about 5 s). The triggers of migration 013 are made again adding to both; both new tables are filled from
// the cases in this migration's one transaction.

/** The columns whose change moves a case's contribution (as in migration 013). */
const COLUMNS = "registered_at, direction, area, kind, severity, counterpart_id, unit_id, duplicate_of, answered_at, due_date, discovered_date";

/** Adds (sign 1) or removes (sign -1) one case's contribution to one granularity (`month` or `day`). */
function into(r: "NEW" | "OLD", sign: 1 | -1, table: "stats_month" | "stats_day", handling: "stats_handling" | "stats_handling_day", key: "month" | "day"): string {
  const at = `substr(${r}.registered_at, 1, ${key === "month" ? 7 : 10})`;
  const dims = DIMENSIONS.map(([dim, expr]) => `SELECT '${dim}' AS dim, ${expr(r)} AS code`).join(" UNION ALL ");
  return `
    INSERT INTO ${table} (${key}, dim, code, n, answered, on_time)
      SELECT ${at}, d.dim, d.code, ${sign}, ${sign} * ${answered(r)}, ${sign} * ${onTime(r)}
      FROM (${dims}) d WHERE ${r}.duplicate_of IS NULL
      ON CONFLICT (${key}, dim, code) DO UPDATE SET n = n + excluded.n, answered = answered + excluded.answered, on_time = on_time + excluded.on_time;
    INSERT INTO ${handling} (${key}, counterpart, days, n)
      SELECT ${at}, ${r}.counterpart_id, ${days(r)}, ${sign} WHERE ${r}.duplicate_of IS NULL AND ${r}.answered_at IS NOT NULL
      ON CONFLICT (${key}, counterpart, days) DO UPDATE SET n = n + excluded.n;`;
}

const contribution = (r: "NEW" | "OLD", sign: 1 | -1) => into(r, sign, "stats_month", "stats_handling", "month") + into(r, sign, "stats_day", "stats_handling_day", "day");

export function up(db: Database): void {
  db.exec(`
    DROP TRIGGER IF EXISTS cases_stats_insert;
    DROP TRIGGER IF EXISTS cases_stats_delete;
    DROP TRIGGER IF EXISTS cases_stats_update;

    -- Per day of registration (YYYY-MM-DD, local): as stats_month.
    CREATE TABLE stats_day (
      day      TEXT NOT NULL,
      dim      TEXT NOT NULL,
      code     TEXT NOT NULL,
      n        INTEGER NOT NULL,
      answered INTEGER NOT NULL,
      on_time  INTEGER NOT NULL,
      PRIMARY KEY (day, dim, code)
    ) WITHOUT ROWID;

    -- Per day of registration and counterpart: as stats_handling.
    CREATE TABLE stats_handling_day (
      day         TEXT NOT NULL,
      counterpart TEXT NOT NULL,
      days        INTEGER NOT NULL,
      n           INTEGER NOT NULL,
      PRIMARY KEY (day, counterpart, days)
    ) WITHOUT ROWID;

    CREATE TRIGGER cases_stats_insert AFTER INSERT ON cases BEGIN ${contribution("NEW", 1)} END;
    CREATE TRIGGER cases_stats_delete AFTER DELETE ON cases BEGIN ${contribution("OLD", -1)} END;
    CREATE TRIGGER cases_stats_update AFTER UPDATE OF ${COLUMNS} ON cases
      BEGIN ${contribution("OLD", -1)} ${contribution("NEW", 1)} END;
  `);
  for (const [dim, expr] of DIMENSIONS) {
    db.exec(`
      INSERT INTO stats_day (day, dim, code, n, answered, on_time)
        SELECT substr(c.registered_at, 1, 10), '${dim}', ${expr("c")}, count(*), sum(${answered("c")}), sum(${onTime("c")})
        FROM cases c WHERE c.duplicate_of IS NULL GROUP BY 1, 3;`);
  }
  db.exec(`
    INSERT INTO stats_handling_day (day, counterpart, days, n)
      SELECT substr(c.registered_at, 1, 10), c.counterpart_id, ${days("c")}, count(*) FROM cases c
      WHERE c.duplicate_of IS NULL AND c.answered_at IS NOT NULL GROUP BY 1, 2, 3;`);
}
