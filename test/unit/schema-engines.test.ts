// The two engines' schemas cannot drift: a new register on SQLite (its migrations) and on PostgreSQL (the
// baseline and its migrations, src/store/migrations/postgres) have the same version, the same tables with the
// same columns (and nullability), the same indexes and the same triggers of their own. What only PostgreSQL has
// is named, with its reason, in POSTGRES_ONLY_TABLES (the bytes of stored files, which SQLite keeps on disk).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/db.js";
import { MIGRATIONS } from "../../src/store/migrations/index.js";
import { migratePostgres, POSTGRES_MIGRATIONS, POSTGRES_ONLY_TABLES, schemaVersion } from "../../src/store/migrations/postgres/index.js";
import { connectPostgres } from "../../src/store/postgres.js";
import { freshDatabase } from "../helpers/postgres.js";

type Shape = { tables: Record<string, string[]>; indexes: string[]; triggers: string[] };

const dir = mkdtempSync(join(tmpdir(), "avvik-schema-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sqliteShape(): { shape: Shape; version: number } {
  const db = openDatabase(join(dir, "avvik.db"));
  try {
    const tables: Record<string, string[]> = {};
    for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>) {
      tables[name] = (db.prepare(`SELECT name, "notnull" AS nn, pk FROM pragma_table_info(?)`).all(name) as Array<{ name: string; nn: number; pk: number }>)
        .map((c) => `${c.name}${c.nn || c.pk ? " not null" : ""}`)
        .sort();
    }
    const names = (type: string) => (db.prepare("SELECT name FROM sqlite_master WHERE type = ? AND sql IS NOT NULL").all(type) as Array<{ name: string }>).map((r) => r.name).sort();
    return { shape: { tables, indexes: names("index"), triggers: names("trigger") }, version: db.pragma("user_version", { simple: true }) as number };
  } finally {
    db.close();
  }
}

describe("the schema on both engines", () => {
  it("has the same version, tables, columns, indexes and triggers on SQLite and on PostgreSQL", async () => {
    const sqlite = sqliteShape();
    const database = await freshDatabase();
    const db = await connectPostgres(database.url);
    try {
      expect(await schemaVersion(db)).toBe(0);
      await migratePostgres(db);
      await migratePostgres(db); // once only
      expect(await schemaVersion(db)).toBe(sqlite.version);
      expect(POSTGRES_MIGRATIONS.at(-1)!.version).toBe(MIGRATIONS.at(-1)!.version);
      const columns = await db.all<{ table_name: string; column_name: string; is_nullable: string }>(
        "SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'schema_version'",
      );
      const tables: Record<string, string[]> = {};
      for (const c of columns) (tables[c.table_name] ??= []).push(`${c.column_name}${c.is_nullable === "NO" ? " not null" : ""}`);
      for (const t of Object.values(tables)) t.sort();
      // PostgreSQL's own tables are there, and only they are left out.
      for (const name of Object.keys(POSTGRES_ONLY_TABLES)) {
        expect(tables[name], name).toBeDefined();
        expect(sqlite.shape.tables[name], name).toBeUndefined();
        delete tables[name];
      }
      // Primary keys and unique constraints have indexes of their own names on PostgreSQL; SQLite's are unnamed.
      const indexes = (await db.all<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes i WHERE schemaname = current_schema()
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
           AND NOT (tablename = ANY (?))`,
        [Object.keys(POSTGRES_ONLY_TABLES)],
      )).map((r) => r.indexname).sort();
      // The triggers that give an id (SQLite's rowid) are PostgreSQL's own.
      const triggers = [...new Set((await db.all<{ trigger_name: string }>("SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = current_schema()")).map((r) => r.trigger_name))]
        .filter((n) => !n.endsWith("_id"))
        .sort();
      expect({ tables, indexes, triggers }).toEqual(sqlite.shape);
    } finally {
      await db.end();
      await database.drop();
    }
  });
});
