// Stored files' bytes in the database: PostgreSQL's table `file_contents` (migrations/postgres/index.ts), so
// that every registrar of a shared register reads them. On SQLite the bytes stay where they are, files/<aa>/<hash>
// in the data directory (src/store/files.ts, `DiskBytes`): this version changes nothing here, and is kept only so
// that a register at version 20 means the same schema on both engines (test/unit/schema-engines.test.ts names
// `file_contents` as PostgreSQL's own table).
export function up(): void {}
