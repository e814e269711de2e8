// Migration 9 rebuilds the outbox (status `failed`, the claiming process). A register from before it keeps every
// message, its attachments (which reference the outbox with ON DELETE CASCADE) and any claim in progress.

import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { openDatabase } from "../../src/store/db.js";
import { MIGRATIONS } from "../../src/store/migrations/index.js";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("upgrades a version-8 outbox in place: messages, attachments and claims kept, `failed` allowed", () => {
  dir = mkdtempSync(join(tmpdir(), "avvik-mig9-"));
  const file = join(dir, "avvik.db");
  const old = new Database(file);
  old.pragma("journal_mode = WAL");
  old.pragma("foreign_keys = ON");
  for (const m of MIGRATIONS.filter((m) => m.version <= 8)) {
    old.transaction(() => {
      m.up(old);
      old.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  const at = "2026-03-10T09:00:00+01:00";
  old.prepare("INSERT INTO files (hash, size, media_type, original_name, stored_at) VALUES ('h1', 3, 'application/pdf', 'r.pdf', ?)").run(at);
  const add = old.prepare(
    `INSERT INTO outbox (id, message_id, template, sender, recipients, subject, body, status, attempts, last_error, claimed_by, claimed_until, created_at, created_by)
     VALUES (?, ?, 'report', '{"name":null,"address":"a@x.example"}', '[]', 'Ämne', 'Text', ?, ?, ?, ?, ?, ?, 'test')`,
  );
  add.run(1, "<1@x>", "sent", 1, null, null, null, at);
  add.run(2, "<2@x>", "queued", 2, "Timeout", "run-1", "2026-03-10T09:15:00+01:00", at);
  old.prepare("INSERT INTO outbox_attachments VALUES (1, 1, 'r.pdf', 'application/pdf', 'h1'), (2, 1, 'r.pdf', 'application/pdf', 'h1')").run();
  old.close();

  const db = openDatabase(file);
  try {
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.prepare("SELECT id, status, attempts, last_error, claimed_by, claimed_until, claim_pid FROM outbox ORDER BY id").all()).toEqual([
      { id: 1, status: "sent", attempts: 1, last_error: null, claimed_by: null, claimed_until: null, claim_pid: null },
      { id: 2, status: "queued", attempts: 2, last_error: "Timeout", claimed_by: "run-1", claimed_until: "2026-03-10T09:15:00+01:00", claim_pid: null },
    ]);
    expect(db.prepare("SELECT outbox_id, file_hash FROM outbox_attachments ORDER BY outbox_id").all()).toEqual([
      { outbox_id: 1, file_hash: "h1" },
      { outbox_id: 2, file_hash: "h1" },
    ]);
    expect(db.pragma("foreign_key_check")).toEqual([]);
    db.prepare("UPDATE outbox SET status = 'failed' WHERE id = 2").run();
    expect(() => db.prepare("UPDATE outbox SET status = 'lost' WHERE id = 2").run()).toThrow(/CHECK/);
    // The attachments still belong to their message: deleting it takes them along.
    db.prepare("DELETE FROM outbox WHERE id = 1").run();
    expect(db.prepare("SELECT outbox_id FROM outbox_attachments").all()).toEqual([{ outbox_id: 2 }]);
  } finally {
    db.close();
  }
});
