// A register made before migration 6 (no recorded audit head, no key check) is upgraded in place:
// its trail verifies, deleting its last event is then found, and its key is still checked against its data.

import { MIGRATIONS } from "../../src/store/migrations/index.js";
import Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { eventHash, GENESIS_HASH } from "../../src/store/audit.js";
import { FieldCipher } from "../../src/store/crypto.js";
import { up as initial } from "../../src/store/migrations/001_initial.js";
import { Store } from "../../src/store/store.js";
import { nativeSqlite } from "../helpers/native.js";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("upgrades a version-1 register: head recorded from its last event, key checked against a stored person", async () => {
  dir = mkdtempSync(join(tmpdir(), "avvik-mig-"));
  const master = randomBytes(32);
  writeFileSync(join(dir, "key"), master.toString("base64"), { mode: 0o600 });
  const cipher = new FieldCipher(master);
  const old = new Database(join(dir, "avvik.db"));
  old.pragma("journal_mode = WAL");
  initial(old);
  old.pragma("user_version = 1");
  const at = "2026-03-10T09:00:00+01:00";
  old.prepare("INSERT INTO settings VALUES ('org_id', 'linkoping')").run();
  old.prepare("INSERT INTO orgs (id, name, kind, is_self, created_at) VALUES ('linkoping', 'Linköpings kommun', 'municipality', 1, ?)").run(at);
  old.prepare("INSERT INTO orgs (id, name, kind, created_at) VALUES ('region', 'Region', 'region', ?)").run(at);
  old.prepare(
    "INSERT INTO cases (id, direction, status, counterpart_id, event_date, discovered_date, registered_at, due_date, kind, area, summary, updated_at) VALUES (1, 'out', 'registered', 'region', '2026-03-01', '2026-03-02', ?, '2026-05-02', 'risk', 'ovrigt', 'S', ?)",
  ).run(at, at);
  old.prepare("INSERT INTO persons (case_id, pnr_enc, pnr_hash) VALUES (1, ?, ?)").run(cipher.encrypt("191212121212"), cipher.hash("191212121212"));
  let prev = GENESIS_HASH;
  for (let id = 1; id <= 5; id++) {
    // Event 2 registered case 1, as it would have in a real register of that version.
    const e = { id, at, user: "old", action: id === 2 ? "case.new" : "test", case_id: id === 2 ? 1 : null, details: "{}" };
    const hash = eventHash(prev, e);
    old.prepare("INSERT INTO audit VALUES (@id, @at, @user, @action, @case_id, @details, @prev_hash, @hash)").run({ ...e, prev_hash: prev, hash });
    prev = hash;
  }
  old.close();

  const store = await Store.open({ home: dir, actor: { user: "test", now: new Date("2026-03-10T10:00:00") } });
  try {
    expect(nativeSqlite(store).pragma("user_version", { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    expect(await store.audit.verify()).toMatchObject({ events: 5, problems: [], head: { id: 5, hash: prev } });
    expect(await store.cases.persons(1, true)).toEqual([{ pnr: "19121212-1212", name: null }]);
    await store.write(async () => await store.audit.record("after", null, {}));
    expect((await store.audit.verify()).problems).toEqual([]);
  } finally {
    store.close();
  }
  const raw = new Database(join(dir, "avvik.db"));
  raw.exec("DROP TRIGGER audit_no_delete");
  raw.prepare("DELETE FROM audit WHERE id = 6").run();
  raw.close();
  // A wrong key is refused on a register without a key check too (the stored person does not open).
  writeFileSync(join(dir, "key"), randomBytes(32).toString("base64"));
  const again = await Store.open({ home: dir, actor: { user: "test", now: new Date("2026-03-10T11:00:00") } });
  try {
    expect((await again.audit.verify()).problems).toEqual([{ kind: "deleted", ids: [6] }]);
    await expect(again.cipher()).rejects.toThrow(/keyWrong/);
  } finally {
    again.close();
  }
});
