// The half-year report a board meeting needs (issue 15): every number in the PDF agrees with `stats --json`
// (the PDF's text parsed back), shares with their counts and "för få" below five cases, the run chart with its
// months before the period, who reported whom per counterpart and as pairs of providers, handling and open cases
// per counterpart, the coordinator's comments, texts from the template (overridable in the data directory),
// Swedish typography, the same bytes under AVVIK_NOW. Comments files are checked: no personnummer, a sane size.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, linkoping, type Sandbox } from "../helpers/cli.js";
import { bytes, pdfPages } from "../helpers/pdf.js";

const TODAY = { AVVIK_NOW: "2026-08-01T08:00:00" };

function newCase(direction: "in" | "out", counterpart: string, date: string, kind = "tillbud", area = "lakemedel"): string[] {
  return [
    "case", "new", "--direction", direction, "--counterpart", counterpart, "--event-date", date, "--discovered-date", date,
    "--kind", kind, "--area", area, "--summary", `Brist vid utskrivning ${date} (${direction})`,
  ];
}

// [registered at, direction, counterpart, event date, kind, answered at (or none)]
type Row = [string, "in" | "out", string, string, string, string | null];
const ROWS: Row[] = [
  ["2025-03-10T09:00:00", "out", "region-ostergotland", "2025-03-08", "tillbud", null], // history only
  ["2025-10-10T09:00:00", "out", "region-ostergotland", "2025-10-08", "risk", "2025-10-20T09:00:00"], // previous half-year
  ["2026-01-12T09:00:00", "out", "region-ostergotland", "2026-01-10", "skada", "2026-01-30T09:00:00"],
  ["2026-01-20T09:00:00", "out", "region-ostergotland", "2026-01-18", "tillbud", "2026-02-10T09:00:00"],
  ["2026-02-03T09:00:00", "in", "region-ostergotland", "2026-02-01", "tillbud", "2026-02-20T09:00:00"],
  ["2026-02-14T09:00:00", "in", "region-ostergotland", "2026-02-12", "risk", "2026-06-30T09:00:00"], // late
  ["2026-03-03T09:00:00", "out", "region-ostergotland", "2026-03-01", "tillbud", "2026-03-20T09:00:00"],
  ["2026-03-10T09:00:00", "out", "region-ostergotland", "2026-03-08", "tillbud", null], // overdue by August
  ["2026-04-02T09:00:00", "out", "norrkoping", "2026-03-31", "skada", "2026-04-20T09:00:00"],
  ["2026-05-06T09:00:00", "in", "norrkoping", "2026-05-04", "risk", null], // overdue by August
];

const NOTES = `# Sammanfattning

Flest avvikelser gäller **läkemedelsbehandling** vid utskrivning.

## Identifierade systembrister

- Läkemedelslistan följer inte med på helger.
- Kallelser går till fel funktionsbrevlåda.

## Förslag på åtgärder

1. Gemensam checklista för överrapportering.
2. Uppföljning i nästa halvårsrapport.
`;

let s: Sandbox;
let json: any;
let text: string;
let pdf: Buffer;

/** The PDF's text with Swedish typography made plain: U+2212 → "-", thin and no-break spaces → " ". */
const plain = (x: string) => x.replace(/\u2212/g, "-").replace(/[\u202f\u00a0]/g, " ");
/** A count as the report prints it: thin space between thousands. */
const n = (v: number) => String(v).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
const pct = (part: number, whole: number) => `${(Math.round((part / whole) * 1000) / 10).toFixed(1).replace(".", ",")} %`;

beforeAll(async () => {
  s = linkoping({ now: "2025-01-01T08:00:00" });
  let i = 0;
  for (const [now, direction, cp, date, kind] of ROWS) {
    const r = await s.cli(newCase(direction, cp, date, kind), { env: { AVVIK_NOW: now } });
    if (r.code !== 0) throw new Error(`case ${i}: ${r.stderr}`);
    i++;
  }
  // answers, each on its day; numbers follow registration order within each year
  const numbers = ["2025-000001", "2025-000002", "2026-000001", "2026-000002", "2026-000003", "2026-000004", "2026-000005", "2026-000006", "2026-000007", "2026-000008"];
  for (const [k, row] of ROWS.entries()) {
    const at = row[5];
    if (!at) continue;
    const steps = row[1] === "out" ? ["sent", "answered"] : ["assigned", "investigating", "answered"];
    for (const step of steps) {
      const r = await s.cli(["case", "status", numbers[k]!, step], { env: { AVVIK_NOW: step === "answered" ? at : row[0] } });
      if (r.code !== 0) throw new Error(`${numbers[k]} ${step}: ${r.stderr}`);
    }
  }
  writeFileSync(join(s.home, "kommentarer.md"), NOTES);
  json = await s.cliJson(["stats", "--period", "2026H1"], { env: TODAY });
  const r = await s.cli(["stats", "--period", "2026H1", "--pdf", "styrelsen.pdf", "--comments", "kommentarer.md"], { env: TODAY });
  if (r.code !== 0) throw new Error(r.stderr);
  pdf = readFileSync(join(s.home, "styrelsen.pdf"));
  text = plain((await pdfPages(pdf)).join("\n"));
});
afterAll(() => s?.cleanup());

