// The audit trail's tamper evidence, attacked the way someone with sqlite3 and write access would:
// drop the append-only triggers, then edit, delete, insert and reorder events directly.

import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventHash, GENESIS_HASH } from "../../src/store/audit.js";
import { Store } from "../../src/store/store.js";
import { nativeSqlite } from "../helpers/native.js";

let dir: string;
let store: Store;
let raw: Database.Database;

interface Row {
  id: number;
  at: string;
  user: string;
  action: string;
  case_id: number | null;
  details: string;
  prev_hash: string;
  hash: string;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "avvik-audit-"));
  store = await Store.create({ home: dir, actor: { user: "test", now: new Date("2026-03-10T09:00:00") } });
  for (let i = 1; i <= 10; i++) await store.write(async () => await store.audit.record("test.event", null, { n: i }));
  raw = new Database(join(dir, "avvik.db"));
  raw.exec("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;");
});

afterEach(() => {
  raw.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = (): Row[] => raw.prepare("SELECT * FROM audit ORDER BY id").all() as Row[];
const row = (id: number): Row => raw.prepare("SELECT * FROM audit WHERE id = ?").get(id) as Row;
const insert = (r: Row) => raw.prepare("INSERT INTO audit VALUES (@id, @at, @user, @action, @case_id, @details, @prev_hash, @hash)").run(r);
const fake = (id: number, prevHash: string): Row => {
  const r = { id, at: "2026-03-10T09:00:00+01:00", user: "mallory", action: "case.status", case_id: null, details: "{}" };
  return { ...r, prev_hash: prevHash, hash: eventHash(prevHash, r) };
};
const problems = async () => (await store.audit.verify()).problems;

describe("audit verify", () => {
  it("finds nothing wrong in an untouched trail", async () => {
    const r = await store.audit.verify();
    expect(r.events).toBe(10);
    expect(r.problems).toEqual([]);
    expect(r.head).toEqual({ id: 10, hash: row(10).hash });
  });

  it("the triggers refuse changes through a normal connection (until an attacker drops them)", async () => {
    const other = mkdtempSync(join(tmpdir(), "avvik-audit-"));
    const s = await Store.create({ home: other, actor: { user: "test", now: new Date("2026-03-10T09:00:00") } });
    try {
      await s.write(async () => await s.audit.record("test.event", null, {}));
      expect(() => nativeSqlite(s).prepare("UPDATE audit SET user = 'x' WHERE id = 1").run()).toThrow(/append-only/);
      expect(() => nativeSqlite(s).prepare("DELETE FROM audit WHERE id = 1").run()).toThrow(/append-only/);
    } finally {
      s.close();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("names an edited event", async () => {
    raw.prepare("UPDATE audit SET user = 'mallory' WHERE id = 4").run();
    expect(await problems()).toEqual([{ kind: "edited", id: 4 }]);
  });

  it("names an edited event whose hash was recomputed", async () => {
    const r = row(4);
    const changed = { ...r, details: JSON.stringify({ n: 99 }) };
    raw.prepare("UPDATE audit SET details = ?, hash = ? WHERE id = 4").run(changed.details, eventHash(r.prev_hash, changed));
    expect(await problems()).toEqual([{ kind: "edited", id: 4 }]);
  });

  it("names the last event edited with its hash recomputed (the recorded head still has the old hash)", async () => {
    const r = row(10);
    const changed = { ...r, user: "mallory" };
    raw.prepare("UPDATE audit SET user = ?, hash = ? WHERE id = 10").run(changed.user, eventHash(r.prev_hash, changed));
    expect(await problems()).toEqual([{ kind: "edited", id: 10 }]);
  });

  it("names an event deleted in the middle", async () => {
    raw.prepare("DELETE FROM audit WHERE id = 5").run();
    expect(await problems()).toEqual([{ kind: "deleted", ids: [5] }]);
  });

  it("names events deleted at the end (the head recorded in the settings says how far the trail went)", async () => {
    raw.prepare("DELETE FROM audit WHERE id >= 9").run();
    expect(await problems()).toEqual([{ kind: "deleted", ids: [9, 10] }]);
  });

  it("says so when the head itself is deleted too", async () => {
    raw.prepare("DELETE FROM audit WHERE id = 10").run();
    raw.prepare("DELETE FROM settings WHERE key = 'audit_head'").run();
    expect(await problems()).toEqual([{ kind: "head", reason: "missing" }]);
  });

  it("names an event appended with a correctly computed hash", async () => {
    insert(fake(11, row(10).hash));
    expect(await problems()).toEqual([{ kind: "inserted", id: 11 }]);
  });

  it("names an event slipped in between, with the rest renumbered", async () => {
    const before = rows();
    raw.prepare("UPDATE audit SET id = -id WHERE id >= 5").run();
    raw.prepare("UPDATE audit SET id = -id + 1 WHERE id < 0").run();
    insert(fake(5, before[3]!.hash));
    expect(await problems()).toEqual([
      { kind: "inserted", id: 5 },
      { kind: "renumbered", ids: [6, 7, 8, 9, 10, 11], offset: 1 },
    ]);
  });

  it("names an event replaced by another (deleted, and a new one put in its place)", async () => {
    raw.prepare("DELETE FROM audit WHERE id = 6").run();
    insert(fake(6, row(5).hash));
    expect(await problems()).toEqual([{ kind: "edited", id: 6 }]);
  });

  it("names a reordered pair", async () => {
    raw.prepare("UPDATE audit SET id = -1 WHERE id = 3").run();
    raw.prepare("UPDATE audit SET id = 3 WHERE id = 4").run();
    raw.prepare("UPDATE audit SET id = 4 WHERE id = -1").run();
    expect(await problems()).toEqual([{ kind: "reordered", ids: [3, 4] }]);
  });

  it("names an event deleted with the rest renumbered to hide the gap", async () => {
    raw.prepare("DELETE FROM audit WHERE id = 5").run();
    raw.prepare("UPDATE audit SET id = -id WHERE id > 5").run();
    raw.prepare("UPDATE audit SET id = -id - 1 WHERE id < 0").run();
    const p = await problems();
    expect(p).toContainEqual({ kind: "deleted", ids: [5] });
    expect(p).toContainEqual({ kind: "renumbered", ids: [5, 6, 7, 8, 9], offset: -1 });
  });

  it("cannot detect a chain rewritten from the edit onwards together with the head (documented limit)", async () => {
    let prev = row(3).hash;
    for (const r of rows().filter((x) => x.id >= 4)) {
      const changed = { ...r, user: r.id === 4 ? "mallory" : r.user };
      const hash = eventHash(prev, changed);
      raw.prepare("UPDATE audit SET user = ?, prev_hash = ?, hash = ? WHERE id = ?").run(changed.user, prev, hash, r.id);
      prev = hash;
    }
    // Without the head the rewrite shows …
    expect(await problems()).toEqual([{ kind: "edited", id: 10 }]);
    // … with the head forged as well it does not: only a copy of the head kept elsewhere can show it.
    raw.prepare("UPDATE settings SET value = ? WHERE key = 'audit_head'").run(JSON.stringify({ id: 10, hash: prev }));
    expect(await problems()).toEqual([]);
    expect(GENESIS_HASH).toHaveLength(64);
  });
});

describe("verify while others write", () => {
  it("reads the events and the recorded head from one snapshot", async () => {
    raw.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('org_id', 'test')").run();
    const other = await Store.open({ home: dir, actor: { user: "other", now: new Date("2026-03-10T10:00:00") } });
    try {
      const seen = await store.read(async () => {
        const events = (await store.audit.list()).length;
        // Another process appends between the two reads; the snapshot must not see it.
        await other.write(() => other.audit.record("test.other", null, {}));
        return { events, head: await store.audit.head(), verify: await store.audit.verify() };
      });
      expect(seen.events).toBe(10);
      expect(seen.head).toMatchObject({ id: 10 });
      expect(seen.verify).toMatchObject({ events: 10, problems: [] });
      // Outside the snapshot the new event is there, and the chain is whole.
      expect(await store.audit.verify()).toMatchObject({ events: 11, problems: [] });
    } finally {
      other.close();
    }
  });
});

describe("events appended together (recordAll)", () => {
  it("makes the chain and the head that the same events appended one by one make, across a statement's worth", async () => {
    // 1,203 events: more than two of recordAll's INSERTs (500 events each), after the 10 of beforeEach.
    const events = Array.from({ length: 1203 }, (_, i) => ({ action: i % 3 ? "case.update" : "case.diarise", caseId: i % 7 ? i + 1 : null, details: { n: i, ref: `synergi:${i}` } }));
    await store.write(async () => await store.audit.recordAll(events));
    const together = rows();
    const other = mkdtempSync(join(tmpdir(), "avvik-audit-"));
    const one = await Store.create({ home: other, actor: { user: "test", now: new Date("2026-03-10T09:00:00") } });
    try {
      for (let i = 1; i <= 10; i++) await one.write(async () => await one.audit.record("test.event", null, { n: i }));
      for (const e of events) await one.write(async () => await one.audit.record(e.action, e.caseId, e.details));
      const alone = new Database(join(other, "avvik.db"));
      try {
        expect(together).toHaveLength(1213);
        expect(together).toEqual(alone.prepare("SELECT * FROM audit ORDER BY id").all());
      } finally {
        alone.close();
      }
      expect(await store.audit.head()).toEqual(await one.audit.head());
    } finally {
      one.close();
      rmSync(other, { recursive: true, force: true });
    }
    expect(await store.audit.head()).toEqual({ id: 1213, hash: together.at(-1)!.hash });
    expect(await problems()).toEqual([]);
  });
});
