import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import iconv from "iconv-lite";
import { parse } from "csv-parse/sync";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, linkoping, linkopingOnPostgres, sandbox, type Sandbox } from "../helpers/cli.js";

const FIX = join(ROOT, "fixtures", "exports");
let s: Sandbox;
afterEach(() => s?.cleanup());

/** Copies a fixture into the sandbox (rejected-row files are written beside the input). */
function fixture(name: string): string {
  const to = join(s.home, name);
  copyFileSync(join(FIX, name), to);
  return to;
}

function dbBytes(): Buffer {
  const dir = join(s.home, "data");
  return Buffer.concat(["avvik.db", "avvik.db-wal"].filter((f) => existsSync(join(dir, f))).map((f) => readFileSync(join(dir, f))));
}

describe("import from Synergi (UTF-8 with BOM, CRLF, quoted ; \" and line breaks)", () => {
  it("creates the cases without diary numbers, keeps quoted text whole and stores persons encrypted", async () => {
    s = linkoping();
    const r = await s.cliJson(["import", fixture("synergi-vecka10.csv"), "--profile", "synergi"]);
    expect(r).toMatchObject({ created: 5, updated: 0, unchanged: 0, rejected: 0, errors: [], encoding: "utf-8", delimiter: ";" });
    const c = await s.cliJson(["case", "show", "synergi:45678"]);
    expect(c.diaryNumber).toBeNull();
    expect(c.direction).toBe("in");
    expect(c.counterpart.id).toBe("region-ostergotland");
    expect(c.unit.id).toBe("linkoping-hemtjanst-ryd");
    expect(c.area).toBe("lakemedel");
    expect(c.kind).toBe("tillbud");
    expect(c.description).toBe("Patienten skrevs ut från avd. 12; ingen läkemedelslista följde med.\nHemtjänsten upptäckte det vid första besöket.");
    expect(c.persons).toEqual(["19380412-****"]);
    const quoted = await s.cliJson(["case", "show", "synergi:45679"]);
    expect(quoted.description).toContain('det skriftliga "meddelandet"');
    // A unit of the region named as the reporter gives the region as counterpart; DD.MM.YYYY and a time are read.
    const c3 = await s.cliJson(["case", "show", "synergi:45680"]);
    expect([c3.eventDate, c3.discoveredDate, c3.kind]).toEqual(["2026-02-27", "2026-02-28", "skada"]);
    expect((await s.cliJson(["case", "show", "synergi:45681"])).eventDate).toBe("2026-03-02");
    const raw = dbBytes();
    for (const secret of ["9380412", "19380412-9827", "Greta", "Gustafsson"]) expect(raw.includes(Buffer.from(secret))).toBe(false);
    expect(await s.cliJson(["diary", "list"])).toEqual([]);
  });

  it("is idempotent and takes next week's export as updates recorded in the audit trail", async () => {
    s = linkoping();
    await s.cliJson(["import", fixture("synergi-vecka10.csv"), "--profile", "synergi"]);
    const again = await s.cliJson(["import", fixture("synergi-vecka10.csv"), "--profile", "synergi"]);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 5, rejected: 0 });
    const next = await s.cliJson(["import", fixture("synergi-vecka11.csv"), "--profile", "synergi"]);
    expect(next).toMatchObject({ created: 1, updated: 2, unchanged: 3, rejected: 0 });
    expect(await s.cliJson(["case", "list"])).toHaveLength(6);
    const c1 = await s.cliJson(["case", "show", "synergi:45678"]);
    expect(c1.status).toBe("answered");
    const c2 = await s.cliJson(["case", "show", "synergi:45679"]);
    expect(c2.description).toContain("två dagar efter");
    expect(c2.unit.id).toBe("linkoping-hemtjanst-ryd");
    const events = await s.cliJson(["audit", "list", "--case", "synergi:45679"]);
    const update = events.find((e: any) => e.action === "case.update");
    expect(update.details).toMatchObject({ source: "import", ref: "synergi:45679" });
    expect(update.details.fields.sort()).toEqual(["description", "unitId"]);
    expect(await s.cliJson(["import", fixture("synergi-vecka11.csv"), "--profile", "synergi"])).toMatchObject({ created: 0, updated: 0, unchanged: 6 });
  });

  it("finds the likely duplicates among the new cases as well, each pair under both of its cases, on either engine", async () => {
    const header = "Ärendenr;Händelsedatum;Upptäckt datum;Registrerad;Rubrik;Beskrivning;Rapporteringsområde;Händelsetyp;Rapporterande enhet;Ansvarig enhet;Status;Personnummer;Patient";
    const rows = [
      "50001;2026-02-20;2026-02-21;2026-02-23;Utskriven utan läkemedelslista;Ingen lista.;Läkemedelsbehandling;Tillbud;Vrinnevisjukhuset, medicinkliniken;Hemtjänsten Ryd;Registrerad;19380412-9827;Greta Gustafsson",
      "50002;2026-02-10;2026-02-10;2026-02-12;Fel dos av Waran vid hemgång;Dosen stämde inte.;Läkemedelsbehandling;Tillbud;Vrinnevisjukhuset, medicinkliniken;Hemtjänsten Ryd;Registrerad;19121212-1212;Tolvan Tolvansson",
      "50003;2026-02-11;2026-02-11;2026-02-12;Fel dos av Waran vid hemgången;Dosen var fel.;Läkemedelsbehandling;Tillbud;Vrinnevisjukhuset, medicinkliniken;Hemtjänsten Ryd;Registrerad;19121212-1212;Tolvan Tolvansson",
      "50004;2026-01-05;2026-01-05;2026-01-07;Trycksår upptäckt vid ankomst;Trycksår på hälen.;Omvårdnadsbrister;Vårdskada;Vrinnevisjukhuset, medicinkliniken;Hemtjänsten Ryd;Registrerad;19500505-5552;Anna Andersson",
      "50005;2026-01-20;2026-01-20;2026-01-22;Saknad överrapportering vid hemgång;Ingen rapport.;Brister i information/rapportering;Risk;Vrinnevisjukhuset, medicinkliniken;Hemtjänsten Ryd;Registrerad;;",
      "50006;2026-01-21;2026-01-21;2026-01-22;Saknad överrapportering vid hemgången;Ingen rapport kom.;Brister i information/rapportering;Risk;Vrinnevisjukhuset, medicinkliniken;Hemtjänsten Ryd;Registrerad;;",
    ];
    for (const engine of ["sqlite", "postgres"] as const) {
      s = engine === "sqlite" ? linkoping() : await linkopingOnPostgres();
      await s.cliJson(["case", "new", "--direction", "in", "--counterpart", "region-ostergotland", "--event-date", "2026-02-21", "--discovered-date", "2026-02-21",
        "--kind", "tillbud", "--area", "lakemedel", "--summary", "Utskriven utan läkemedelslista", "--person", "19380412-9827", "--no-notify"]);
      const file = join(s.home, "dubbletter.csv");
      writeFileSync(file, `${header}\r\n${rows.join("\r\n")}\r\n`);
      const result = await s.cliJson(["import", file, "--profile", "synergi"]);
      expect(result, engine).toMatchObject({ created: 6, rejected: 0 });
      const label = async (ref: string) => {
        const c = await s.cliJson(["case", "show", ref]);
        return c.diaryNumber ?? String(c.id);
      };
      const [a, b, c, e, f] = await Promise.all(["synergi:50001", "synergi:50002", "synergi:50003", "synergi:50005", "synergi:50006"].map(label));
      expect(result.likelyDuplicates.map((d: { case: string; of: string }) => [d.case, d.of]), engine).toEqual([
        [a, "2026-000001"],
        [b, c],
        [c, b],
        [e, f],
        [f, e],
      ]);
      expect(result.likelyDuplicates[0].reasons, engine).toContain("samePerson");
      expect(result.likelyDuplicates[1].reasons, engine).toContain("samePerson");
      expect(result.likelyDuplicates[3].reasons, engine).not.toContain("samePerson");
      s.cleanup();
    }
  });

  it("gives each case its nearest likely duplicates, not every other case of a cluster naming one person", async () => {
    // A test export full of one test person on a few dates, and as many cases naming nobody in one area: every
    // case of each cluster is like every other (n² pairs), and each is given its PAIRS_PER_CASE nearest.
    const { PAIRS_PER_CASE } = await import("../../src/core/duplicates.js");
    const header = "Ärendenr;Händelsedatum;Upptäckt datum;Registrerad;Rubrik;Beskrivning;Rapporteringsområde;Händelsetyp;Rapporterande enhet;Ansvarig enhet;Status;Personnummer;Patient";
    const n = 150;
    const rows = Array.from({ length: 2 * n }, (_, i) => {
      const day = String(1 + (i % 3)).padStart(2, "0");
      const person = i < n ? "19121212-1212;Tolvan Tolvansson" : ";";
      const area = i < n ? "Läkemedelsbehandling" : "Bemötande";
      return `${60000 + i};2026-02-${day};2026-02-${day};2026-02-${day};Utskriven utan läkemedelslista;Ingen lista.;${area};Tillbud;Vrinnevisjukhuset, medicinkliniken;Hemtjänsten Ryd;Registrerad;${person}`;
    });
    for (const engine of ["sqlite", "postgres"] as const) {
      s = engine === "sqlite" ? linkoping() : await linkopingOnPostgres();
      const file = join(s.home, "kluster.csv");
      writeFileSync(file, `${header}\r\n${rows.join("\r\n")}\r\n`);
      const result = await s.cliJson(["import", file, "--profile", "synergi"]);
      expect(result, engine).toMatchObject({ created: 2 * n, rejected: 0 });
      const per = new Map<string, number>();
      for (const d of result.likelyDuplicates as Array<{ case: string }>) per.set(d.case, (per.get(d.case) ?? 0) + 1);
      // Every case has likely duplicates, its own nearest and those that have it among theirs: a few each, where
      // all of them would be n - 1 (2 × 150 × 149 = 44,700 in all).
      expect(per.size, engine).toBe(2 * n);
      expect(Math.min(...per.values()), engine).toBeGreaterThanOrEqual(PAIRS_PER_CASE);
      expect(Math.max(...per.values()), engine).toBeLessThanOrEqual(3 * PAIRS_PER_CASE);
      expect(result.likelyDuplicates.length, engine).toBeLessThanOrEqual(2 * 2 * n * PAIRS_PER_CASE);
      // `avvik duplicates` over the register: each case with its nearest (a pair may be the nearest of both).
      const pairs = await s.cliJson(["duplicates"]);
      expect(pairs.length, engine).toBeGreaterThanOrEqual(n * PAIRS_PER_CASE);
      expect(pairs.length, engine).toBeLessThanOrEqual(2 * n * PAIRS_PER_CASE);
      s.cleanup();
    }
  });

  it("warns when an imported case looks like one registered by hand (the same event reported twice)", async () => {
    s = linkoping();
    await s.cliJson(["case", "new", "--direction", "in", "--counterpart", "region-ostergotland", "--event-date", "2026-02-21", "--discovered-date", "2026-02-21",
      "--kind", "tillbud", "--area", "lakemedel", "--summary", "Utskriven utan läkemedelslista", "--person", "19380412-9827", "--no-notify"]);
    const r = await s.cli(["import", fixture("synergi-vecka10.csv"), "--profile", "synergi", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.likelyDuplicates).toHaveLength(1);
    expect(result.likelyDuplicates[0]).toMatchObject({ of: "2026-000001" });
    expect(result.likelyDuplicates[0].reasons).toContain("samePerson");
    const human = await s.cli(["import", fixture("synergi-vecka11.csv"), "--profile", "synergi"]);
    expect(human.stderr).not.toMatch(/liknar 2026-000001/); // nothing new resembles it this week
  });

  it("moves a case forward along its workflow but never back", async () => {
    s = linkoping();
    await s.cliJson(["import", fixture("synergi-vecka10.csv"), "--profile", "synergi"]);
    // The register gets ahead of the other system: 45679 is investigated and answered here.
    await s.cliJson(["case", "assign", "synergi:45679", "--to", "sara.nilsson@linkoping.example"]);
    await s.cliJson(["case", "update", "synergi:45679", "--causes", "Orsak", "--actions", "Åtgärd"]);
    await s.cliJson(["case", "status", "synergi:45679", "answered"]);
    // Next week's export still says "Registrerad" for it (and changes its text): the text is taken, the status is not.
    await s.cliJson(["import", fixture("synergi-vecka11.csv"), "--profile", "synergi"]);
    expect(await s.cliJson(["case", "show", "synergi:45679"])).toMatchObject({ status: "answered", causes: "Orsak" });
    // 45678 goes forward from registered to answered by the export.
    expect((await s.cliJson(["case", "show", "synergi:45678"])).status).toBe("answered");
  });

  it("gives diary numbers only with --diarise", async () => {
    s = linkoping();
    const r = await s.cliJson(["import", fixture("synergi-vecka10.csv"), "--profile", "synergi", "--diarise"]);
    expect(r.diarised).toBe(5);
    expect((await s.cliJson(["case", "list"])).map((c: any) => c.diaryNumber)).toEqual(["2026-000001", "2026-000002", "2026-000003", "2026-000004", "2026-000005"]);
  });
});

