// 021 on PostgreSQL: new cases counted into the aggregates once per statement, grouped over the rows it inserted
// (a COPY of an import's batch adds one row per month, dimension and code instead of one upsert per case and
// dimension: src/store/pgImports.ts), instead of by the baseline's row trigger. A changed or deleted case is still
// counted row by row (PostgreSQL allows no transition table on a trigger with a column list). The sums are the
// row trigger's. SQLite's 021 changes nothing (its import adds its counts itself, StatsRepo.addCounts).

/** What the cases a statement inserted (`new_cases`) add to the aggregates, grouped: the row trigger's sums, set-based. */
function statsOfNew(table: string, handling: string, key: "month" | "day"): string {
  const at = `substr(c.registered_at, 1, ${key === "month" ? 7 : 10})`;
  return `
  INSERT INTO ${table} AS s (${key}, dim, code, n, answered, on_time)
    SELECT ${at}, d.dim, d.code, count(*),
           count(*) FILTER (WHERE c.answered_at IS NOT NULL),
           count(*) FILTER (WHERE c.answered_at IS NOT NULL AND substr(c.answered_at, 1, 10) <= c.due_date)
      FROM new_cases c
      CROSS JOIN LATERAL (VALUES ('area', c.area), ('kind', c.kind), ('severity', COALESCE(c.severity, '-')),
                   ('counterpart', c.counterpart_id), ('unit', COALESCE(c.unit_id, '-')),
                   ('pair', c.area || '|' || c.counterpart_id), ('flow', c.direction || '|' || c.counterpart_id)) AS d (dim, code)
     WHERE c.duplicate_of IS NULL
     GROUP BY 1, 2, 3
  ON CONFLICT (${key}, dim, code) DO UPDATE SET n = s.n + excluded.n, answered = s.answered + excluded.answered, on_time = s.on_time + excluded.on_time;
  INSERT INTO ${handling} AS h (${key}, counterpart, days, n)
    SELECT ${at}, c.counterpart_id, CAST(substr(c.answered_at, 1, 10) AS date) - CAST(c.discovered_date AS date), count(*)
      FROM new_cases c
     WHERE c.duplicate_of IS NULL AND c.answered_at IS NOT NULL
     GROUP BY 1, 2, 3
  ON CONFLICT (${key}, counterpart, days) DO UPDATE SET n = h.n + excluded.n;`;
}

export const STATS_PER_STATEMENT = `
DROP TRIGGER cases_stats_insert ON cases;
CREATE FUNCTION avvik_cases_stats_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN${statsOfNew("stats_month", "stats_handling", "month")}${statsOfNew("stats_day", "stats_handling_day", "day")}
  RETURN NULL;
END $$;
CREATE TRIGGER cases_stats_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS new_cases FOR EACH STATEMENT EXECUTE FUNCTION avvik_cases_stats_insert();
`;
