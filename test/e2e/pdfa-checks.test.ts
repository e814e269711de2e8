// What can be checked of PDF/A here without veraPDF, for every kind of document the tool makes: the file header,
// the trailer's ID and no encryption or scripts; the XMP packet well-formed XML (xmllint) carrying the PDF/A
// identification, read by pdf.js and equal to the document information (title, author, producer, creator tool,
// creation date); an sRGB output intent whose profile is an ICC RGB profile; every font a CIDFontType2 with a
// ToUnicode map and its TrueType program embedded (a program fontkit reads), an Identity CIDToGIDMap and glyph
// widths equal to the program's own (the PDF/A rule on width consistency), every glyph the text uses present in
// the program.
// And a validator: Apache PDFBox's Preflight (Debian's libpdfbox2-java, installed by scripts/ensure-installed.js
// for npm test) checks every file against the rules of PDF/A-1b (the file structure, the fonts and their
// programs, the XMP against the document information, the output intent, no transparency, annotations and form
// fields with appearances, no actions); of what it reports, only what PDF/A-2b allows may remain: a composite
// font subset without a CIDSet (optional since PDF/A-2) and the identification as part 2 (or 3).
// Not checked (veraPDF would): the colour of every object against the intent, the rules PDF/A-2 adds to those of
// PDF/A-1 (JPEG 2000, optional content, the full XMP extension schemas), the structure tree beyond
// board-tagged.test.ts.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateXML } from "xmllint-wasm";
import { incomingCase, linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";
import { xmp } from "../helpers/pdf.js";

let s: Sandbox;

interface Obj {
  dict: string;
  stream: Buffer | null;
}

/** Every indirect object: its dictionary text and its stream, decompressed. */
function indirect(data: Buffer): Map<number, Obj> {
  const text = data.toString("latin1");
  const out = new Map<number, Obj>();
  const re = /(\d+) 0 obj\s*([\s\S]*?)(\bstream\r?\n|\bendobj)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    let stream: Buffer | null = null;
    if (m[3]!.startsWith("stream")) {
      const len = Number(/\/Length (\d+)/.exec(m[2]!)![1]);
      const start = m.index + m[0].length;
      const raw = data.subarray(start, start + len);
      stream = /\/Filter \/FlateDecode/.test(m[2]!) ? inflateSync(raw) : raw;
      re.lastIndex = start + len;
    }
    out.set(Number(m[1]), { dict: m[2]!, stream });
  }
  return out;
}

const ref = (dict: string, key: string): number | null => {
  const m = new RegExp(`/${key} (\\d+) 0 R`).exec(dict);
  return m ? Number(m[1]) : null;
};

type FontkitFont = { unitsPerEm: number; numGlyphs: number; getGlyph(id: number): { advanceWidth: number } };