describe("the board report", () => {
  it("carries who reported whom, the open cases and the handling per counterpart in stats --json", () => {
    expect(json.total).toBe(8);
    expect(json.byDirection).toEqual({ in: 3, out: 5 });
    expect(json.byCounterpartDirection).toEqual({ "region-ostergotland": { in: 2, out: 4 }, norrkoping: { in: 1, out: 1 } });
    // Norrköping's case registered in May is due in August (three months from discovery)
    expect(json.openByCounterpart).toEqual({ "region-ostergotland": { open: 2, overdue: 2 }, norrkoping: { open: 1, overdue: 0 } });
    expect(json.open).toEqual({ open: 3, overdue: 2 });
    // 18 months before a half-year, zeros included
    expect(Object.keys(json.history)).toHaveLength(18);
    expect(Object.keys(json.history)[0]).toBe("2024-07");
    expect(json.history["2025-03"]).toBe(1);
    expect(json.history["2025-10"]).toBe(1);
    expect(json.handlingDaysByCounterpart.norrkoping).toEqual({ median: 20, p90: 20, count: 1 });
    expect(json.deadlineByCounterpart["region-ostergotland"]).toMatchObject({ answered: 5, answeredOnTime: 4, unansweredOverdue: 1 });
  });

  it("prints the key figures as stats --json gives them, shares with their counts", () => {
    expect(text).toMatch(new RegExp(`Antal ärenden ${n(json.total)} ${n(json.previous.total)} \\+${json.total - json.previous.total}`));
    expect(text).toMatch(new RegExp(`Besvarade ärenden ${json.deadline.answered} ${json.previous.deadline.answered}`));
    const median = json.handlingDays.median.toFixed(1).replace(".", ",");
    expect(text).toMatch(new RegExp(`Handläggningstid, median\\s+\\(dagar\\)\\s+${median}`));
    const d = json.deadline;
    const due = d.answered + d.unansweredOverdue;
    expect(due).toBeGreaterThanOrEqual(5);
    expect(text.replace(/\s+/g, " ")).toContain(`${pct(d.answeredOnTime, due)} (${d.answeredOnTime} av ${due})`);
    // the previous half-year's one case due is too few for a percentage
    expect(text.replace(/\s+/g, " ")).toContain(`för få (${json.previous.deadline.answeredOnTime} av ${json.previous.deadline.answered + json.previous.deadline.unansweredOverdue})`);
    expect(text).toContain(`Obesvarade ärenden per ${json.asOf}: ${json.open.open}, varav med passerad svarsdag ${json.open.overdue}.`);
    // a change between shares resting on too few cases is not judged
    expect(text).toMatch(/Andel besvarade inom\s+svarstiden\s+71,4 % \(5\s+av\s+7\)\s+för få \(1 av 1\)\s+–\s+–/);
  });

  it("shows who reported whom per counterpart and as pairs of providers", () => {
    for (const [id, d] of Object.entries(json.byCounterpartDirection as Record<string, { in: number; out: number }>)) {
      const name = json.names[id];
      const before = json.previous.byCounterpartDirection[id];
      expect(text, name).toMatch(new RegExp(`${name} ${d.out} ${d.in} ${d.out + d.in} ${before ? before.out + before.in : 0}`));
    }
    expect(text).toMatch(new RegExp(`Samtliga ${json.byDirection.out} ${json.byDirection.in} ${json.total} ${json.previous.total}`));
    expect(text).toContain("Par av vårdgivare");
    expect(text).toMatch(/1\. Linköpings kommun → Region Östergötland 4 50,0 %/);
    expect(text).toMatch(/Region Östergötland → Linköpings kommun 2 25,0 %/);
  });

  it("shows handling, share in time and open cases per counterpart at the report date", () => {
    for (const id of Object.keys(json.byCounterpart)) {
      const name = json.names[id];
      const d = json.deadlineByCounterpart[id];
      const due = d.answered + d.unansweredOverdue;
      const share = due < 5 ? `för få (${d.answeredOnTime} av ${due})` : `${pct(d.answeredOnTime, due)} (${d.answeredOnTime} av ${due})`;
      const median = json.handlingDaysByCounterpart[id].median.toFixed(1).replace(".", ",");
      const open = json.openByCounterpart[id];
      expect(text.replace(/\s+/g, " "), name).toContain(`${name} ${json.byCounterpart[id]} ${median} ${share} ${open.open} ${open.overdue}`);
    }
  });

  it("draws the run chart, kind and severity, each chart with alternative text giving its numbers", async () => {
    const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
    const task = pdfjs.getDocument({ data: new Uint8Array(bytes(pdf)), isEvalSupported: false, verbosity: 0 });
    const alts: string[] = [];
    try {
      const doc = await task.promise;
      const walk = (node: any) => {
        if (node?.role === "Figure" && node.alt) alts.push(node.alt);
        for (const c of node?.children ?? []) walk(c);
      };
      for (let i = 1; i <= doc.numPages; i++) walk(await (await doc.getPage(i)).getStructTree());
    } finally {
      await task.destroy();
    }
    const run = alts.find((a) => a.startsWith("Linjediagram"));
    expect(run).toBeDefined();
    for (const [month, count] of Object.entries({ ...json.history, ...json.byMonth })) expect(run).toContain(`${month}: ${count}`);
    const kind = alts.find((a) => a.includes("Avvikelser per händelsetyp"));
    expect(kind).toContain(`Skada: ${json.byKind.skada} (2025H2: ${json.previous.byKind.skada})`);
    const direction = alts.find((a) => a.includes("Avvikelser per motpart och riktning"));
    expect(direction).toContain("Region Östergötland: vi till dem 4, de till oss 2");
    // every month of the period is labelled in the chart
    expect(text).toContain("Ärenden per månad");
  });

  it("puts the coordinator's comments in, with headings, paragraphs and lists", () => {
    expect(text.replace(/\s+/g, " ")).toContain("Kommentarer, identifierade systembrister och förslag på åtgärder");
    expect(text).toContain("Identifierade systembrister");
    expect(text).toContain("Flest avvikelser gäller läkemedelsbehandling vid utskrivning.");
    expect(text).not.toContain("**");
    expect(text).toMatch(/•\s*Läkemedelslistan följer inte med på helger\./);
    expect(text).toMatch(/1\.\s*Gemensam checklista för överrapportering\./);
  });

  it("uses neutral wording by default, Swedish typography, no personal data, and the same bytes again", async () => {
    expect(text).not.toMatch(/länsgemensamma|delregional ledningsgrupp|Västra Götaland/);
    const raw = (await pdfPages(pdf)).join("\n");
    expect(raw).not.toMatch(/(^|\s)-\d/m); // a minus is U+2212, never a hyphen
    expect(raw).not.toMatch(/\d\.\d/); // no decimal point anywhere
    const again = await s.cli(["stats", "--period", "2026H1", "--pdf", "igen.pdf", "--comments", "kommentarer.md"], { env: TODAY });
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(s.home, "igen.pdf")).equals(pdf)).toBe(true);
  });

  it("takes its texts from the data directory's template when there is one", async () => {
    const bundled = JSON.parse(readFileSync(join(ROOT, "templates", "documents", "board.json"), "utf8"));
    const dir = join(s.env.AVVIK_HOME!, "templates", "documents");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "board.json"), JSON.stringify({ ...bundled, audience: "Underlag till Samverkansnämnden i Östra länsdelen." }));
    try {
      const r = await s.cli(["stats", "--period", "2026H1", "--pdf", "egen.pdf"], { env: TODAY });
      expect(r.code, r.stderr).toBe(0);
      const own = plain((await pdfPages(join(s.home, "egen.pdf"))).join("\n"));
      expect(own.replace(/\s+/g, " ")).toContain("Underlag till Samverkansnämnden i Östra länsdelen.");
      // without --comments, no comments page
      expect(own).not.toContain("Kommentarer, identifierade systembrister");
    } finally {
      writeFileSync(join(dir, "board.json"), JSON.stringify(bundled));
    }
  });
});

