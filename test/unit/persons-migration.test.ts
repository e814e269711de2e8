// Migration 18: a register whose persons were sealed field by field (number and name each in its own blob, the
// number's keyed hash as hex text) is converted in place to one sealed blob per person and a 32-byte hash; it
// reads the same afterwards, and a register made now writes the new form only. A wrong or missing key stops the
// migration before it changes anything.

import Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { FieldCipher, KEY_CHECK, keyCheckOf } from "../../src/store/crypto.js";
import { MIGRATIONS } from "../../src/store/migrations/index.js";
import { Store } from "../../src/store/store.js";
import { nativeSqlite } from "../helpers/native.js";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const TOLVAN = "191212121212";
const MARTA = "198112189876";
const NAME = "Tolvan Tolvansson";
const at = "2026-03-10T09:00:00";
const actor = { user: "test", now: new Date("2026-03-10T10:00:00") };

/** A register at schema 17 with three persons in the old form: one with a name, one without, one purged. */
function oldRegister(master: Buffer): { hashes: string[] } {
  dir = mkdtempSync(join(tmpdir(), "avvik-mig18-"));
  writeFileSync(join(dir, "key"), master.toString("base64"), { mode: 0o600 });
  const cipher = new FieldCipher(master);
  const db = new Database(join(dir, "avvik.db"));
  db.pragma("journal_mode = WAL");
  const ctx = { cipher: () => cipher };
  for (const m of MIGRATIONS.filter((m) => m.version <= 17)) db.transaction(() => m.up(db, ctx))();
  db.pragma("user_version = 17");
  db.prepare("INSERT INTO settings VALUES ('org_id', 'linkoping'), (?, ?)").run(KEY_CHECK, keyCheckOf(cipher));
  db.prepare("INSERT INTO orgs (id, name, kind, is_self, created_at) VALUES ('linkoping', 'Linköpings kommun', 'municipality', 1, ?)").run(at);
  db.prepare("INSERT INTO orgs (id, name, kind, created_at) VALUES ('region', 'Region', 'region', ?)").run(at);
  db.prepare(
    "INSERT INTO cases (id, direction, status, counterpart_id, event_date, discovered_date, registered_at, due_date, kind, area, summary, updated_at) VALUES (1, 'out', 'registered', 'region', '2026-03-01', '2026-03-02', ?, '2026-05-02', 'risk', 'ovrigt', 'S', ?)",
  ).run(at, at);
  const insert = db.prepare("INSERT INTO persons (case_id, pnr_enc, name_enc, pnr_hash, purged_at) VALUES (1, ?, ?, ?, ?)");
  insert.run(cipher.encrypt(TOLVAN), cipher.encrypt(NAME), cipher.hash(TOLVAN), null);
  insert.run(cipher.encrypt(MARTA), null, cipher.hash(MARTA), null);
  insert.run(null, null, null, at);
  db.close();
  return { hashes: [cipher.hash(TOLVAN), cipher.hash(MARTA)] };
}

function raw<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(join(dir, "avvik.db"), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Every byte the register keeps on disk (database, WAL). */
function bytesOnDisk(): Buffer {
  return Buffer.concat(["avvik.db", "avvik.db-wal"].filter((f) => existsSync(join(dir, f))).map((f) => readFileSync(join(dir, f))));
}

it("converts an old register's persons to one sealed blob each and reads them the same", async () => {
  const master = randomBytes(32);
  const { hashes } = oldRegister(master);
  const store = await Store.open({ home: dir, actor });
  try {
    expect(await store.cases.persons(1, true)).toEqual([
      { pnr: "19121212-1212", name: NAME },
      { pnr: "19811218-9876", name: null },
    ]);
    expect((await store.cases.persons(1, false)).map((p) => p.name)).toEqual(["T. T.", null]);
    // The register's own check opens every person with the key.
    expect((await store.protection.check()).problems.filter((p) => p.kind !== "audit")).toEqual([]);
  } finally {
    store.close();
  }
  raw((db) => {
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.prepare("SELECT name FROM pragma_table_info('persons') ORDER BY cid").pluck().all()).toEqual(["id", "case_id", "sealed", "pnr_hash", "purged_at"]);
    const rows = db.prepare("SELECT id, sealed, pnr_hash, typeof(pnr_hash) AS t, purged_at FROM persons ORDER BY id").all() as any[];
    expect(rows.map((r) => [r.id, r.t, r.purged_at])).toEqual([
      [1, "blob", null],
      [2, "blob", null],
      [3, "null", at],
    ]);
    expect(rows.slice(0, 2).map((r) => (r.pnr_hash as Buffer).toString("hex"))).toEqual(hashes);
    expect(rows.slice(0, 2).map((r) => (r.sealed as Buffer)[0])).toEqual([2, 2]);
    expect(rows[2].sealed).toBeNull();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'persons' ORDER BY name").pluck().all()).toEqual(["persons_case", "persons_hash"]);
  });
  const disk = bytesOnDisk();
  for (const clear of [TOLVAN, MARTA, NAME]) expect(disk.includes(Buffer.from(clear, "utf8")), clear).toBe(false);
});

it("writes the new form in a register made now: one sealed blob and the hash's 32 bytes", async () => {
  dir = mkdtempSync(join(tmpdir(), "avvik-mig18-"));
  const store = await Store.create({ home: dir, actor });
  try {
    await store.write(async () => {
      await store.settings.set("org_id", "linkoping");
      await store.orgs.add({ id: "region", name: "Region", kind: "region" });
    });
    const cipher = await store.cipher();
    nativeSqlite(store).prepare(
      "INSERT INTO cases (id, direction, status, counterpart_id, event_date, discovered_date, registered_at, due_date, kind, area, summary, updated_at) VALUES (1, 'out', 'registered', 'region', '2026-03-01', '2026-03-02', ?, '2026-05-02', 'risk', 'ovrigt', 'S', ?)",
    ).run(at, at);
    await store.write(async () => await store.cases.addPersons(1, [{ digits: TOLVAN, name: NAME }]));
    const row = nativeSqlite(store).prepare("SELECT sealed, pnr_hash FROM persons").get() as { sealed: Buffer; pnr_hash: Buffer };
    expect(row.sealed[0]).toBe(2);
    expect(row.pnr_hash).toEqual(cipher.personHash(TOLVAN));
    expect(row.pnr_hash.length).toBe(32);
    expect(cipher.openPerson(row.sealed)).toEqual({ digits: TOLVAN, name: NAME });
    expect(await store.cases.persons(1, true)).toEqual([{ pnr: "19121212-1212", name: NAME }]);
  } finally {
    store.close();
  }
});

it("leaves an old register as it was when the key is wrong or missing", async () => {
  oldRegister(randomBytes(32));
  const before = readFileSync(join(dir, "avvik.db"));
  writeFileSync(join(dir, "key"), randomBytes(32).toString("base64"), { mode: 0o600 });
  await expect(Store.open({ home: dir, actor })).rejects.toThrow(/keyWrong/);
  rmSync(join(dir, "key"));
  await expect(Store.open({ home: dir, actor })).rejects.toThrow(/keyMissing/);
  raw((db) => {
    expect(db.pragma("user_version", { simple: true })).toBe(17);
    expect(db.prepare("SELECT count(*) FROM persons WHERE pnr_enc IS NOT NULL").pluck().get()).toBe(2);
  });
  expect(readFileSync(join(dir, "avvik.db")).equals(before)).toBe(true);
});
