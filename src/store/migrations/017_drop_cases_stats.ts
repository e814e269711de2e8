import type { Database } from "better-sqlite3";

// The covering index of migration 005 served only periods that are not whole months. It cost an import about
// 9 s per million cases (eleven columns, random insertion points once the register outgrows the cache), and
// such periods are now counted from the monthly aggregates plus the edge months through `cases_registered`
// (StatsRepo.margins), with the same figures.
export function up(db: Database): void {
  db.exec("DROP INDEX IF EXISTS cases_stats;");
}