describe("the comments file", () => {
  const refuse = async (name: string, content: string | Buffer, pattern: RegExp, code = 1) => {
    writeFileSync(join(s.home, name), content);
    const out = `ut-${name}.pdf`;
    const r = await s.cli(["stats", "--period", "2026H1", "--pdf", out, "--comments", name], { env: TODAY });
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stdout).toBe("");
    expect(existsSync(join(s.home, out))).toBe(false);
  };

  it("is refused when it holds a valid personnummer, naming the line", async () => {
    await refuse("pnr.md", "# Kommentar\n\nPatienten 19121212-1212 drabbades.\n", /innehåller ett personnummer \(rad 3\)/);
    // however it is spelt
    await refuse("pnr2.txt", "Se 1912 12 12 – 1212.", /personnummer \(rad 1\)/);
  });

  it("is refused when it is too large, not text, or missing; --comments needs --pdf", async () => {
    await refuse("stor.md", "Lång text. ".repeat(7000), /större än 64 kB/);
    await refuse("bild.md", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0x00]), /inte text i UTF-8/);
    const missing = await s.cli(["stats", "--period", "2026H1", "--pdf", "x.pdf", "--comments", "finns-inte.md"], { env: TODAY });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Kommentarfilen .*finns-inte\.md finns inte\./);
    expect(missing.stderr).not.toMatch(/ENOENT/);
    mkdirSync(join(s.home, "mapp"), { recursive: true });
    const dir = await s.cli(["stats", "--period", "2026H1", "--pdf", "y.pdf", "--comments", "mapp"], { env: TODAY });
    expect(dir.code).toBe(1);
    expect(dir.stderr).toMatch(/mapp är ingen fil/);
    const usage = await s.cli(["stats", "--period", "2026H1", "--comments", "kommentarer.md"], { env: TODAY });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--pdf/);
  });

  it("takes plain text too", async () => {
    writeFileSync(join(s.home, "enkel.txt"), "Inga nya systembrister denna period.\n\nGruppen följer upp checklistan.");
    const r = await s.cli(["stats", "--period", "2026H1", "--pdf", "enkel.pdf", "--comments", "enkel.txt"], { env: TODAY });
    expect(r.code, r.stderr).toBe(0);
    const t = plain((await pdfPages(join(s.home, "enkel.pdf"))).join("\n"));
    expect(t).toContain("Inga nya systembrister denna period.");
    expect(t).toContain("Gruppen följer upp checklistan.");
  });
});

