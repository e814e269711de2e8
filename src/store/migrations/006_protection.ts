import type { Database } from "better-sqlite3";

/**
 * Protection: stored files can be purged (their bytes deleted, the row kept and marked), and the audit
 * trail's head (last id and hash) is recorded in the settings so that events deleted at its end are found.
 */
export function up(db: Database): void {
  db.exec(`ALTER TABLE files ADD COLUMN purged_at TEXT;`);
  const last = db.prepare("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").get() as { id: number; hash: string } | undefined;
  if (last) {
    db.prepare("INSERT INTO settings (key, value) VALUES ('audit_head', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(
      JSON.stringify({ id: last.id, hash: last.hash }),
    );
  }
}
