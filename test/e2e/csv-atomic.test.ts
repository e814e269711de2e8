// The write phase on its own: one transaction, so a failure on the last staged row leaves the register as it was.
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Store } from "../../src/store/store.js";
import type { CaseFields } from "../../src/store/imports.js";
import { linkoping, type Sandbox } from "../helpers/cli.js";

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

describe("the write phase of an import", () => {
  it("is all or nothing: a row failing after thousands of others leaves cases, refs, persons and audit untouched", () => {
    s = linkoping();
    const home = join(s.home, "data");
    store = Store.open({ home, actor: { user: "test", now: new Date("2026-03-10T09:00:00") } });
    const auditBefore = store.audit.list().length;
    const staging = store.imports.openStaging();
    const persons = store.imports.seal([{ digits: "191212121212", name: "Tolvan" }]);
    staging.batch(() => {
      for (let i = 0; i < 3000; i++) staging.add(i + 2, String(i), null, `fp${i}`, fields("region-ostergotland"), persons);
      // The last row names an organisation that is not in the directory: applying it fails, at the very end.
      staging.add(3002, "last", null, "fp-last", fields("no-such-org"), null);
    });
    expect(() => store!.imports.apply(staging, { system: "test", direction: "in", diarise: true, dryRun: false, summary: {} })).toThrow();
    staging.remove();
    expect(store.cases.list()).toEqual([]);
    expect(store.audit.list()).toHaveLength(auditBefore);
    expect(store.audit.verify().problems).toEqual([]);
    expect(store.db.prepare("SELECT count(*) FROM persons").pluck().get()).toBe(0);
    expect(store.db.prepare("SELECT count(*) FROM case_refs").pluck().get()).toBe(0);
    expect(store.db.prepare("SELECT count(*) FROM import_rows").pluck().get()).toBe(0);
    expect(store.db.prepare("SELECT count(*) FROM diary_sequences").pluck().get()).toBe(0);
    expect(existsSync(staging.file)).toBe(false);
  });

  it("keeps the audit chain intact and removes staging files left by a killed import", () => {
    s = linkoping();
    const home = join(s.home, "data");
    const stale = join(home, ".import-999999-deadbeef.tmp");
    writeFileSync(stale, "left over");
    store = Store.open({ home, actor: { user: "test", now: new Date("2026-03-10T09:00:00") } });
    const staging = store.imports.openStaging();
    expect(existsSync(stale)).toBe(false);
    staging.batch(() => {
      for (let i = 0; i < 50; i++) staging.add(i + 2, String(i), null, `fp${i}`, fields("region-ostergotland"), null);
    });
    const r = store.imports.apply(staging, { system: "test", direction: "in", diarise: true, dryRun: false, summary: {} });
    staging.remove();
    expect(r).toMatchObject({ created: 50, diarised: 50 });
    expect(store.audit.verify().problems).toEqual([]);
    expect(readdirSync(home).filter((n) => n.startsWith(".import-"))).toEqual([]);
  });
});