describe("stats --format csv", () => {
  it("is written for Swedish Excel and every number agrees with stats --json", async () => {
    const r = await s.cli(["stats", "--period", "2026H1", "--format", "csv"], { env: TODAY });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith("\ufeff")).toBe(true);
    const { parse } = await import("csv-parse/sync");
    const rows = parse(r.stdout, { bom: true, delimiter: ";", columns: true }) as Array<Record<string, string>>;
    expect(r.stdout).not.toMatch(/\d\.\d/);
    const num = (v: string) => (v === "" ? null : Number(v.replace(",", ".")));
    const find = (dim: string, code: string) => rows.find((x) => x.dimension === dim && x.code === code);
    expect(num(find("key", "total")!.value!)).toBe(json.total);
    expect(num(find("key", "answeredWithinDeadline")!.value!)).toBe(json.answeredWithinDeadline);
    expect(num(find("key", "answeredWithinDeadline")!.part!)).toBe(json.deadline.answeredOnTime);
    expect(num(find("key", "handlingDaysMedian")!.value!)).toBe(json.handlingDays.median);
    expect(num(find("key", "open")!.value!)).toBe(json.open.open);
    for (const [id, d] of Object.entries(json.byCounterpartDirection as Record<string, { in: number; out: number }>)) {
      expect(num(find("counterpartOut", id)!.value!)).toBe(d.out);
      expect(num(find("counterpartIn", id)!.value!)).toBe(d.in);
      expect(num(find("counterpartHandlingMedian", id)!.value!)).toBe(json.handlingDaysByCounterpart[id].median);
      expect(num(find("counterpartWithinDeadline", id)!.value!)).toBe(json.withinDeadlineByCounterpart[id]);
      expect(num(find("counterpartOpen", id)!.value!)).toBe(json.openByCounterpart[id].open);
    }
    for (const [month, count] of Object.entries(json.history)) expect(num(find("history", month)!.value!)).toBe(count);
    for (const [month, count] of Object.entries(json.byMonth)) expect(num(find("month", month)!.value!)).toBe(count);
    for (const [code, count] of Object.entries(json.byKind)) expect(num(find("kind", code)!.value!)).toBe(count);
  });
});
