import type { Database } from "better-sqlite3";
import { DIMENSIONS, answered, days, onTime } from "./005_stats.js";

// Bulk imports (issue 5): an import of a million rows writes its cases in one transaction, so every statement
// and index per row counts.
// - What was last imported for an external reference moves from the table import_rows into case_refs, which
//   has the same key: one row written per imported case instead of two. `import_run` and `import_line` let an
//   import recognise an external id repeated further down the same file, and name the earlier line.
// - cases_counterpart goes: cases_duplicates (counterpart_id, area, event_date) serves the same look-ups.
// - The import events get an index: each records the range of case ids it created, so that a case's history
//   finds the event that created it without one audit event per imported case.

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE case_refs ADD COLUMN fingerprint TEXT;
    ALTER TABLE case_refs ADD COLUMN imported_at TEXT;
    ALTER TABLE case_refs ADD COLUMN import_run TEXT;
    ALTER TABLE case_refs ADD COLUMN import_line INTEGER;
    UPDATE case_refs SET fingerprint = i.fingerprint, imported_at = i.imported_at
      FROM import_rows i WHERE i.system = case_refs.system AND i.external_id = case_refs.external_id;
    DROP TABLE import_rows;

    DROP INDEX cases_counterpart;

    CREATE INDEX audit_imports ON audit(id) WHERE action = 'import';
  `);
}

/**
 * Adds the cases with ids from `first` to `last` to the monthly aggregates: what the insert trigger of
 * migration 005 adds case by case, for a batch of new cases at once (an import sets the trigger aside while it
 * writes, and calls this after each batch, so that the grouping stays small).
 */
export function addToAggregates(db: Database, first: number, last: number): void {
  const newCases = `SELECT substr(c.registered_at, 1, 7) AS month, c.area, c.kind, c.severity, c.counterpart_id, c.unit_id,
         ${answered("c")} AS answered, ${onTime("c")} AS on_time,
         CASE WHEN c.answered_at IS NOT NULL THEN ${days("c")} END AS days, count(*) AS n
       FROM cases c WHERE c.id BETWEEN @first AND @last AND c.duplicate_of IS NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`;
  const dims = DIMENSIONS.map(([dim, expr]) => `SELECT x.month, '${dim}' AS dim, ${expr("x")} AS code, x.n, x.answered, x.on_time FROM x`).join(" UNION ALL ");
  db.prepare(
    `WITH x AS MATERIALIZED (${newCases})
     INSERT INTO stats_month (month, dim, code, n, answered, on_time)
       SELECT month, dim, code, sum(n), sum(answered * n), sum(on_time * n) FROM (${dims}) WHERE true GROUP BY month, dim, code
       ON CONFLICT (month, dim, code) DO UPDATE SET n = n + excluded.n, answered = answered + excluded.answered, on_time = on_time + excluded.on_time`,
  ).run({ first, last });
  db.prepare(
    `WITH x AS MATERIALIZED (${newCases})
     INSERT INTO stats_handling (month, days, n)
       SELECT month, days, sum(n) FROM x WHERE days IS NOT NULL GROUP BY month, days
       ON CONFLICT (month, days) DO UPDATE SET n = n + excluded.n`,
  ).run({ first, last });
}
