// Every document prints names and clinical signs as written (embedded Unicode fonts), is PDF/A with its
// metadata, and text no embedded font can draw is refused where it enters the register.

import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";
import { catalog, fonts, pdfPages, xmp } from "../helpers/pdf.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

const NAME = "Łukasz Wiśniewski-Gőbölyös";
const SIGNS = "INR → 3,5 och dosering ≥ 2 ggr/dygn";

/** Every font embedded as a TrueType program, none of the 14 standard fonts. */
function expectEmbeddedFonts(file: string): void {
  const f = fonts(file);
  expect(f.baseFonts.length, file).toBeGreaterThan(0);
  expect(f.standard14, file).toEqual([]);
  expect(f.descriptors.length, file).toBeGreaterThan(0);
  for (const d of f.descriptors) expect(d.fontFile2, `${file} ${d.name}`).toBe(true);
  // a Type0 font per descriptor (no font without a program)
  expect(f.baseFonts.filter((b) => /DejaVu/.test(b)).length).toBe(f.baseFonts.length);
}

function expectPdfA(file: string, part: 2 | 3, title: RegExp): void {
  const meta = xmp(file);
  expect(meta).toContain(`<pdfaid:part>${part}</pdfaid:part>`);
  expect(meta).toContain("<pdfaid:conformance>B</pdfaid:conformance>");
  expect(meta).toMatch(/<dc:title>[\s\S]*?<rdf:li xml:lang="x-default">[^<]+<\/rdf:li>/);
  expect(meta).toMatch(title);
  expect(meta).toMatch(/<dc:creator>[\s\S]*?Linköpings kommun/);
  const cat = catalog(file);
  expect(cat).toMatch(/\/OutputIntents \[\s*\d+ 0 R/);
  expect(cat).toContain("/Lang (sv-SE)");
  expect(cat).toMatch(/\/Metadata \d+ 0 R/);
}

describe("documents in Unicode, embedded and PDF/A", () => {
  it("prints the exact name and the signs in every document, with every font embedded", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase(["--ref", "synergi:45678", "--person", `19121212-1212:${NAME}`, "--description", SIGNS]));
    const packet = await s.cliJson(["packet", "2026-000001", "--with-personal-data", "-o", "packet.pdf"]);
    expect(packet.pages).toBeGreaterThan(1);
    expect((await s.cli(["report", "2026-000001", "--with-personal-data", "-o", "report.pdf"])).code).toBe(0);
    expect((await s.cli(["analysis", "2026-000001", "-o", "analysis.pdf"])).code).toBe(0);
    expect((await s.cli(["exchange", "export", "2026-000001", "-o", "exchange.pdf", "--with-personal-data"])).code).toBe(0);
    expect((await s.cli(["stats", "--period", "2026H1", "--pdf", "board.pdf"])).code).toBe(0);

    const file = (n: string) => join(s.home, n);
    for (const n of ["packet.pdf", "report.pdf", "exchange.pdf"]) {
      const text = (await pdfPages(file(n))).join("\n");
      expect(text, n).toContain(NAME);
      expect(text, n).toContain("→");
      expect(text, n).toContain("≥");
    }
    // the analysis never names persons, but prints the case's text as written
    const analysis = (await pdfPages(file("analysis.pdf"))).join("\n");
    expect(analysis).toContain("→ 3,5");
    expect(analysis).not.toContain("Łukasz");
    for (const n of ["packet.pdf", "report.pdf", "analysis.pdf", "exchange.pdf", "board.pdf"]) expectEmbeddedFonts(file(n));
    expectPdfA(file("packet.pdf"), 2, /Avvikelse i samverkan/);
    expectPdfA(file("report.pdf"), 2, /Avvikelserapport/);
    expectPdfA(file("analysis.pdf"), 2, /Analys av avvikelse/);
    expectPdfA(file("board.pdf"), 2, /Avvikelser i samverkan/);
    // the exchange file carries its payload as an embedded file: PDF/A-3, with the relationship named
    expectPdfA(file("exchange.pdf"), 3, /Avvikelse i samverkan/);
  });

  it("writes names with & and < into the XMP metadata as valid XML", async () => {
    s = linkoping();
    expect((await s.cli(["config", "set", "org.name", "Vård & Omsorg <Öst> AB"])).code).toBe(0);
    await s.cliJson(outgoingCase());
    await s.cliJson(["packet", "2026-000001", "-o", "p.pdf"]);
    const meta = xmp(join(s.home, "p.pdf"));
    expect(meta).toContain("Vård &amp; Omsorg &lt;Öst&gt; AB");
    expect(meta).not.toContain("& Omsorg");
  });

  it("refuses text no document font can draw, with one line and no change", async () => {
    s = linkoping();
    const cases: Array<[string[], RegExp]> = [
      [outgoingCase(["--summary", "Utskriven 中文 utan lista"]), /--summary.*U\+4E2D/],
      [outgoingCase(["--person", "19121212-1212:Tolvan 🧠 Tolvansson"]), /--person.*U\+1F9E0/],
      [["org", "add", "--id", "x", "--name", "Vård ई AB", "--kind", "private"], /--name/],
      [["contact", "add", "--org", "linkoping", "--role", "mas", "--name", "Anna 한국", "--email", "a@b.example"], /--name/],
    ];
    for (const [args, message] of cases) {
      const r = await s.cli(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/inte kan skrivas ut/);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(await s.cliJson(["case", "list"])).toHaveLength(0);
    expect((await s.cliJson(["org", "list"])).some((o: { id: string }) => o.id === "x")).toBe(false);
    // and in a later change
    await s.cliJson(outgoingCase());
    const u = await s.cli(["case", "update", "2026-000001", "--causes", "Orsak א okänd"]);
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/--causes/);
    // what the fonts have is taken: Polish, Hungarian, Sámi, Turkish, arrows and relations
    await s.cliJson(outgoingCase(["--summary", "Ŋ ŧ đ č ş ğ ı ő ű ł → ≥ ≤ ± µ", "--person", `19121212-1212:${NAME}`]));
  });
});
