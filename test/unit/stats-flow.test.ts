// Who reported whom, from the monthly aggregates (migration 013): the cases per direction and counterpart and
// the handling days per counterpart. An older register is rebuilt by the migration; afterwards the triggers
// (every case write, direction changes included) and the import keep the aggregates equal to counting the cases.

import Database from "better-sqlite3";
import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AREAS } from "../../src/core/codes.js";
import { parsePeriod } from "../../src/core/stats.js";
import { MIGRATIONS } from "../../src/store/migrations/index.js";
import { composeStats } from "../../src/store/stats.js";
import { Store } from "../../src/store/store.js";
import { nativeSqlite } from "../helpers/native.js";

const NOW = new Date("2027-02-01T12:00:00");
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), "avvik-flow-"));
  dirs.push(home);
  return home;
}

const PERIODS = ["2025H2", "2026H1", "2026H2", "2025", "2026"];

async function expectAggregatesEqualLive(store: Store): Promise<void> {
  for (const label of PERIODS) {
    const p = parsePeriod(label)!;
    expect(await composeStats(store, p), label).toEqual(await composeStats(store, p, { live: true }));
  }
}

describe("aggregates per direction and counterpart (migration 013)", () => {
  it("rebuilds the aggregates of a register made before it", async () => {
    const home = tempHome();
    writeFileSync(join(home, "key"), randomBytes(32).toString("base64"), { mode: 0o600 });
    const db = new Database(join(home, "avvik.db"));
    db.pragma("journal_mode = WAL");
    for (const m of MIGRATIONS.filter((x) => x.version < 13)) {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
    const at = "2026-03-10T09:00:00+01:00";
    db.prepare("INSERT INTO settings VALUES ('org_id', 'self')").run();
    db.prepare("INSERT INTO orgs (id, name, kind, is_self, created_at) VALUES ('self', 'Egen kommun', 'municipality', 1, ?)").run(at);
    db.prepare("INSERT INTO orgs (id, name, kind, created_at) VALUES ('reg', 'Regionen', 'region', ?)").run(at);
    db.prepare("INSERT INTO orgs (id, name, kind, created_at) VALUES ('kom', 'Grannkommunen', 'municipality', ?)").run(at);
    const insert = db.prepare(
      `INSERT INTO cases (direction, status, counterpart_id, event_date, discovered_date, registered_at, due_date, kind, area, summary, answered_at, updated_at)
       VALUES (?, ?, ?, '2026-03-01', '2026-03-02', ?, '2026-05-02', 'risk', 'ovrigt', 'S', ?, ?)`,
    );
    // [direction, counterpart, registered, answered]
    const rows: Array<[string, string, string, string | null]> = [
      ["out", "reg", "2026-03-10T09:00:00+01:00", "2026-03-12T10:00:00+01:00"], // 10 days
      ["out", "reg", "2026-03-11T09:00:00+01:00", "2026-03-22T10:00:00+01:00"], // 20 days
      ["in", "reg", "2026-04-11T09:00:00+02:00", null],
      ["in", "kom", "2026-05-11T09:00:00+02:00", "2026-04-01T10:00:00+02:00"], // 30 days
      ["out", "kom", "2025-11-11T09:00:00+01:00", null],
    ];
    for (const [dir, cp, reg, ans] of rows) insert.run(dir, ans ? "answered" : "registered", cp, reg, ans, reg);
    db.close();

    const store = await Store.open({ home, actor: { user: "test", now: NOW } });
    try {
      expect(nativeSqlite(store).pragma("user_version", { simple: true })).toBeGreaterThanOrEqual(13);
      const h1 = await composeStats(store, parsePeriod("2026H1")!);
      expect(h1.byDirection).toEqual({ in: 2, out: 2 });
      expect(h1.byCounterpartDirection).toEqual({ reg: { in: 1, out: 2 }, kom: { in: 1, out: 0 } });
      expect(h1.handlingDaysByCounterpart).toEqual({ kom: { median: 30, p90: 30, count: 1 }, reg: { median: 15, p90: 20, count: 2 } });
      expect(h1.handlingDays).toEqual({ median: 20, p90: 30, count: 3 });
      expect(h1.previous.byCounterpartDirection).toEqual({ kom: { in: 0, out: 1 } });
      await expectAggregatesEqualLive(store);
    } finally {
      store.close();
    }
  });

  const date = fc.record({ m: fc.integer({ min: 0, max: 18 }), d: fc.integer({ min: 1, max: 28 }) }).map(({ m, d }) => {
    const y = 2025 + Math.floor((6 + m) / 12);
    const month = ((6 + m) % 12) + 1;
    return `${y}-${String(month).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  });
  const op = fc.oneof(
    fc.record({
      type: fc.constant("create" as const),
      reg: date,
      area: fc.constantFrom(...AREAS),
      cp: fc.constantFrom("reg", "kom"),
      direction: fc.constantFrom("in" as const, "out" as const),
    }),
    fc.record({
      type: fc.constant("set" as const),
      target: fc.nat(),
      column: fc.constantFrom("direction", "counterpart_id", "answered_at", "duplicate_of", "registered_at", "discovered_date"),
      value: fc.nat(),
      when: date,
    }),
    fc.record({ type: fc.constant("delete" as const), target: fc.nat() }),
  );

  it("are kept by every case write, a change of direction or counterpart included (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (ops) => {
        const home = mkdtempSync(join(tmpdir(), "avvik-flow-"));
        const store = await Store.create({ home, actor: { user: "test", now: NOW } });
        try {
          await store.write(async () => {
            await store.settings.set("org_id", "self");
            await store.orgs.add({ id: "self", name: "Egen kommun", kind: "municipality" }, true);
            await store.orgs.add({ id: "reg", name: "Regionen", kind: "region", deadlineMonths: 3 });
            await store.orgs.add({ id: "kom", name: "Grannkommunen", kind: "municipality" });
          });
          const ids: number[] = [];
          for (const o of ops) {
            await store.write(async () => {
              if (o.type === "create") {
                store.actor.now = new Date(`${o.reg}T10:00:00`);
                const input = { direction: o.direction, counterpartId: o.cp, unitId: null, eventDate: o.reg, discoveredDate: o.reg, receivedDate: o.direction === "in" ? o.reg : null, kind: "risk" as const, area: o.area, summary: "Händelse", description: null, refs: [], persons: [] };
                ids.push(await store.cases.create(input, null, { diarise: false }));
                return;
              }
              if (ids.length === 0) return;
              const id = ids[o.target % ids.length]!;
              if (o.type === "delete") {
                nativeSqlite(store).prepare("UPDATE cases SET duplicate_of = NULL WHERE duplicate_of = ?").run(id);
                nativeSqlite(store).prepare("DELETE FROM cases WHERE id = ?").run(id);
                ids.splice(ids.indexOf(id), 1);
                return;
              }
              const values: Record<string, Array<string | number | null>> = {
                direction: ["in", "out"],
                counterpart_id: ["reg", "kom"],
                answered_at: [`${o.when}T09:00:00+01:00`, null],
                duplicate_of: [...ids.filter((x) => x !== id), null],
                registered_at: [`${o.when}T23:59:00+02:00`, `${o.when}T00:01:00+01:00`],
                discovered_date: [o.when],
              };
              const list = values[o.column]!;
              nativeSqlite(store).prepare(`UPDATE cases SET ${o.column} = ? WHERE id = ?`).run(list[o.value % list.length]!, id);
            });
          }
          await expectAggregatesEqualLive(store);
          // and they say what a count of the cases says
          const p = parsePeriod("2026")!;
          const counted = nativeSqlite(store)
            .prepare(
              "SELECT direction, count(*) AS n FROM cases WHERE duplicate_of IS NULL AND registered_at >= '2026-01-01' AND registered_at < '2027-01-01' GROUP BY direction",
            )
            .all() as Array<{ direction: "in" | "out"; n: number }>;
          const byDirection = { in: 0, out: 0 };
          for (const r of counted) byDirection[r.direction] = r.n;
          expect((await composeStats(store, p)).byDirection).toEqual(byDirection);
        } finally {
          store.close();
          rmSync(home, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });
});
