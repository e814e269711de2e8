// An import adds its new cases to the monthly aggregates in batches (StatsRepo.addToAggregates), not through
// the trigger: the cases per direction and counterpart and the handling days per counterpart must come out as
// counting the cases says, for imports in both directions.

import { afterAll, beforeAll, expect, it } from "vitest";
import { join } from "node:path";
import { ROOT, linkoping, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
beforeAll(async () => {
  s = linkoping({ now: "2026-03-20T08:00:00" });
  for (const [file, profile] of [["synergi-vecka10.csv", "synergi"], ["synergi-vecka11.csv", "synergi"], ["treserva-mars.csv", "treserva"], ["medcontrol-mars.txt", "medcontrol"]]) {
    const r = await s.cli(["import", join(ROOT, "fixtures", "exports", file!), "--profile", profile!, "--skip-invalid", "--json"]);
    if (r.code !== 0) throw new Error(`${file}: ${r.stderr}`);
  }
});
afterAll(() => s?.cleanup());

it("keeps who reported whom and the handling days per counterpart after an import", async () => {
  const { Store } = await import("../../src/store/store.js");
  const { composeStats } = await import("../../src/store/stats.js");
  const { parsePeriod } = await import("../../src/core/stats.js");
  const store = await Store.open({ home: s.env.AVVIK_HOME!, actor: { user: "test", now: new Date("2026-08-01T08:00:00") } });
  try {
    const h1 = await composeStats(store, parsePeriod("2026H1")!);
    expect(h1.total).toBeGreaterThan(3);
    expect(h1.byDirection.in).toBeGreaterThan(0);
    expect(h1.byDirection.out).toBeGreaterThan(0);
    const sum = Object.values(h1.byCounterpartDirection).reduce((a, d) => a + d.in + d.out, 0);
    expect(sum).toBe(h1.total);
    for (const label of ["2026H1", "2026", "2025H2"]) {
      const p = parsePeriod(label)!;
      expect(await composeStats(store, p), label).toEqual(await composeStats(store, p, { live: true }));
    }
  } finally {
    store.close();
  }
});