describe("import from Treserva (Windows-1252, a bad row late in the file)", () => {
  it("fails as a whole without --skip-invalid, naming line, column, value and what was expected", async () => {
    s = linkoping();
    const r = await s.cli(["import", fixture("treserva-mars.csv"), "--profile", "treserva", "--json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ created: 0, updated: 0, rejected: 1, imported: false, encoding: "windows-1252" });
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0].line).toBe(6);
    expect(out.errors[0].message).toContain("'Avvikelsetyp': 'Medicinering' är okänt; förväntat ett av: Information/kommunikation");
    expect(out.errors[0].message).toContain("händelsedatum 2026-03-07 ligger efter upptäcktsdatum 2026-03-06");
    expect(out.errors[0].message).toContain("fel kontrollsiffra");
    expect(out.errors[0].message).not.toContain("19421103-9865");
    expect(r.stderr).toMatch(/Inget lästes in: 1 rad är felaktig\./);
    expect(await s.cliJson(["case", "list"])).toEqual([]);
    expect(existsSync(join(s.home, "treserva-mars.avvisade.csv"))).toBe(false);
  });

  it("with --dry-run reports and writes nothing", async () => {
    s = linkoping();
    const r = await s.cliJson(["import", fixture("treserva-mars.csv"), "--profile", "treserva", "--dry-run", "--skip-invalid"]);
    expect(r).toMatchObject({ created: 4, rejected: 1, imported: false, dryRun: true });
    expect(await s.cliJson(["case", "list"])).toEqual([]);
    expect(existsSync(join(s.home, "treserva-mars.avvisade.csv"))).toBe(false);
  });

  it("with --skip-invalid imports the valid rows and writes the rejected ones beside the input, in its encoding", async () => {
    s = linkoping();
    const r = await s.cliJson(["import", fixture("treserva-mars.csv"), "--profile", "treserva", "--skip-invalid"]);
    expect(r).toMatchObject({ created: 4, rejected: 1, imported: true });
    const cases = await s.cliJson(["case", "list"]);
    expect(cases).toHaveLength(4);
    const fall = await s.cliJson(["case", "show", "treserva:T-2026-103"]);
    expect(fall).toMatchObject({ direction: "out", severity: "rod", kind: "skada", area: "omvardnad" });
    expect(fall.counterpart.id).toBe("omsorgshuset");
    expect((await s.cliJson(["case", "show", "treserva:T-2026-101"])).summary).toBe("Utskriven från sjukhus utan läkemedelslista");
    expect(r.rejectedFile).toBe(join(s.home, "treserva-mars.avvisade.csv"));
    const text = iconv.decode(readFileSync(r.rejectedFile), "windows-1252");
    const rows = parse(text, { delimiter: ";" }) as string[][];
    expect(rows[0]!.slice(-2)).toEqual(["Rad", "Fel"]);
    expect(rows).toHaveLength(2);
    expect(rows[1]![0]).toBe("T-2026-105");
    expect(rows[1]![12]).toBe("Karl Åberg");
    expect(rows[1]![13]).toBe("6");
    expect(rows[1]![14]).toContain("Medicinering");
  });
});

