// Statistics per month and per direction (CLI.md section 5): `byMonth` has every month of the period, zeros
// included, also for a period that starts or ends mid-month; `byDirection` splits the same cases into those
// we reported (out) and those reported to us (in). Both add up to `total`; a linked duplicate counts once.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkoping, type Sandbox } from "../helpers/cli.js";

function newCase(direction: "in" | "out", date: string, area = "lakemedel"): string[] {
  return [
    "case", "new", "--direction", direction, "--counterpart", "region-ostergotland", "--event-date", date, "--discovered-date", date,
    "--kind", "tillbud", "--area", area, "--summary", `Brist vid utskrivning ${date} (${direction})`,
  ];
}

// [registered at (AVVIK_NOW), direction, event date]; numbers follow the order within each year.
const CASES: Array<[string, "in" | "out", string]> = [
  ["2025-12-20T09:00:00", "out", "2025-12-18"], // 2025-000001, the previous half-year
  ["2026-01-15T09:00:00", "out", "2026-01-12"], // 2026-000001
  ["2026-01-20T09:00:00", "in", "2026-01-14"], //  2026-000002
  ["2026-03-05T09:00:00", "in", "2026-02-20"], //  2026-000003
  ["2026-03-20T09:00:00", "out", "2026-03-18"], // 2026-000004
  ["2026-03-25T09:00:00", "in", "2026-02-20"], //  2026-000005, linked below as a duplicate of 2026-000003
  ["2026-05-31T23:30:00", "out", "2026-05-30"], // 2026-000006, the last evening of May
  ["2026-07-02T09:00:00", "out", "2026-07-01"], // 2026-000007, the next half-year
];

const TODAY = { AVVIK_NOW: "2026-08-01T08:00:00" };
let s: Sandbox;

beforeAll(async () => {
  s = linkoping({ now: "2025-12-01T08:00:00" });
  for (const [now, direction, date] of CASES) {
    const r = await s.cli(newCase(direction, date, direction === "in" && date === "2026-02-20" ? "information" : "lakemedel"), { env: { AVVIK_NOW: now } });
    if (r.code !== 0) throw new Error(`case new at ${now}: ${r.stderr}`);
  }
  const linked = await s.cli(["case", "update", "2026-000005", "--duplicate-of", "2026-000003"], { env: { AVVIK_NOW: "2026-03-26T09:00:00" } });
  if (linked.code !== 0) throw new Error(linked.stderr);
});
afterAll(() => s?.cleanup());

const stats = async (args: string[]) => await s.cliJson(["stats", ...args], { env: TODAY });
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, n) => a + n, 0);

describe("stats per month and per direction", () => {
  it("gives every month of a half-year, zeros included, and the directions", async () => {
    const h1 = await stats(["--period", "2026H1"]);
    expect(h1.total).toBe(5);
    expect(h1.byMonth).toEqual({ "2026-01": 2, "2026-02": 0, "2026-03": 2, "2026-04": 0, "2026-05": 1, "2026-06": 0 });
    expect(Object.keys(h1.byMonth)).toEqual(["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]);
    expect(h1.byDirection).toEqual({ in: 2, out: 3 });
    expect(sum(h1.byMonth)).toBe(h1.total);
    expect(h1.byDirection.in + h1.byDirection.out).toBe(h1.total);
    // the previous half-year carries its own months and directions
    expect(h1.previous.byMonth).toEqual({ "2025-07": 0, "2025-08": 0, "2025-09": 0, "2025-10": 0, "2025-11": 0, "2025-12": 1 });
    expect(h1.previous.byDirection).toEqual({ in: 0, out: 1 });

    const h2 = await stats(["--period", "2026H2"]);
    expect(h2.byMonth).toEqual({ "2026-07": 1, "2026-08": 0, "2026-09": 0, "2026-10": 0, "2026-11": 0, "2026-12": 0 });
    expect(h2.byDirection).toEqual({ in: 0, out: 1 });
    const year = await stats(["--period", "2026"]);
    expect(Object.keys(year.byMonth)).toHaveLength(12);
    expect(sum(year.byMonth)).toBe(year.total);
    expect(year.byDirection).toEqual({ in: 2, out: 4 });
    // the same half-year given as dates reads the same figures
    expect(await stats(["--from", "2026-01-01", "--to", "2026-06-30"])).toEqual(h1);
  });

  it("includes the months a mid-month period starts and ends in, counting only the cases inside it", async () => {
    const r = await stats(["--from", "2026-01-18", "--to", "2026-03-10"]);
    expect(r.total).toBe(2);
    expect(r.byMonth).toEqual({ "2026-01": 1, "2026-02": 0, "2026-03": 1 });
    expect(r.byDirection).toEqual({ in: 2, out: 0 });
    const across = await stats(["--from", "2025-12-15", "--to", "2026-05-31"]);
    expect(across.byMonth).toEqual({ "2025-12": 1, "2026-01": 2, "2026-02": 0, "2026-03": 2, "2026-04": 0, "2026-05": 1 });
    expect(across.byDirection).toEqual({ in: 2, out: 4 });
    expect(sum(across.byMonth)).toBe(across.total);
    expect(across.byDirection.in + across.byDirection.out).toBe(across.total);
    const empty = await stats(["--from", "2026-04-02", "--to", "2026-04-20"]);
    expect(empty).toMatchObject({ total: 0, byMonth: { "2026-04": 0 }, byDirection: { in: 0, out: 0 } });
  });

  it("prints the split and the months in the text and the CSV", async () => {
    const text = await s.cli(["stats", "--period", "2026H1"], { env: TODAY });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Utgående (vi rapporterade): 3, inkommande (rapporterade till oss): 2; föregående period 1 och 0.");
    expect(text.stdout).toContain("Per månad: 2026-01 2, 2026-02 0, 2026-03 2, 2026-04 0, 2026-05 1, 2026-06 0.");
    const csv = await s.cli(["stats", "--period", "2026H1", "--format", "csv"], { env: TODAY });
    expect(csv.code).toBe(0);
    const lines = csv.stdout.replace(/^\ufeff/, "").trim().split("\r\n");
    expect(lines).toContain("direction;out;Utgående;3;0,6;1;3;5");
    expect(lines).toContain("direction;in;Inkommande;2;0,4;0;2;5");
    expect(lines.filter((l) => l.startsWith("month;"))).toEqual([
      "month;2026-01;2026-01;2;0,4;;2;5",
      "month;2026-02;2026-02;0;0;;0;5",
      "month;2026-03;2026-03;2;0,4;;2;5",
      "month;2026-04;2026-04;0;0;;0;5",
      "month;2026-05;2026-05;1;0,2;;1;5",
      "month;2026-06;2026-06;0;0;;0;5",
    ]);
  });
});
