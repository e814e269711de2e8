import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

async function withCases(): Promise<void> {
  s = linkoping();
  const file = join(s.home, "synergi-vecka10.csv");
  copyFileSync(join(ROOT, "fixtures", "exports", "synergi-vecka10.csv"), file);
  await s.cliJson(["import", file, "--profile", "synergi"]);
  await s.cliJson(outgoingCase(["--person", "19121212-1212:Tolvan Tolvansson", "--summary", "-1 tablett för lite", "--ref", "treserva:T-9"]));
}

function readCsv(file: string, delimiter = ";"): { bom: boolean; rows: string[][] } {
  const buf = readFileSync(file);
  const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  return { bom, rows: parse(buf, { bom: true, delimiter }) as string[][] };
}

describe("export", () => {
  it("writes CSV with BOM and ';' that csv-parse reads back, formulas neutralised, persons masked, no names", async () => {
    await withCases();
    const out = join(s.home, "export.csv");
    const r = await s.cliJson(["export", "-o", out]);
    expect(r).toMatchObject({ rows: 6, format: "csv", pseudonymised: false });
    const { bom, rows } = readCsv(out);
    expect(bom).toBe(true);
    const [header, ...data] = rows;
    expect(header!.slice(0, 3)).toEqual(["Diarienummer", "Externa referenser", "Riktning"]);
    expect(data).toHaveLength(6);
    const col = (name: string) => header!.indexOf(name);
    const formula = data.find((d) => d[col("Externa referenser")] === "synergi:45682")!;
    expect(formula[col("Sammanfattning")]).toBe("'=HYPERLINK(\"http://example.invalid\")  bemötande i telefon");
    const minus = data.find((d) => d[col("Externa referenser")] === "treserva:T-9")!;
    expect(minus[col("Sammanfattning")]).toBe("'-1 tablett för lite");
    expect(minus[col("Diarienummer")]).toBe("2026-000001");
    expect(minus[col("Personer")]).toBe("19121212-****");
    const multi = data.find((d) => d[col("Externa referenser")] === "synergi:45678")!;
    expect(multi[col("Beskrivning")]).toContain("följde med.\nHemtjänsten");
    for (const cell of data.flat()) expect(cell).not.toMatch(/^[=+\-@]/);
    const text = readFileSync(out, "utf8");
    for (const secret of ["1212-1212", "19380412-9827", "Tolvan", "Greta", "Gustafsson"]) expect(text).not.toContain(secret);
  });

  it("pseudonymises: the same person gets the same pseudonym in every export, different persons differ", async () => {
    await withCases();
    // The same person in a second case.
    await s.cliJson(outgoingCase(["--person", "19121212-1212"]));
    const a = join(s.home, "a.csv");
    const b = join(s.home, "b.csv");
    await s.cliJson(["export", "--pseudonymise", "-o", a]);
    await s.cliJson(["export", "--pseudonymise", "--delimiter", ",", "-o", b]);
    const ra = readCsv(a).rows;
    const rb = readCsv(b, ",").rows;
    const col = ra[0]!.indexOf("Personer");
    const pa = ra.slice(1).map((r) => r[col]);
    const pb = rb.slice(1).map((r) => r[col]);
    expect(pa).toEqual(pb);
    const persons = pa.filter(Boolean) as string[];
    expect(persons.length).toBe(5);
    for (const p of persons) expect(p).toMatch(/^P-[0-9a-f]{16}$/);
    // 19121212-1212 appears twice (the last two cases): same pseudonym; the others differ.
    expect(pa[pa.length - 1]).toBe(pa[pa.length - 2]);
    expect(new Set(persons).size).toBe(4);
    const text = readFileSync(a, "utf8") + readFileSync(b, "utf8");
    for (const secret of ["19121212", "19380412", "Tolvan", "Greta"]) expect(text).not.toContain(secret);
    const audit = (await s.cliJson(["audit", "list"])).filter((e: any) => e.action === "export");
    expect(audit).toHaveLength(2);
    expect(audit[0].details).toMatchObject({ pseudonymised: true, rows: 7 });
  });

  it("exports JSON, filtered by registration date", async () => {
    await withCases();
    const all = await s.cliJson(["export"]);
    expect(all).toHaveLength(6);
    expect(all[0]).toMatchObject({ refs: [{ system: "synergi", id: "45678" }], direction: "in", persons: ["19380412-****"] });
    expect(all[0].counterpart).toEqual({ id: "region-ostergotland", name: "Region Östergötland" });
    const later = await s.cliJson(["export", "--from", "2026-03-11"]);
    expect(later).toEqual([]);
    const r = await s.cli(["export", "--format", "json", "--to", "2026-03-10"]);
    expect(JSON.parse(r.stdout)).toHaveLength(6);
    const bad = await s.cli(["export", "--delimiter", "x"]);
    expect(bad.code).toBe(2);
    const badDate = await s.cli(["export", "--from", "2026-02-30"]);
    expect(badDate.code).toBe(2);
  });
});
