// Learning from deviations: statistics on a small timeline with known answers, period edges, double
// reporting counted once, and the board report read back from the PDF.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PDFParse } from "pdf-parse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkoping, type Sandbox } from "../helpers/cli.js";

const PERSON = "19121212-1212:Tolvan Tolvansson";

/** An outgoing case to Region Östergötland (three months to answer). */
function out(event: string, discovered: string, extra: string[] = []): string[] {
  return [
    "case", "new", "--direction", "out", "--counterpart", "region-ostergotland", "--unit", "ro-ps-oster",
    "--event-date", event, "--discovered-date", discovered, "--kind", "tillbud", "--area", "lakemedel",
    "--summary", "Utskriven från sjukhus utan läkemedelslista", ...extra,
  ];
}

type Step = [now: string, args: string[]];

// Cases registered on different days (AVVIK_NOW), moved through their statuses on the day they changed.
//   2025H2: P1 answered in 10 days (on time), P2 in 100 days (late).
//   2026H1: A 20 days, B 40 days, C 101 days (late), D 30 days (registered 2026-06-30 23:30: still H1);
//           E unanswered and overdue by 2026-08-01; F unanswered, not yet due; G reports A's event again.
//   2026H2: H registered 2026-07-01 00:30.
const TIMELINE: Step[] = [
  ["2025-08-10T09:00:00", out("2025-07-31", "2025-08-01")], // P1 2025-000001
  ["2025-08-10T09:05:00", ["case", "status", "2025-000001", "sent"]],
  ["2025-08-11T10:00:00", ["case", "status", "2025-000001", "answered"]],
  ["2025-09-15T09:00:00", out("2025-08-31", "2025-09-01")], // P2 2025-000002
  ["2025-09-15T09:05:00", ["case", "status", "2025-000002", "sent"]],
  ["2025-12-10T10:00:00", ["case", "status", "2025-000002", "answered"]],
  ["2026-01-15T09:00:00", out("2026-01-09", "2026-01-10", ["--person", PERSON])], // A 2026-000001
  ["2026-01-16T09:00:00", ["case", "status", "2026-000001", "sent"]],
  [
    "2026-01-20T09:00:00", // G 2026-000002: the region reports the same event
    [
      "case", "new", "--direction", "in", "--counterpart", "region-ostergotland", "--event-date", "2026-01-09",
      "--discovered-date", "2026-01-10", "--kind", "tillbud", "--area", "lakemedel", "--person", PERSON,
      "--summary", "Patient utskriven utan läkemedelslista",
    ],
  ],
  ["2026-01-30T10:00:00", ["case", "status", "2026-000001", "answered"]],
  ["2026-02-10T09:00:00", out("2026-02-01", "2026-02-01")], // B 2026-000003
  ["2026-02-10T09:05:00", ["case", "status", "2026-000003", "sent"]],
  ["2026-03-02T09:00:00", out("2026-03-01", "2026-03-01")], // C 2026-000004
  ["2026-03-02T09:05:00", ["case", "status", "2026-000004", "sent"]],
  ["2026-03-13T10:00:00", ["case", "status", "2026-000003", "answered"]],
  ["2026-04-01T09:00:00", out("2026-03-24", "2026-03-25")], // E 2026-000005
  ["2026-04-01T09:05:00", ["case", "status", "2026-000005", "sent"]],
  ["2026-05-05T09:00:00", out("2026-05-03", "2026-05-04")], // F 2026-000006
  ["2026-05-05T09:05:00", ["case", "status", "2026-000006", "sent"]],
  ["2026-06-10T10:00:00", ["case", "status", "2026-000004", "answered"]],
  ["2026-06-30T23:30:00", out("2026-06-19", "2026-06-20")], // D 2026-000007
  ["2026-07-01T00:30:00", out("2026-06-24", "2026-06-25", ["--area", "information"])], // H 2026-000008
  ["2026-07-01T08:00:00", ["case", "status", "2026-000007", "sent"]],
  ["2026-07-20T10:00:00", ["case", "status", "2026-000007", "answered"]],
];

const TODAY = { AVVIK_NOW: "2026-08-01T08:00:00" };

let s: Sandbox;

beforeAll(async () => {
  s = linkoping({ now: "2025-08-10T08:00:00" });
  for (const [now, args] of TIMELINE) {
    const r = await s.cli(args, { env: { AVVIK_NOW: now } });
    if (r.code !== 0) throw new Error(`${args.join(" ")} at ${now}: ${r.stderr}`);
  }
});
afterAll(() => s?.cleanup());

const stats = async (args: string[]) => await s.cliJson(["stats", ...args], { env: TODAY });

