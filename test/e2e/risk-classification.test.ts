// Risk (probability × consequence, Socialstyrelsen) and classification (a scheme's codes) of a matter
// (CLI.md section 8, issue 19): in case show, on the card, in the report PDF, the summary, the diary and the export;
// bad input refused with one line, nothing changed.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { incomingCase, linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";
import { pdfPages } from "../helpers/pdf.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

async function ok(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await s.cli(args, { env });
  if (r.code !== 0) throw new Error(`avvik ${args.join(" ")}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function refused(args: string[], code: number, message: RegExp): Promise<void> {
  const r = await s.cli(args);
  expect(r.code, args.join(" ")).toBe(code);
  expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
  expect(r.stderr, args.join(" ")).toMatch(message);
  expect(r.stdout, args.join(" ")).toBe("");
}

const SCHEME_CSV = [
  "kod;namn",
  "# Klassificeringsstruktur för Linköpings kommun (utdrag)",
  "2.6;Hantera avvikelser",
  "2.6.1;Hantera avvikelser i samverkan",
  '2.6.2;"Hantera lex Maria; lex Sarah"',
  "",
].join("\n");

describe("risk", () => {
  it("has null members until assessed, then probability × consequence, on the card, in the JSON and in the report", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    expect((await s.cliJson(["case", "show", "2026-000001"])).risk).toEqual({ probability: null, consequence: null, score: null, eventAnalysisSuggested: false });
    const half = await s.cliJson(["case", "update", "2026-000001", "--probability", "3"]);
    expect(half.risk).toMatchObject({ probability: 3, consequence: null, score: null });
    expect(half.changed).toEqual(["probability"]);
    const full = await s.cliJson(["case", "update", "2026-000001", "--consequence", "4"]);
    expect(full.risk).toEqual({ probability: 3, consequence: 4, score: 12, eventAnalysisSuggested: true });
    expect((await s.cliJson(["case", "list"]))[0].risk.score).toBe(12);

    const card = await ok(["case", "show", "2026-000001"]);
    expect(card).toMatch(/Risk\s+12 \(sannolikhet 3 × konsekvens 4\)/);
    expect(card).toContain("Riskvärdet 12 når gränsen 8: överväg en händelseanalys.");

    await ok(["report", "2026-000001", "-o", "r.pdf"]);
    const text = (await pdfPages(join(s.home, "r.pdf"))).join("\n");
    expect(text).toMatch(/Riskvärde\s*12 \(sannolikhet 3 × konsekvens 4\)/);

    const audit = await s.cliJson(["audit", "list", "--case", "2026-000001"]);
    expect(audit.filter((e: any) => e.action === "case.update").map((e: any) => e.details)).toEqual([
      { fields: ["probability"], probability: 3, consequence: null },
      { fields: ["consequence"], probability: 3, consequence: 4 },
    ]);
  });

  it("suggests an event analysis from the configured threshold on, on the card and in the summary", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    await s.cliJson(outgoingCase(["--summary", "Fel dos vid hemgång"]));
    await ok(["case", "update", "2026-000001", "--probability", "2", "--consequence", "4"]);
    await ok(["case", "update", "2026-000002", "--probability", "4", "--consequence", "4"]);
    // Default 8: both (8 and 16) reach it.
    let summary = await s.cliJson(["summary", "--peek"]);
    expect(summary.eventAnalysisThreshold).toBe(8);
    expect(summary.eventAnalysis.map((c: any) => [c.diaryNumber, c.risk.score])).toEqual([["2026-000002", 16], ["2026-000001", 8]]);
    const text = await ok(["summary", "--peek"]);
    expect(text).toMatch(/Överväg händelseanalys \(riskvärde minst 8\) \(2\)\n\s+2026-000002\s+riskvärde 16: Fel dos vid hemgång\n\s+2026-000001\s+riskvärde 8:/);

    await ok(["config", "set", "risk.eventAnalysisThreshold", "9"]);
    summary = await s.cliJson(["summary", "--peek"]);
    expect(summary.eventAnalysis.map((c: any) => c.diaryNumber)).toEqual(["2026-000002"]);
    expect((await s.cliJson(["case", "show", "2026-000001"])).risk.eventAnalysisSuggested).toBe(false);
    expect(await ok(["case", "show", "2026-000001"])).not.toContain("händelseanalys");
    expect(await ok(["case", "show", "2026-000002"])).toContain("Riskvärdet 16 når gränsen 9");
    await refused(["config", "set", "risk.eventAnalysisThreshold", "17"], 2, /risk\.eventAnalysisThreshold/);
  });

  it("refuses a probability of 5 (and other levels outside 1–4) with one line and exit 2, nothing changed", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    await ok(["case", "update", "2026-000001", "--probability", "2", "--consequence", "2"]);
    const before = await s.cliJson(["case", "show", "2026-000001"]);
    const audit = (await s.cliJson(["audit", "list"])).length;
    for (const value of ["5", "0", "-1", "2.5", "tre", ""]) {
      await refused(["case", "update", "2026-000001", "--probability", value, "--consequence", "3"], 2, /--probability ska vara 1, 2, 3 eller 4/);
    }
    await refused(["case", "update", "2026-000001", "--consequence", "9"], 2, /--consequence ska vara 1, 2, 3 eller 4, inte '9'/);
    expect(await s.cliJson(["case", "show", "2026-000001"])).toEqual(before);
    expect((await s.cliJson(["audit", "list"])).length).toBe(audit);
  });
});

describe("classification", () => {
  it("takes the organisation's default, a case's own code, and shows it in case show, diary list and the export", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    await s.cliJson(incomingCase());
    expect((await s.cliJson(["case", "show", "2026-000001"])).classification).toBeNull();
    await ok(["config", "set", "diary.classification", "2.6.1"]);
    await ok(["case", "update", "2026-000002", "--classification", "2.6.2"]);
    expect((await s.cliJson(["case", "show", "2026-000001"])).classification).toBe("2.6.1");
    expect((await s.cliJson(["case", "show", "2026-000002"])).classification).toBe("2.6.2");

    const diary = await s.cliJson(["diary", "list"]);
    expect(diary.map((e: any) => [e.number, e.classification])).toEqual([
      ["2026-000001:1", "2.6.1"],
      ["2026-000002:1", "2.6.2"],
    ]);
    expect(await ok(["diary", "list"])).toMatch(/Klass\n.*2026-000001:1.*2\.6\.1\n.*2026-000002:1.*2\.6\.2/);

    await ok(["export", "-o", "alla.csv"]);
    const rows = readFileSync(join(s.home, "alla.csv"), "utf8").replace(/^\uFEFF/, "").trim().split("\r\n").map((l) => l.split(";"));
    const col = rows[0]!.indexOf("Klassificering");
    expect(col).toBeGreaterThan(0);
    expect(rows.slice(1).map((r) => r[col])).toEqual(["2.6.1", "2.6.2"]);

    // 'ingen' gives the case back to the default; the card shows the code.
    await ok(["case", "update", "2026-000002", "--classification", "ingen"]);
    expect((await s.cliJson(["case", "show", "2026-000002"])).classification).toBe("2.6.1");
    expect(await ok(["case", "show", "2026-000002"])).toMatch(/Klassificering\s+2\.6\.1/);
  });

  it("loads a scheme from CSV or JSON, then validates codes against it, and names them on the card and the report", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    writeFileSync(join(s.home, "klass.csv"), SCHEME_CSV);
    const r = await s.cliJson(["classification", "import", "klass.csv"]);
    expect(r).toMatchObject({ total: 3, added: 3, removed: 0, changed: 0 });
    expect((await s.cliJson(["classification", "list"])).codes).toEqual([
      { code: "2.6", name: "Hantera avvikelser" },
      { code: "2.6.1", name: "Hantera avvikelser i samverkan" },
      { code: "2.6.2", name: "Hantera lex Maria; lex Sarah" },
    ]);

    const before = await s.cliJson(["case", "show", "2026-000001"]);
    await refused(["case", "update", "2026-000001", "--classification", "9.9"], 1, /Klassificeringskoden 9\.9 \(--classification\) finns inte i den inlästa klassificeringsstrukturen/);
    await refused(["case", "update", "2026-000001", "--classification", "2..6"], 2, /'2\.\.6' är ingen klassificeringskod/);
    await refused(["config", "set", "diary.classification", "9.9"], 1, /Klassificeringskoden 9\.9 \(diary\.classification\)/);
    expect(await s.cliJson(["case", "show", "2026-000001"])).toEqual(before);

    const c = await s.cliJson(["case", "update", "2026-000001", "--classification", "2.6.1"]);
    expect(c).toMatchObject({ classification: "2.6.1", classificationName: "Hantera avvikelser i samverkan" });
    expect(await ok(["case", "show", "2026-000001"])).toMatch(/Klassificering\s+2\.6\.1 Hantera avvikelser i samverkan/);
    await ok(["report", "2026-000001", "-o", "r.pdf"]);
    expect((await pdfPages(join(s.home, "r.pdf"))).join("\n")).toMatch(/Klassificering\s*2\.6\.1 Hantera avvikelser i samverkan/);

    // JSON replaces the scheme; a scheme without a code in use is refused whole.
    writeFileSync(join(s.home, "utan.json"), JSON.stringify({ scheme: "Klassa", codes: [{ code: "2.6", name: "Hantera avvikelser" }] }));
    await refused(["classification", "import", "utan.json"], 1, /saknar koder som används: 2\.6\.1/);
    expect((await s.cliJson(["classification", "list"])).codes).toHaveLength(3);
    writeFileSync(
      join(s.home, "ny.json"),
      JSON.stringify({ scheme: "Klassa", codes: [{ code: "2.6.1", name: "Avvikelser i samverkan" }, { code: "2.7", name: "Klagomål" }] }),
    );
    expect(await s.cliJson(["classification", "import", "ny.json"])).toMatchObject({ scheme: "Klassa", total: 2, added: 1, changed: 1, removed: 2 });
    expect((await s.cliJson(["case", "show", "2026-000001"])).classificationName).toBe("Avvikelser i samverkan");
  });

  it("refuses a scheme file with a bad line, naming it, and loads nothing", async () => {
    s = linkoping();
    const files: Array<[string, string, RegExp]> = [
      ["bad-code.csv", "kod;namn\n2.6;Avvikelser\n2 6;Fel kod\n", /rad 3: ogiltig kod "2 6"/],
      ["twice.csv", "2.6;Avvikelser\n2.6;Igen\n", /rad 2: koden 2\.6 finns redan tidigare i filen/],
      ["no-name.csv", "2.6;\n", /rad 1: namnet saknas/],
      ["pnr.csv", "2.6;Gäller 19121212-1212\n", /rad 1: namnet innehåller ett personnummer/],
      ["empty.csv", "kod;namn\n# inget\n", /inga koder/],
      ["bad.json", '{"codes": [{"code": "2.6"}]}', /post 1: varje post ska ha code och name/],
      ["broken.json", '{"codes": [', /inte giltig JSON/],
    ];
    for (const [name, text, message] of files) {
      writeFileSync(join(s.home, name), text);
      await refused(["classification", "import", name], 1, message);
    }
    await refused(["classification", "import", "finns-inte.csv"], 1, /Kan inte läsa .*finns-inte\.csv/);
    await refused(["classification", "import", "."], 1, /ingen vanlig fil/);
    expect(await s.cliJson(["classification", "list"])).toEqual({ defaultCode: null, codes: [] });
    expect((await s.cliJson(["audit", "list"])).some((e: any) => e.action === "classification.import")).toBe(false);
  });

  it("lets a closed case be classified (the register's filing), but not otherwise changed", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    for (const st of ["sent", "answered", "closed"]) await ok(["case", "status", "2026-000001", st]);
    expect((await s.cliJson(["case", "update", "2026-000001", "--classification", "2.6.1"])).classification).toBe("2.6.1");
    await refused(["case", "update", "2026-000001", "--probability", "2"], 1, /avslutat och kan inte ändras/);
  });
});
