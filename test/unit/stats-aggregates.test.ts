// The monthly aggregates (kept by triggers, migration 005) must always say what counting the cases says,
// whatever happens to the cases: new ones, changed codes, answers, duplicate links, moves between months,
// deletions. Random sequences of changes against a real SQLite register.

import fc from "fast-check";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AREAS, KINDS, SEVERITIES } from "../../src/core/codes.js";
import { parsePeriod } from "../../src/core/stats.js";
import { composeStats } from "../../src/store/stats.js";
import { Store } from "../../src/store/store.js";
import { nativeSqlite } from "../helpers/native.js";

const NOW = new Date("2027-02-01T12:00:00");

let template: string | undefined;

/** A register with its organisations, copied from one made once for the file (migrating one costs more than the run). */
async function register(): Promise<{ store: Store; home: string }> {
  if (!template) {
    template = mkdtempSync(join(tmpdir(), "avvik-agg-template-"));
    const store = await Store.create({ home: template, actor: { user: "test", now: NOW } });
    await store.write(async () => {
      await store.settings.set("org_id", "self");
      await store.orgs.add({ id: "self", name: "Egen kommun", kind: "municipality" }, true);
      await store.orgs.add({ id: "reg", name: "Regionen", kind: "region", deadlineMonths: 3 });
      await store.orgs.add({ id: "kom", name: "Grannkommunen", kind: "municipality" });
      await store.orgs.add({ id: "unit", name: "Enheten", kind: "region", parentId: "reg" });
    });
    store.close();
  }
  const home = mkdtempSync(join(tmpdir(), "avvik-agg-"));
  cpSync(template, home, { recursive: true });
  return { store: await Store.open({ home, actor: { user: "test", now: NOW } }), home };
}

afterAll(() => {
  if (template) rmSync(template, { recursive: true, force: true });
});

const date = fc.record({ m: fc.integer({ min: 0, max: 18 }), d: fc.integer({ min: 1, max: 28 }) }).map(({ m, d }) => {
  const y = 2025 + Math.floor((6 + m) / 12);
  const month = ((6 + m) % 12) + 1;
  return `${y}-${String(month).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
});

const op = fc.oneof(
  fc.record({ type: fc.constant("create" as const), reg: date, area: fc.constantFrom(...AREAS), kind: fc.constantFrom(...KINDS), cp: fc.constantFrom("reg", "kom") }),
  fc.record({
    type: fc.constant("set" as const),
    target: fc.nat(),
    column: fc.constantFrom("area", "severity", "unit_id", "answered_at", "duplicate_of", "registered_at", "due_date", "status"),
    value: fc.nat(),
    when: date,
  }),
  fc.record({ type: fc.constant("delete" as const), target: fc.nat() }),
);

describe("monthly aggregates kept by triggers", () => {
  it("always equal counting the cases (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40 }), async (ops) => {
        const { store, home } = await register();
        try {
          const ids: number[] = [];
          for (const o of ops) {
            await store.write(async () => {
              if (o.type === "create") {
                store.actor.now = new Date(`${o.reg}T10:00:00`);
                const id = await store.cases.create(
                  { direction: "out", counterpartId: o.cp, unitId: null, eventDate: o.reg, discoveredDate: o.reg, receivedDate: null, kind: o.kind, area: o.area, summary: "Händelse", description: null, refs: [], persons: [] },
                  null,
                  { diarise: false },
                );
                ids.push(id);
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
                area: [...AREAS],
                severity: [...SEVERITIES, null],
                unit_id: ["unit", null],
                answered_at: [`${o.when}T09:00:00+01:00`, null],
                duplicate_of: [...ids.filter((x) => x !== id), null],
                registered_at: [`${o.when}T23:59:00+02:00`, `${o.when}T00:01:00+01:00`],
                due_date: [o.when],
                status: ["registered", "sent", "answered", "closed"],
              };
              const list = values[o.column]!;
              nativeSqlite(store).prepare(`UPDATE cases SET ${o.column} = ? WHERE id = ?`).run(list[o.value % list.length]!, id);
            });
          }
          for (const label of ["2025H2", "2026H1", "2026H2", "2025", "2026"]) {
            const p = parsePeriod(label)!;
            expect(await composeStats(store, p), label).toEqual(await composeStats(store, p, { live: true }));
          }
          // Periods with edge months (their days from the daily aggregates, migration 019).
          for (const [from, to] of [["2025-11-15", "2026-02-10"], ["2026-03-03", "2026-03-20"]] as const) {
            const p = { ...parsePeriod("2026")!, from, to };
            expect(await composeStats(store, p), `${from}..${to}`).toEqual(await composeStats(store, p, { live: true }));
          }
        } finally {
          store.close();
          rmSync(home, { recursive: true, force: true });
        }
      }),
      { numRuns: 100 },
    );
  });
});
