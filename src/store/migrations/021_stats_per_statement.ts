// New cases counted into PostgreSQL's aggregates once per statement (migrations/postgres/021_stats_per_statement.ts),
// for the import's COPY batches. SQLite's import adds its counts itself (StatsRepo.addCounts) and its row trigger
// stays: this version changes nothing here, and is kept so that a register at version 21 means the same schema
// on both engines.
export function up(): void {}