describe("import from MedControl (tab-separated, LF, no BOM)", () => {
  it("reads a Västra Götaland export", async () => {
    s = sandbox();
    await s.cli(["init", "--org-id", "goteborg", "--org-name", "Göteborgs Stad"]);
    await s.cli(["org", "import", "vastra-gotaland"]);
    const r = await s.cliJson(["import", fixture("medcontrol-mars.txt"), "--profile", "medcontrol"]);
    expect(r).toMatchObject({ created: 3, rejected: 0, delimiter: "tab", encoding: "utf-8" });
    const c = await s.cliJson(["case", "show", "medcontrol:MC-88001"]);
    expect(c).toMatchObject({ direction: "out", status: "sent", eventDate: "2026-02-25", severity: "gul" });
    expect(c.unit.id).toBe("vgr-su");
    expect((await s.cliJson(["case", "show", "medcontrol:MC-88003"])).description).toBe("Kommunen kallades inte till samordnad vårdplanering\nföre hemgång.");
  });
});

describe("awkward rows and files", () => {
  const header = "Ärendenr;Händelsedatum;Rubrik;Beskrivning;Rapporteringsområde;Händelsetyp;Personnummer";
  /** A small profile of our own for hand-written files. */
  function mini(): string {
    const file = join(s.home, "mini.json");
    writeFileSync(
      file,
      JSON.stringify({
        system: "test",
        direction: "in",
        dateFormats: ["YYYY-MM-DD"],
        columns: { externalId: "Ärendenr", eventDate: "Händelsedatum", summary: "Rubrik", description: "Beskrivning", area: "Rapporteringsområde", kind: "Händelsetyp", personnummer: "Personnummer" },
        values: { area: { Läkemedel: "lakemedel", Övrigt: "ovrigt" } },
        defaults: { counterpart: "Region Östergötland" },
      }),
    );
    return file;
  }

  it("rejects a personnummer in free text, a wrong field count and a duplicate id, with their lines", async () => {
    s = linkoping();
    const file = join(s.home, "x.csv");
    writeFileSync(
      file,
      [
        header,
        "1;2026-03-01;Fel dos;Gäller 19121212-1212 på avd 3;Läkemedel;Tillbud;",
        "2;2026-03-01;Kort rad;Läkemedel",
        '3;2026-03-01;"Rad med ""citat""\r\noch radbrytning";;Övrigt;Risk;19121212-1212',
        "3;2026-03-02;Samma id igen;;Övrigt;Risk;",
        "4;2026-13-01;Fel datum;;Övrigt;Risk;",
      ].join("\r\n") + "\r\n",
    );
    const r = await s.cli(["import", file, "--profile", mini(), "--json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    const byLine = Object.fromEntries(out.errors.map((e: any) => [e.line, e.message]));
    expect(Object.keys(byLine).map(Number)).toEqual([2, 3, 6, 7]);
    expect(byLine[2]).toMatch(/'Beskrivning' innehåller ett personnummer/);
    expect(byLine[3]).toMatch(/raden har 4 fält men rubrikraden 7/);
    expect(byLine[6]).toMatch(/test:3 finns redan på rad 4/);
    expect(byLine[7]).toMatch(/'Händelsedatum': '2026-13-01' är inget datum/);
    expect(await s.cliJson(["case", "list"])).toEqual([]);
  });

  it("leaves the register as it was when the last row of a large file is invalid", async () => {
    s = linkoping();
    await s.cliJson(["import", fixture("synergi-vecka10.csv"), "--profile", "synergi"]);
    const before = (await s.cliJson(["audit", "list"])).length;
    const lines = [header];
    // More than one batch (BATCH_ROWS, src/csv/check.ts) and over BULK_FROM_ROWS (src/store/imports.ts).
    for (let i = 0; i < 2500; i++) lines.push(`${900000 + i};2026-03-01;Avvikelse ${i};"Text; ${i}";Läkemedel;Tillbud;`);
    lines.push("999999;2026-03-01;Sista raden;;Okänt område;Tillbud;");
    const file = join(s.home, "big.csv");
    writeFileSync(file, lines.join("\n") + "\n");
    const r = await s.cli(["import", file, "--profile", mini(), "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ rejected: 1, created: 0, errors: [{ line: 2502 }] });
    expect(await s.cliJson(["case", "list"])).toHaveLength(5);
    expect((await s.cliJson(["audit", "list"])).length).toBe(before);
    const ok = await s.cliJson(["import", file, "--profile", mini(), "--skip-invalid"]);
    expect(ok).toMatchObject({ created: 2500, rejected: 1 });
    expect(await s.cliJson(["import", file, "--profile", mini(), "--skip-invalid", "--dry-run"])).toMatchObject({ created: 0, unchanged: 2500, rejected: 1 });
  });

  it("refuses wrong profiles with the problem named", async () => {
    s = linkoping();
    const file = fixture("synergi-vecka10.csv");
    const profile = JSON.parse(readFileSync(join(ROOT, "templates", "profiles", "synergi.json"), "utf8"));
    const cases: Array<[string, unknown, RegExp]> = [
      ["unknown-field.json", { ...profile, columns: { ...profile.columns, patientNamn: "Patient" } }, /okänt fält 'patientNamn' i columns/],
      ["no-id.json", { ...profile, columns: { ...profile.columns, externalId: undefined } }, /columns\.externalId saknas/],
      ["bad-code.json", { ...profile, values: { ...profile.values, kind: { Tillbud: "nearmiss" } } }, /values\.kind: 'Tillbud' → 'nearmiss' är ingen känd kod/],
      ["bad-date.json", { ...profile, dateFormats: ["DD.MM"] }, /datumformatet DD\.MM/],
    ];
    for (const [name, content, message] of cases) {
      const p = join(s.home, name);
      writeFileSync(p, JSON.stringify(content));
      const r = await s.cli(["import", file, "--profile", p]);
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toMatch(message);
    }
    writeFileSync(join(s.home, "broken.json"), "{ \"system\": ");
    const broken = await s.cli(["import", file, "--profile", join(s.home, "broken.json")]);
    expect([broken.code, broken.stderr]).toEqual([1, expect.stringMatching(/inte giltig JSON/)]);
    const unknown = await s.cli(["import", file, "--profile", "synergy"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/varken en inbyggd profil \(synergi, medcontrol, treserva\)/);
    const missing = await s.cli(["import", file]);
    expect(missing.code).toBe(2);
    const columns = join(s.home, "cols.json");
    writeFileSync(columns, JSON.stringify({ ...profile, columns: { ...profile.columns, summary: "Titel" } }));
    const wrongColumns = await s.cli(["import", file, "--profile", columns]);
    expect(wrongColumns.code).toBe(1);
    expect(wrongColumns.stderr).toMatch(/saknar kolumnerna 'Titel'/);
    expect(await s.cliJson(["case", "list"])).toEqual([]);
  });
});

describe("a large export (read and checked in a worker thread while the batches are written)", () => {
  const HEADER = "Ärendenr;Händelsedatum;Upptäckt datum;Registrerad;Rubrik;Beskrivning;Rapporteringsområde;Händelsetyp;Rapporterande enhet;Ansvarig enhet;Status;Personnummer;Patient";
  const line = (id: number, date = "2026-02-20") =>
    `${id};${date};2026-02-21;2026-02-23;Utskriven utan läkemedelslista ${id};"Beskrivning ${id}; med ""citat"""` +
    `;Läkemedelsbehandling;Tillbud;Vrinnevisjukhuset, medicinkliniken;Hemtjänsten Ryd;Registrerad;19121212-1212;Tolvan Tolvansson`;
  /** 2,500 rows (over WORKER_FROM_BYTES, src/csv/import.ts): a bad date at line 1501, line 10's id again at line 2401 (the next batch). */
  function bigFile(): string {
    const rows = Array.from({ length: 2500 }, (_, i) => (i === 1499 ? line(80000 + i, "2026-13-01") : i === 2399 ? line(80000 + 8) : line(80000 + i)));
    const file = join(s.home, "synergi-stor.csv");
    writeFileSync(file, `\ufeff${HEADER}\r\n${rows.join("\r\n")}\r\n`);
    return file;
  }

  it("fails as a whole on invalid rows far apart, naming each line; with --skip-invalid takes the rest", async () => {
    s = linkoping();
    const file = bigFile();
    const failed = await s.cli(["import", file, "--profile", "synergi", "--json"]);
    expect(failed.code).toBe(1);
    const out = JSON.parse(failed.stdout);
    expect(out).toMatchObject({ rows: 2500, created: 0, updated: 0, unchanged: 0, rejected: 2, imported: false });
    expect(out.errors.map((e: { line: number }) => e.line)).toEqual([1501, 2401]);
    expect(out.errors[0].message).toContain("2026-13-01");
    expect(out.errors[1].message).toMatch(/synergi:80008.*rad 10/);
    expect(await s.cliJson(["case", "list"])).toEqual([]);
    expect((await s.cliJson(["audit", "verify"])).problems).toEqual([]);

    const r = await s.cliJson(["import", file, "--profile", "synergi", "--skip-invalid"]);
    expect(r).toMatchObject({ rows: 2500, created: 2498, rejected: 2, imported: true });
    expect(await s.cliJson(["case", "list"])).toHaveLength(2498);
    const rejected = parse(readFileSync(r.rejectedFile, "utf8"), { delimiter: ";", bom: true }) as string[][];
    expect(rejected.map((row) => row[0])).toEqual(["Ärendenr", "81499", "80008"]);
    expect(rejected[2]!.at(-2)).toBe("2401");
    // The same file again: nothing changes; the repeated id is still named.
    expect(await s.cliJson(["import", file, "--profile", "synergi", "--skip-invalid"])).toMatchObject({ created: 0, updated: 0, unchanged: 2498, rejected: 2 });
    // Statistics count each imported case once, as counting the cases does.
    expect((await s.cliJson(["stats", "--period", "2026"])).total).toBe(2498);
    // A case's history names the import that created it (one event for the whole import).
    const card = (await s.cli(["case", "show", "synergi:80100", "--history"])).stdout;
    expect(card).toMatch(/import system=synergi file=synergi-stor\.csv rows=2500 rejected=2 created=2498 .*firstCase=1 lastCase=2498/);
  });
});