describe("statistics on a timeline with known answers", () => {
  it("warned when the second report of the same event was registered", async () => {
    const audit = await s.cliJson(["audit", "list", "--case", "2026-000002"]);
    expect(audit.length).toBeGreaterThan(0);
    const again = await s.cli(
      ["case", "new", "--direction", "in", "--counterpart", "region-ostergotland", "--event-date", "2026-01-10", "--discovered-date", "2026-01-10",
        "--kind", "tillbud", "--area", "lakemedel", "--person", PERSON, "--summary", "Utskriven utan läkemedelslista", "--json"],
      { env: { AVVIK_NOW: "2026-01-21T09:00:00" } },
    );
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).diaryNumber).toBe("2026-000009");
    expect(again.stderr).toContain("Ärendet liknar 2026-000001");
    expect(again.stderr).toContain("samma person");
    expect(again.stderr).toContain("avvik case update 2026-000009 --duplicate-of 2026-000001");
    expect(again.stderr).not.toMatch(/1212-1212|Tolvan/);
    // this third report is linked at once (to the second, which the link follows to the first later)
    expect((await s.cli(["case", "update", "2026-000009", "--duplicate-of", "2026-000002"], { env: TODAY })).code).toBe(0);
  });

  it("counts a reported-twice event twice until it is linked, then once", async () => {
    const before = await stats(["--period", "2026H1"]);
    expect(before.total).toBe(7); // A..F and G (the third report is already linked)
    expect(before.answeredWithinDeadline).toBe(0.5); // 3 on time / (4 answered + 2 overdue: E and G)

    const pairs = await s.cliJson(["duplicates"], { env: TODAY });
    expect(pairs).toEqual([
      expect.objectContaining({ a: "2026-000001", b: "2026-000002", reasons: ["samePerson", "closeDates", "sameProviders", "sameArea", "similarText"] }),
    ]);

    const linked = await s.cliJson(["case", "update", "2026-000002", "--duplicate-of", "2026-000001"], { env: TODAY });
    expect(linked.duplicateOf).toBe("2026-000001");
    // the case that pointed at G now points at A: links never form chains
    expect((await s.cliJson(["case", "show", "2026-000009"])).duplicateOf).toBe("2026-000001");
    expect(await s.cliJson(["duplicates"], { env: TODAY })).toEqual([]);
  });

  it("gives total, margins, median, p90 and the share within the deadline, with the trend", async () => {
    const r = await stats(["--period", "2026H1"]);
    expect(r).toMatchObject({ from: "2026-01-01", to: "2026-06-30", total: 6 });
    expect(r.byArea).toEqual({ information: 0, planering: 0, lakemedel: 6, omvardnad: 0, bemotande: 0, ovrigt: 0 });
    expect(r.byKind).toEqual({ risk: 0, tillbud: 6, skada: 0 });
    expect(r.bySeverity).toEqual({ gron: 0, gul: 0, rod: 0, "-": 6 });
    expect(r.byCounterpart).toEqual({ "region-ostergotland": 6 });
    expect(r.byUnit).toEqual({ "ro-ps-oster": 6 });
    expect(r.handlingDays).toEqual({ median: 35, p90: 101, count: 4 }); // 20, 30, 40, 101 days
    expect(r.answeredWithinDeadline).toBe(0.6); // A, B, D on time / (A, B, C, D answered + E overdue)
    expect(r.deadline).toEqual({ answered: 4, answeredOnTime: 3, answeredLate: 1, unansweredOverdue: 1, share: 0.6 });
    expect(r.topPairs).toEqual([{ area: "lakemedel", counterpart: "region-ostergotland", count: 6 }]);
    expect(r.names["region-ostergotland"]).toBe("Region Östergötland");
    expect(r.previous).toMatchObject({ from: "2025-07-01", to: "2025-12-31", total: 2, handlingDays: { median: 55, p90: 100, count: 2 }, answeredWithinDeadline: 0.5 });
    expect(r.trend).toEqual({ total: 4, handlingDaysMedian: -20, handlingDaysP90: 1, answeredWithinDeadline: 0.1 });
    expect(JSON.stringify(r)).not.toMatch(/1212|Tolvan|persons/);
  });

  it("keeps the monthly aggregates (maintained by triggers) equal to counting the cases", async () => {
    const { Store } = await import("../../src/store/store.js");
    const { composeStats } = await import("../../src/store/stats.js");
    const { parsePeriod } = await import("../../src/core/stats.js");
    const store = await Store.open({ home: s.env.AVVIK_HOME!, actor: { user: "test", now: new Date("2026-08-01T08:00:00") } });
    try {
      for (const label of ["2025H2", "2026H1", "2026H2", "2026", "2025"]) {
        const p = parsePeriod(label)!;
        expect(await composeStats(store, p), label).toEqual(await composeStats(store, p, { live: true }));
      }
      expect((await composeStats(store, parsePeriod("2026H1")!)).total).toBe(6);
    } finally {
      store.close();
    }
  });

  it("puts a case in the period in which it was registered: 2026-06-30 23:30 in H1, 2026-07-01 00:30 in H2", async () => {
    expect((await stats(["--from", "2026-06-30", "--to", "2026-06-30"])).total).toBe(1);
    expect((await stats(["--from", "2026-07-01", "--to", "2026-07-01"])).byArea.information).toBe(1);
    const h2 = await stats(["--period", "2026H2"]);
    expect(h2.total).toBe(1);
    expect(h2.previous.total).toBe(6);
    const year = await stats(["--period", "2026"]);
    expect(year).toMatchObject({ from: "2026-01-01", to: "2026-12-31", total: 7 });
    expect(year.previous).toMatchObject({ label: "2025", total: 2 });
    expect(await stats(["--from", "2026-01-01", "--to", "2026-06-30"])).toEqual(await stats(["--period", "2026H1"]));
    expect((await s.cliJson(["stats", "--period", "2026H1", "--format", "json"], { env: TODAY })).total).toBe(6);
  });

  it("prints Swedish text, English with --lang en, and CSV", async () => {
    const text = await s.cli(["stats", "--period", "2026H1"], { env: TODAY });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Avvikelser i samverkan 2026H1 (2026-01-01 – 2026-06-30)");
    expect(text.stdout).toMatch(/Handläggningstid, median \(dagar\)\s+35\s+55\s+-20/);
    // a share with what it rests on; the previous half-year's two cases are too few for a percentage
    expect(text.stdout).toMatch(/Andel besvarade inom svarstiden\s+60,0\u00a0% \(3 av 5\)\s+för få \(1 av 2\)\s+\+10 p\.e\./);
    expect(text.stdout).toContain("Läkemedelsbehandling");
    const by = await s.cli(["stats", "--period", "2026H1", "--by", "counterpart"], { env: TODAY });
    expect(by.stdout).toContain("Region Östergötland");
    expect(by.stdout).not.toContain("Rapporteringsområde");
    const en = await s.cli(["stats", "--period", "2026H1", "--lang", "en"], { env: TODAY });
    expect(en.stdout).toMatch(/Share answered within the deadline\s+60.0% \(3 of 5\)\s+too few \(1 of 2\)/);
    const csv = await s.cli(["stats", "--period", "2026H1", "--format", "csv"], { env: TODAY });
    // for Swedish Excel, as `export` writes: BOM, ";", CRLF, decimal comma; a share with the counts it rests on
    expect(csv.stdout.startsWith("\ufeff")).toBe(true);
    const lines = csv.stdout.slice(1).trim().split("\r\n");
    expect(lines[0]).toBe("dimension;code;name;value;share;previous;part;whole");
    expect(lines).toContain("key;total;Antal ärenden;6;;2;;");
    expect(lines).toContain("key;answeredWithinDeadline;Andel besvarade inom svarstiden;0,6;;0,5;3;5");
    expect(lines).toContain("area;lakemedel;Läkemedelsbehandling;6;1;2;6;6");
  });

  it("refuses a missing or malformed period with a usage error", async () => {
    for (const args of [[], ["--period", "2026H3"], ["--period", "2026H1", "--from", "2026-01-01"], ["--from", "2026-05-01", "--to", "2026-04-01"], ["--from", "2026-01-01"], ["--period", "2026", "--by", "colour"]]) {
      const r = await s.cli(["stats", ...args], { env: TODAY });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stdout).toBe("");
    }
  });

  it("writes the board report: titles, figures, charts' labels, no personal data, the same bytes twice", async () => {
    const file = join(s.home, "styrelse.pdf");
    const r = await s.cli(["stats", "--period", "2026H1", "--pdf", file], { env: TODAY });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Rapporten är skriven till .*styrelse\.pdf \(\d+ sidor\)/);
    const data = readFileSync(file);
    expect(data.subarray(0, 5).toString()).toBe("%PDF-");
    const parser = new PDFParse({ data: new Uint8Array(data) });
    let text: string;
    let pages: number;
    try {
      const result = await parser.getText();
      text = result.text;
      pages = result.total;
    } finally {
      await parser.destroy();
    }
    expect(pages).toBeGreaterThanOrEqual(4);
    for (const expected of [
      "Avvikelser i samverkan",
      "Halvårsrapport, våren 2026",
      "2026-01-01 – 2026-06-30",
      "Linköpings kommun",
      "Nyckeltal",
      "Avvikelser per rapporteringsområde",
      "Avvikelser per motpart",
      "Andel besvarade inom svarstiden",
      "De vanligaste avvikelserna: område och motpart",
      "Läkemedelsbehandling",
      "Region Östergötland",
      "2025H2",
      `Sida 2 av ${pages}`,
      "Rapporten innehåller inga personuppgifter.",
    ]) {
      expect(text, expected).toContain(expected);
    }
    expect(text).toMatch(/Handläggningstid, median\s+\(dagar\)\s*35/);
    expect(text).toMatch(/60,0\s%/);
    expect(text).not.toMatch(/19121212|1212-1212|121212|Tolvan|Tolvansson/);
    const again = join(s.home, "igen.pdf");
    expect((await s.cli(["stats", "--period", "2026H1", "--pdf", again], { env: TODAY })).code).toBe(0);
    expect(readFileSync(again).equals(data)).toBe(true);
  });
});
