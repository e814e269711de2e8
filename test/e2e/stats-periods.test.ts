// The statistics of any period must stay exactly what they were when the register answered periods that are not
// whole months from a covering index over the cases (`cases_stats`, migration 005). The same imports and cases
// are made as when the expected figures were recorded; `stats --json` of periods of whole months and of periods
// that start or end inside a month (the edge months), at two "today"s, must give the recorded JSON.
//
// test/e2e/__snapshots__/stats-periods.json was recorded by this test against the code before the covering index
// was dropped (commit 9be6f92 of main). If it is missing, vitest writes it again from the code of the day: it is
// then no longer a check of "before and after" and must be restored from git.

import { afterAll, beforeAll, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { linkoping, type Sandbox } from "../helpers/cli.js";

function luhnDigit(nine: string): number {
  for (let c = 0; c <= 9; c++) {
    let sum = 0;
    const t = nine + c;
    for (let i = 0; i < 10; i++) {
      let d = t.charCodeAt(i) - 48;
      if (i % 2 === 0) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    if (sum % 10 === 0) return c;
  }
  return 0;
}

const AREAS = ["Läkemedelsbehandling", "Brister i information/rapportering", "Omvårdnadsbrister", "Bemötande", "Övrigt", "Brister i samordnad vård- och omsorgsplanering"];
const KINDS = ["Risk", "Tillbud", "Vårdskada"];
const UNITS = ["Vrinnevisjukhuset, medicinkliniken", "Vårdcentralen Finspång", "Region Östergötland", "ro-ps-oster"];
const OURS = ["Hemtjänsten Ryd", "Särskilt boende Ekholmen", ""];
const STATUS = ["Registrerad", "Under utredning", "Besvarad", "Tilldelad", "Avslutad"];

/** An export of `rows` rows with ids from `first`; events in the months before `lastDay`; `shift` varies statuses. */
function exportFile(first: number, rows: number, lastDay: string, shift = 0): string {
  let out = "Ärendenr;Händelsedatum;Upptäckt datum;Registrerad;Rubrik;Beskrivning;Rapporteringsområde;Händelsetyp;Rapporterande enhet;Ansvarig enhet;Status;Personnummer;Patient\r\n";
  const end = Date.parse(`${lastDay}T12:00:00Z`);
  for (let i = 0; i < rows; i++) {
    const id = first + i;
    const event = new Date(end - ((id * 7919) % 120) * 86_400_000).toISOString().slice(0, 10);
    const discovered = new Date(Date.parse(`${event}T12:00:00Z`) + (id % 4) * 86_400_000).toISOString().slice(0, 10);
    const found = discovered > lastDay ? event : discovered;
    const yy = 30 + (id % 60);
    const month = String(1 + (id % 12)).padStart(2, "0");
    const day = String(1 + (id % 28)).padStart(2, "0");
    const serial = String(100 + (id % 800));
    const nine = `${yy}${month}${day}${serial}`;
    const pnr = id % 5 === 0 ? "" : `19${yy}${month}${day}-${serial}${luhnDigit(nine)}`;
    out +=
      `${id};${event};${found};${found};Avvikelse ${id} vid utskrivning;Beskrivning ${id}` +
      `;${AREAS[(id * 3) % AREAS.length]};${KINDS[id % KINDS.length]};${UNITS[(id >> 1) % UNITS.length]};${OURS[id % OURS.length]}` +
      `;${STATUS[(id + shift) % STATUS.length]};${pnr};${pnr ? "Test Testsson" : ""}\r\n`;
  }
  return out;
}

/** [AVVIK_NOW of the import, first id, rows, status shift]: registrations on various days of four months. */
const IMPORTS: Array<[string, number, number, number]> = [
  ["2026-01-20T10:00:00", 1000, 300, 0],
  ["2026-02-03T09:00:00", 2000, 250, 0],
  ["2026-02-27T16:30:00", 3000, 200, 0],
  ["2026-03-10T08:00:00", 4000, 300, 0],
  ["2026-03-31T23:15:00", 5000, 150, 0],
  // the first export again, statuses moved on: updates (answered, closed) of January's cases in April
  ["2026-04-02T11:00:00", 1000, 300, 2],
  ["2026-04-15T14:00:00", 6000, 100, 1],
];

/** Cases registered by hand: [AVVIK_NOW, direction, event date]. */
const CASES: Array<[string, "in" | "out", string]> = [
  ["2026-01-31T23:30:00", "out", "2026-01-29"],
  ["2026-02-01T00:10:00", "in", "2026-01-30"],
  ["2026-02-14T12:00:00", "out", "2026-02-10"],
  ["2026-03-01T07:00:00", "in", "2026-02-25"],
  ["2026-03-16T09:00:00", "out", "2026-03-15"],
];

/** Periods of whole months and periods with edge months, single days, across a year's end. */
const PERIODS: Array<[string, string]> = [
  ["2026-01-01", "2026-06-30"],
  ["2026-02-01", "2026-02-28"],
  ["2026-01-01", "2026-12-31"],
  ["2026-02-03", "2026-03-10"],
  ["2026-02-04", "2026-03-09"],
  ["2026-02-01", "2026-03-15"],
  ["2026-01-21", "2026-02-28"],
  ["2026-03-10", "2026-03-10"],
  ["2026-03-31", "2026-04-01"],
  ["2026-01-31", "2026-02-01"],
  ["2025-12-15", "2026-01-20"],
  ["2026-02-14", "2026-02-20"],
  ["2026-04-02", "2026-04-30"],
  ["2026-01-01", "2026-03-31"],
];

let s: Sandbox;
const results: Record<string, unknown> = {};

beforeAll(async () => {
  s = linkoping({ now: "2026-01-10T08:00:00" });
  let n = 0;
  for (const [now, first, rows, shift] of IMPORTS) {
    const file = join(s.home, `export-${n++}.csv`);
    writeFileSync(file, exportFile(first, rows, now.slice(0, 10), shift));
    const r = await s.cli(["import", file, "--profile", "synergi", "--json"], { env: { AVVIK_NOW: now } });
    if (r.code !== 0) throw new Error(`import at ${now}: ${r.stderr}`);
  }
  for (const [now, direction, date] of CASES) {
    const r = await s.cli(
      ["case", "new", "--direction", direction, "--counterpart", "region-ostergotland", "--event-date", date, "--discovered-date", date, "--kind", "tillbud", "--area", "lakemedel", "--summary", `Brist ${date}`],
      { env: { AVVIK_NOW: now } },
    );
    if (r.code !== 0) throw new Error(`case new at ${now}: ${r.stderr}`);
  }
  // One answered, one linked as a duplicate.
  for (const [now, args] of [
    ["2026-02-20T10:00:00", ["case", "status", "2026-000003", "sent"]],
    ["2026-03-02T10:00:00", ["case", "status", "2026-000003", "answered"]],
    ["2026-03-17T10:00:00", ["case", "update", "2026-000005", "--duplicate-of", "2026-000001"]],
  ] as Array<[string, string[]]>) {
    const r = await s.cli(args, { env: { AVVIK_NOW: now } });
    if (r.code !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
  }
  for (const today of ["2026-04-20T08:00:00", "2026-07-01T08:00:00"]) {
    for (const [from, to] of PERIODS) {
      const r = await s.cli(["stats", "--from", from, "--to", to, "--json"], { env: { AVVIK_NOW: today } });
      if (r.code !== 0) throw new Error(`stats ${from} ${to}: ${r.stderr}`);
      results[`${today.slice(0, 10)} ${from}..${to}`] = JSON.parse(r.stdout);
    }
  }
});
afterAll(() => s?.cleanup());

it("gives the same stats --json as before for periods of whole months and with edge months", async () => {
  // Not trivially equal: the periods differ from each other and hold cases.
  const totals = Object.values(results).map((r) => (r as { total: number }).total);
  expect(new Set(totals).size).toBeGreaterThan(6);
  expect(Math.min(...totals)).toBeGreaterThan(0);
  await expect(JSON.stringify(results, null, 1) + "\n").toMatchFileSnapshot("__snapshots__/stats-periods.json");
});
