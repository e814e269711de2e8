// The asynchronous store on both engines (SQLite, and PostgreSQL: a database of its own per test on the test
// run's server): one transaction at a time per connection and per register in this process, a write inside a
// write as a savepoint, all or nothing, and one snapshot per read.

import { AsyncLocalStorage } from "node:async_hooks";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Store } from "../../src/store/store.js";
import { freshDatabase, SCHEMA_TEMPLATE } from "../helpers/postgres.js";

const actor = () => ({ user: "test", now: new Date("2026-03-10T09:00:00") });
const setting = (s: Store, key: string) => s.settings.get(key);

describe.each(["sqlite", "postgres"])("transactions of the asynchronous store (%s)", (engine) => {
  let dir: string;
  let store: Store;
  let databaseUrl: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  const open = () => Store.open({ home: dir, actor: actor(), databaseUrl });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "avvik-async-"));
    if (engine === "postgres") ({ url: databaseUrl, drop } = await freshDatabase(SCHEMA_TEMPLATE));
    store = await Store.create({ home: dir, actor: actor(), databaseUrl });
    await store.write(() => store.settings.set("org_id", "x"));
  });

  afterEach(async () => {
    store.close();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs overlapping writes one after the other: the second never sees or joins the first", async () => {
    const order: string[] = [];
    const a = store.write(async () => {
      await store.settings.set("a", "1");
      order.push("a begins");
      await sleep(20); // other work of the process runs meanwhile
      await store.settings.set("a", "2");
      order.push("a ends");
    });
    const b = store.write(async () => {
      order.push(`b sees a=${await setting(store, "a")}`);
      await store.settings.set("b", "1");
      throw new Error("b fails");
    });
    await a;
    await expect(b).rejects.toThrow("b fails");
    expect(order).toEqual(["a begins", "a ends", "b sees a=2"]);
    expect(await setting(store, "a")).toBe("2");
    expect(await setting(store, "b")).toBeUndefined();
  });

  it("makes a write inside a write a savepoint: a failing inner part caught by the outer one is undone alone", async () => {
    await store.write(async () => {
      await store.settings.set("outer", "1");
      await expect(
        store.write(async () => {
          await store.settings.set("inner", "1");
          throw new Error("inner fails");
        }),
      ).rejects.toThrow("inner fails");
      await store.write(() => store.settings.set("inner2", "1"));
    });
    expect(await setting(store, "outer")).toBe("1");
    expect(await setting(store, "inner")).toBeUndefined();
    expect(await setting(store, "inner2")).toBe("1");
  });

  it("keeps the audit chain a chain when many writes of one process are started at once", async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.write(() => store.audit.record("test.event", null, { i }))));
    // outside a transaction, record makes its own
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.audit.record("test.alone", null, { i })));
    const v = await store.audit.verify();
    expect(v.problems).toEqual([]);
    expect(v.events).toBe(50);
  });

  it("lets two connections of one process to the same register write at once without 'database is locked'", async () => {
    const other = await open();
    try {
      const writes = (s: Store, tag: string) =>
        Array.from({ length: 10 }, (_, i) =>
          s.write(async () => {
            await s.audit.record(`${tag}.event`, null, { i });
            await sleep(2);
          }),
        );
      await Promise.all([...writes(store, "a"), ...writes(other, "b")]);
      const v = await store.audit.verify();
      expect(v.problems).toEqual([]);
      expect((await store.audit.list()).filter((e) => e.action.endsWith(".event"))).toHaveLength(20);
    } finally {
      other.close();
    }
  });

  it("keeps the transactions of every connection in one AsyncLocalStorage, and one inside another apart", async () => {
    // Node.js visits every AsyncLocalStorage that has ever run for each promise the process creates: one per
    // connection made each promise slower with every register opened (a test worker opens thousands).
    const used = new Set<AsyncLocalStorage<unknown>>();
    const run = AsyncLocalStorage.prototype.run;
    AsyncLocalStorage.prototype.run = function (this: AsyncLocalStorage<unknown>, ...args: Parameters<typeof run>) {
      used.add(this);
      return run.apply(this, args);
    } as typeof run;
    const others: Store[] = [];
    try {
      for (let i = 0; i < 3; i++) others.push(await open());
      // A read on one connection inside a write on another: each statement runs in its own connection's.
      await store.write(async () => {
        await store.settings.set("outer", "1");
        await others[0]!.read(async () => {
          expect(await setting(others[0]!, "outer")).toBeUndefined(); // the write is not committed yet
          expect(store.sql.inTransaction).toBe(true);
          await store.settings.set("outer2", "1"); // still in the outer write, not in the read
        });
      });
      expect(others[0]!.sql.inTransaction).toBe(false);
      for (const o of others.slice(1)) await o.read(() => setting(o, "outer"));
      expect(used.size).toBe(1);
    } finally {
      AsyncLocalStorage.prototype.run = run;
      for (const o of others) o.close();
    }
    expect(await setting(store, "outer2")).toBe("1");
  });

  it("reads one snapshot in a read, whatever another connection commits meanwhile", async () => {
    const other = await open();
    try {
      const seen = await store.read(async () => {
        const before = await setting(store, "k");
        await other.write(() => other.settings.set("k", "v"));
        return { before, after: await setting(store, "k") };
      });
      expect(seen).toEqual({ before: undefined, after: undefined });
      expect(await setting(store, "k")).toBe("v");
    } finally {
      other.close();
    }
  });
});
