// The write side of an import on its own: one transaction, so a failure on the last row leaves the register as it was.
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Store } from "../../src/store/store.js";
import type { CaseFields, ImportedRow } from "../../src/store/imports.js";
import { linkoping, type Sandbox } from "../helpers/cli.js";
import { nativeSqlite } from "../helpers/native.js";

let s: Sandbox;
let store: Store | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
  s?.cleanup();
});

const fields = (counterpartId: string): CaseFields => ({
  eventDate: "2026-03-01",
  discoveredDate: "2026-03-02",
  receivedDate: null,
  summary: "Avvikelse",
  description: null,
  area: "lakemedel",
  kind: "tillbud",
  severity: null,
  counterpartId,
  unitId: null,
  status: null,
});

const row = (i: number, counterpartId: string, persons: ImportedRow["persons"] = []): ImportedRow => ({
  line: i + 2,
  externalId: String(i),
  // Every third row arrives answered, with its own discovery date (handling days and the deadline vary).
  fields: i % 3 === 0 ? { ...fields(counterpartId), discoveredDate: `2026-0${1 + (i % 3)}-${String(1 + (i % 27)).padStart(2, "0")}`, status: "answered", severity: "gul" } : fields(counterpartId),
  fingerprint: `fp${i}`,
  persons,
  sealed: true,
});

describe("the write side of an import", () => {
  it("is all or nothing: a row failing after thousands of others leaves cases, refs, persons, statistics and audit untouched", async () => {
    s = linkoping();
    const home = join(s.home, "data");
    store = await Store.open({ home, actor: { user: "test", now: new Date("2026-03-10T09:00:00") } });
    const auditBefore = (await store.audit.list()).length;
    const c = (await store.cipher());
    const persons = [{ sealed: c.sealPerson("191212121212", "Tolvan"), hash: c.personHash("191212121212") }];
    const writer = store.imports.writer({ system: "test", direction: "in", diarise: true });
    await writer.begin();
    for (let b = 0; b < 3; b++) await writer.apply(Array.from({ length: 1000 }, (_, i) => row(b * 1000 + i, "region-ostergotland", persons)));
    // The last row names an organisation that is not in the directory: writing it fails, at the very end.
    await expect(async () => writer.apply([row(3000, "no-such-org")])).rejects.toThrow();
    await writer.rollback();
    expect(nativeSqlite(store).inTransaction).toBe(false);
    expect(await store.cases.list()).toEqual([]);
    expect(await store.audit.list()).toHaveLength(auditBefore);
    expect((await store.audit.verify()).problems).toEqual([]);
    for (const table of ["persons", "case_refs", "diary_sequences", "stats_month", "stats_handling"]) {
      expect(nativeSqlite(store).prepare(`SELECT count(*) FROM ${table}`).pluck().get(), table).toBe(0);
    }
    expect(nativeSqlite(store).prepare("SELECT count(*) FROM sqlite_master WHERE name = 'cases_stats_insert'").pluck().get()).toBe(1);
  });

  it("adds the new cases to the statistics at the end, keeps the audit chain intact and removes old staging files", async () => {
    s = linkoping();
    const home = join(s.home, "data");
    const stale = join(home, ".import-999999-deadbeef.tmp");
    writeFileSync(stale, "left over by a killed import of an older version");
    store = await Store.open({ home, actor: { user: "test", now: new Date("2026-03-10T09:00:00") } });
    const writer = store.imports.writer({ system: "test", direction: "in", diarise: true });
    await writer.begin();
    expect(existsSync(stale)).toBe(false);
    const outcomes = await writer.apply([...Array.from({ length: 40 }, (_, i) => row(i, "region-ostergotland")), row(7, "region-ostergotland")]);
    expect(outcomes.filter((o) => o.kind === "created")).toHaveLength(40);
    expect(outcomes[40]).toEqual({ kind: "duplicate", firstLine: 9 });
    // In a later batch, the run's own rows are recognised too.
    expect((await writer.apply([row(3, "region-ostergotland"), ...Array.from({ length: 10 }, (_, i) => row(40 + i, "region-ostergotland"))]))[0]).toEqual({ kind: "duplicate", firstLine: 5 });
    const r = await writer.commit({ file: "test.csv" });
    expect(r).toMatchObject({ created: 50, diarised: 50 });
    expect((await store.audit.verify()).problems).toEqual([]);
    expect(readdirSync(home).filter((n) => n.startsWith(".import-"))).toEqual([]);
    // The statistics equal what the insert trigger would have kept, case by case.
    expect(await store.stats.margins("2026-03-01", "2026-03-31")).toEqual(await store.stats.margins("2026-03-01", "2026-03-31", { live: true }));
    expect((await store.stats.margins("2026-03-01", "2026-03-31")).byArea).toEqual({ lakemedel: 50 });
    expect(await store.stats.handlingDays("2026-03-01", "2026-03-31")).toHaveLength(new Set(Array.from({ length: 17 }, (_, k) => (3 * k) % 27)).size);
    expect([...(await store.stats.handlingDays("2026-03-01", "2026-03-31"))].sort()).toEqual([...(await store.stats.handlingDays("2026-03-01", "2026-03-31", { live: true }))].sort());
    const event = (await store.audit.list()).filter((e) => e.action === "import");
    expect(event).toHaveLength(1);
    expect(event[0]!.details).toMatchObject({ created: 50, firstCase: 1, lastCase: 50 });
    // Each created case's history names the import that created it.
    expect((await store.audit.list(17)).map((e) => e.action)).toEqual(["case.diarise", "import"]);
  });
});