async function checkPdfA(name: string, data: Buffer, part: 2 | 3): Promise<void> {
  // header: version 1.7 and a comment line of bytes above 127 (a file to be treated as binary)
  expect(data.subarray(0, 9).toString("latin1"), name).toBe("%PDF-1.7\n");
  expect(data[9], name).toBe(0x25);
  expect([...data.subarray(10, 14)].every((b) => b > 127), name).toBe(true);
  const text = data.toString("latin1");
  const trailer = text.slice(text.lastIndexOf("trailer"));
  expect(trailer, name).toMatch(/\/ID \[<[0-9a-f]{32}> <[0-9a-f]{32}>\]/);
  expect(trailer, name).not.toContain("/Encrypt");
  const objs = indirect(data);
  for (const o of objs.values()) expect(o.dict, name).not.toMatch(/\/(JavaScript|JS|Launch|URI)\b/);

  // XMP: well-formed, the identification, and the same values as the document information
  const packet = xmp(data);
  const parsed = await validateXML({ xml: [{ fileName: "xmp.xml", contents: packet.replace(/^<\?xpacket[^>]*\?>/, "").replace(/<\?xpacket[^>]*\?>\s*$/, "") }], normalization: "c14n" });
  expect(parsed.errors, name).toEqual([]);
  expect(packet, name).toContain(`<pdfaid:part>${part}</pdfaid:part>`);
  expect(packet, name).toContain("<pdfaid:conformance>B</pdfaid:conformance>");
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const task = pdfjs.getDocument({ data: new Uint8Array(data), isEvalSupported: false, verbosity: 0 });
  try {
    const doc = await task.promise;
    const { info, metadata } = (await doc.getMetadata()) as unknown as { info: Record<string, unknown>; metadata: { get(k: string): unknown } | null };
    expect(metadata, name).not.toBeNull();
    expect(metadata!.get("dc:title"), name).toBe(info.Title);
    expect(metadata!.get("dc:creator"), name).toEqual([info.Author]);
    expect(metadata!.get("pdf:producer"), name).toBe(info.Producer);
    expect(metadata!.get("xmp:creatortool"), name).toBe(info.Creator);
    const created = pdfjs.PDFDateString.toDateObject(info.CreationDate as string)!;
    expect(new Date(metadata!.get("xmp:createdate") as string).getTime(), name).toBe(created.getTime());
    expect(info.Language ?? "sv-SE", name).toBe("sv-SE");
  } finally {
    await task.destroy();
  }

  // the output intent: GTS_PDFA1 with an ICC profile of an RGB device (N 3)
  const catalog = [...objs.values()].find((o) => /\/Type \/Catalog\b/.test(o.dict))!;
  expect(catalog.dict, name).toContain("/Lang (sv-SE)");
  const intentId = Number(/\/OutputIntents \[\s*(\d+) 0 R/.exec(catalog.dict)![1]);
  const intent = objs.get(intentId)!;
  expect(intent.dict, name).toContain("/S /GTS_PDFA1");
  const profile = objs.get(ref(intent.dict, "DestOutputProfile")!)!;
  expect(profile.dict, name).toMatch(/\/N 3\b/);
  expect(profile.stream!.subarray(36, 40).toString("latin1"), name).toBe("acsp");
  expect(profile.stream!.subarray(16, 20).toString("latin1"), name).toBe("RGB ");

  // fonts: Type0 over CIDFontType2, the program embedded, widths as in the program, every glyph in it
  const fontkit = (await import("fontkit")) as unknown as { create(b: Buffer): FontkitFont };
  const type0 = [...objs.entries()].filter(([, o]) => /\/Type \/Font\b/.test(o.dict) && /\/Subtype \/Type0\b/.test(o.dict));
  expect(type0.length, name).toBeGreaterThan(0);
  expect([...objs.values()].filter((o) => /\/Type \/Font\b/.test(o.dict) && /\/Subtype \/(Type1|TrueType|Type3)\b/.test(o.dict)), name).toEqual([]);
  const programs = new Map<number, FontkitFont>();
  for (const [id, font] of type0) {
    // a ToUnicode map: the text can be searched and read aloud
    const toUnicode = objs.get(ref(font.dict, "ToUnicode")!)!;
    expect(toUnicode.stream!.toString("latin1"), name).toMatch(/begincmap[\s\S]*\d+ beginbfrange\n<0000> <[0-9a-f]{4}> \[/);
    const cid = objs.get(Number(/\/DescendantFonts \[(\d+) 0 R\]/.exec(font.dict)![1]))!;
    expect(cid.dict, name).toContain("/Subtype /CIDFontType2");
    expect(cid.dict, name).toContain("/CIDToGIDMap /Identity");
    const descriptor = objs.get(ref(cid.dict, "FontDescriptor")!)!;
    const program = objs.get(ref(descriptor.dict, "FontFile2")!)!;
    const ttf = fontkit.create(program.stream!);
    programs.set(id, ttf);
    const widths = /\/W \[0 \[([^\]]*)\]\]/.exec(cid.dict)![1]!.trim().split(/\s+/).map(Number);
    // the glyphs the text shows come first; the parts of composite glyphs follow them in the program
    expect(widths.length, name).toBeGreaterThan(10);
    expect(widths.length, name).toBeLessThanOrEqual(ttf.numGlyphs);
    widths.forEach((w, gid) => expect(Math.abs(w - (ttf.getGlyph(gid).advanceWidth * 1000) / ttf.unitsPerEm), `${name} glyph ${gid}`).toBeLessThan(0.01));
  }
  // the glyph ids the page contents show are in the font programs (4 hex digits each, Identity-H)
  let shown = 0;
  for (const o of objs.values()) {
    if (!o.stream || /\/Type \/|\/Subtype|\/N 3|\/Length1/.test(o.dict)) continue;
    const content = o.stream.toString("latin1");
    if (!/\bTf\b/.test(content)) continue;
    const max = Math.max(...[...programs.values()].map((f) => f.numGlyphs));
    for (const m of content.matchAll(/<([0-9a-f]+)>/g)) {
      for (let i = 0; i < m[1]!.length; i += 4) {
        const gid = parseInt(m[1]!.slice(i, i + 4), 16);
        expect(gid, name).toBeLessThan(max);
        expect(gid, `${name}: .notdef shown`).toBeGreaterThan(0);
        shown++;
      }
    }
  }
  expect(shown, name).toBeGreaterThan(50);
}

/** Preflight's findings per file (in the order given): code and details of each error. */
function preflight(files: string[], dir: string): Array<Array<{ code: string; details: string }>> {
  const list = join(dir, "preflight-files.txt");
  writeFileSync(list, files.join("\n") + "\n");
  const jars = ["preflight", "pdfbox2", "fontbox2", "xmpbox", "commons-logging", "javax.activation", "jaxb-api"].map((j) => `/usr/share/java/${j}.jar`);
  const r = spawnSync("java", ["-cp", jars.join(":"), "org.apache.pdfbox.preflight.Validator_A1b", "xml", "group", list], { encoding: "utf8", cwd: dir });
  expect(r.error, "java").toBeUndefined();
  const xml = readFileSync(`${list}.preflight.xml`, "utf8");
  const reports = [...xml.matchAll(/<preflight name="([^"]*)">([\s\S]*?)<\/preflight>/g)];
  expect(reports.map((m) => m[1]), r.stderr).toEqual(files.map((f) => f.slice(f.lastIndexOf("/") + 1)));
  return reports.map((m) => [...m[2]!.matchAll(/<code>([^<]*)<\/code>\s*<details>([^<]*)<\/details>/g)].map((e) => ({ code: e[1]!, details: e[2]! })));
}

/**
 * What PDF/A-1b forbids and PDF/A-2b allows: a composite subset without CIDSet; the identification as part 2
 * or 3. PDF/A-3b (the exchange file) also allows its embedded file.
 */
const allowedBy = (part: 2 | 3) => (e: { code: string; details: string }) =>
  (e.code === "3.1.11" && /CIDSet entry is missing for the Composite Subset/.test(e.details)) ||
  (e.code === "7.11.2" && /part must be 1/.test(e.details)) ||
  (part === 3 && ["1.4.7", "1.2.9"].includes(e.code) && /EmbeddedFile entry is present/.test(e.details));

describe("PDF/A: what is checked here, for every document", () => {
  const files: Record<string, { data: Buffer; part: 2 | 3 }> = {};
  beforeAll(async () => {
    s = linkoping();
    await s.cliJson(outgoingCase(["--ref", "synergi:45678", "--person", "19121212-1212:Łukasz Wiśniewski-Gőbölyös", "--description", "INR → 3,5 och ≥ 2 ggr/dygn"]));
    const make = async (args: string[]) => {
      const r = await s.cli(args);
      expect(r.code, r.stderr).toBe(0);
    };
    await make(["packet", "2026-000001", "--with-personal-data", "-o", "packet-out.pdf"]);
    // our answer to an incoming case
    await s.cliJson(incomingCase(["--ref", "synergi:777"]));
    await s.cliJson(["case", "assign", "2026-000002", "--to", "sara.nilsson@linkoping.example"]);
    await s.cliJson(["case", "update", "2026-000002", "--causes", "Överrapporteringen saknade läkemedelslistan.", "--actions", "Ny checklista vid hemgång → uppföljning ≥ 2 gånger."]);
    await make(["packet", "2026-000002", "-o", "packet-in.pdf"]);
    await make(["report", "2026-000001", "-o", "report.pdf"]);
    await make(["analysis", "2026-000001", "-o", "analysis.pdf"]);
    await make(["stats", "--period", "2026H1", "--pdf", "board.pdf"]);
    await make(["exchange", "export", "2026-000001", "-o", "exchange.pdf"]);
    for (const [n, part] of [["packet-out.pdf", 2], ["packet-in.pdf", 2], ["report.pdf", 2], ["analysis.pdf", 2], ["board.pdf", 2], ["exchange.pdf", 3]] as const) {
      files[n] = { data: readFileSync(join(s.home, n)), part };
    }
  }, 120_000);
  afterAll(() => s?.cleanup());

  for (const n of ["packet-out.pdf", "packet-in.pdf", "report.pdf", "analysis.pdf", "board.pdf", "exchange.pdf"]) {
    it(n, async () => {
      await checkPdfA(n, files[n]!.data, files[n]!.part);
    });
  }

  it("Apache PDFBox Preflight finds nothing PDF/A-2b forbids, and finds a title the XMP does not say", async () => {
    // the check can fail: the answer packet with one letter of its title changed in the document information
    const data = Buffer.from(files["packet-in.pdf"]!.data);
    const text = data.toString("latin1");
    const title = Number(/\/Title (\d+) 0 R/.exec(text)![1]);
    const at = text.indexOf(`\n${title} 0 obj\n(`) + `\n${title} 0 obj\n(`.length + 2; // after the UTF-16 byte order mark
    data.write(text[at + 1] === "S" ? "T" : "S", at + 1, "latin1");
    writeFileSync(join(s.home, "changed.pdf"), data);
    const names = [...Object.keys(files), "changed.pdf"];
    const found = preflight(names.map((n) => join(s.home, n)), s.home);
    names.forEach((n, i) => {
      if (n === "changed.pdf") expect(found[i]!.filter((e) => !allowedBy(2)(e)).map((e) => e.code)).toContain("7.2");
      else expect(found[i]!.filter((e) => !allowedBy(files[n]!.part)(e)), n).toEqual([]);
    });
  }, 120_000);

  it("fails a document whose widths do not match its font program", async () => {
    // the check can fail: the packet with one width changed in its font dictionary
    const data = Buffer.from(files["packet-out.pdf"]!.data);
    const text = data.toString("latin1");
    const at = text.indexOf("/W [0 [") + "/W [0 [".length;
    // the first digit of glyph 0's width, changed in place (the same length: the offsets stay right)
    data.write(text[at] === "9" ? "1" : String(Number(text[at]) + 1), at, "latin1");
    await expect(checkPdfA("changed", data, 2)).rejects.toThrow();
  });
});
