// What can be checked of PDF/A here without veraPDF, for every kind of document the tool makes: the file header,
// the trailer's ID and no encryption or scripts; the XMP packet well-formed XML (xmllint) carrying the PDF/A
// identification, read by pdf.js and equal to the document information (title, author, producer, creator tool,
// creation date); an sRGB output intent whose profile is an ICC RGB profile; every font a CIDFontType2 with its
// TrueType program embedded (a program fontkit reads), an Identity CIDToGIDMap and glyph widths equal to the
// program's own (the PDF/A rule on width consistency), every glyph the text uses present in the program.
// Not checked (veraPDF would): the colour of every object against the intent, the full XMP schema rules,
// annotations' appearance streams in detail, the structure tree beyond board-tagged.test.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateXML } from "xmllint-wasm";
import { linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";
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
    await make(["report", "2026-000001", "-o", "report.pdf"]);
    await make(["analysis", "2026-000001", "-o", "analysis.pdf"]);
    await make(["stats", "--period", "2026H1", "--pdf", "board.pdf"]);
    await make(["exchange", "export", "2026-000001", "-o", "exchange.pdf"]);
    for (const [n, part] of [["packet-out.pdf", 2], ["report.pdf", 2], ["analysis.pdf", 2], ["board.pdf", 2], ["exchange.pdf", 3]] as const) {
      files[n] = { data: readFileSync(join(s.home, n)), part };
    }
  }, 120_000);
  afterAll(() => s?.cleanup());

  for (const n of ["packet-out.pdf", "report.pdf", "analysis.pdf", "board.pdf", "exchange.pdf"]) {
    it(n, async () => {
      await checkPdfA(n, files[n]!.data, files[n]!.part);
    });
  }

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
