// Guards the shortcuts src/documents/pdf.ts and fonts.ts take past pdfkit (pinned 0.20.2): a line of text written
// as one piece of content, streams compressed once per process, the QR code's modules in one piece, and words of
// digits and punctuation joined from their characters' runs instead of shaped. Each must give pdfkit's (and
// fontkit's) own document, streams compared inflated (compressed at zlib's fastest level, not pdfkit's); if
// pdfkit or the font changes underneath, these fail before a document differs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { FONT, FONT_FILES, fontDirectory, UNSHAPED } from "../../src/documents/fonts.js";
import { finish, newDocument, paragraph, put, qrCode, setPdfShortcuts, title } from "../../src/documents/pdf.js";

const now = new Date("2026-03-10T09:00:00Z");

/**
 * A PDF's objects in order, each stream inflated and without its length (the shortcuts compress at another
 * zlib level than pdfkit), and the trailer: what is drawn and said, whatever the compression.
 */
function objects(pdf: Buffer): string[] {
  const text = pdf.toString("latin1");
  const out: string[] = [];
  const object = /(\d+) 0 obj\n/g;
  for (let m = object.exec(text); m; m = object.exec(text)) {
    const end = text.indexOf("\nendobj", m.index);
    const body = text.slice(m.index + m[0].length, end);
    const at = body.indexOf("\nstream\n");
    if (at < 0) {
      out.push(`${m[1]} ${body}`);
    } else {
      const dict = body.slice(0, at);
      const start = m.index + m[0].length + at + "\nstream\n".length;
      const length = Number(/\/Length (\d+)/.exec(dict)![1]);
      const data = pdf.subarray(start, start + length);
      const raw = dict.includes("/FlateDecode") ? inflateSync(data) : data;
      out.push(`${m[1]} ${dict.replace(/\/Length \d+/, "")}\n${raw.toString("latin1")}`);
    }
    object.lastIndex = end;
  }
  out.push(text.slice(text.lastIndexOf("trailer")).replace(/startxref\n\d+/, ""));
  return out;
}

async function render(): Promise<Buffer> {
  const doc = await newDocument({ title: "Prov & <test>", diaryNumber: "2026-000042", author: "Linköpings kommun", now });
  title(doc, "Avvikelse i samverkan 2026-000042");
  paragraph(doc, "Łukasz Wiśniewski-Gőbölyös fick INR → 3,5 och dosering ≥ 2 ggr/dygn. AV Te Yo kerning, fi fl ligaturer.");
  doc.font(FONT.bold).fontSize(14);
  put(doc, "Referens: 2026-000042 (Synergi 45678), 10/3 kl. 09:00–12:30", 70, 300, 300, { align: "right" });
  doc.font(FONT.oblique).fontSize(8.5).fillColor("#555555");
  put(doc, "Sida 1 av 3 · åäö ÅÄÖ é ü ß ø æ ł ś ő → ≥ ±", 70, 340, 400);
  await qrCode(doc, "2026-000042", 400, 400, 100, "Q");
  doc.addPage();
  paragraph(doc, "Andra sidan, samma ord igen: 2026-000042, 45678 och 10/3.");
  return finish(doc, "2026-000042", (i, n) => `Sida ${i} av ${n}`);
}

describe("pdfkit shortcuts", () => {
  it("give pdfkit's own document (text lines, streams compressed once, the QR code), compressed faster", async () => {
    const fast = await render();
    setPdfShortcuts(false);
    let slow: Buffer;
    try {
      slow = await render();
    } finally {
      setPdfShortcuts(true);
    }
    expect(fast.length).toBeGreaterThan(1000);
    const ours = objects(fast);
    expect(ours.length).toBeGreaterThan(20);
    expect(ours.some((o) => o.includes(" re\n"))).toBe(true);
    expect(ours).toEqual(objects(slow));
    // and again from the process's compressed streams, the same bytes
    expect((await render()).equals(fast)).toBe(true);
  });

  it("joins only words that fontkit shapes as their characters one by one, in every face", async () => {
    const fontkit = (await import("fontkit")) as unknown as { create(data: Buffer): { layout(t: string): { glyphs: Array<{ id: number }>; positions: Array<Record<string, number>> } } };
    const chars = [..."0123456789-.,:;()/+%§#&*_ "];
    expect(chars.every((c) => UNSHAPED.test(c + c))).toBe(true);
    for (const letter of ["a", "A", "å", "T", "\u00a0", "–", "→"]) expect(UNSHAPED.test(`12${letter}3`)).toBe(false);
    const key = (runs: Array<ReturnType<ReturnType<typeof fontkit.create>["layout"]>>) =>
      JSON.stringify(runs.flatMap((r) => r.glyphs.map((g, i) => [g.id, r.positions[i]!.xAdvance, r.positions[i]!.yAdvance, r.positions[i]!.xOffset, r.positions[i]!.yOffset])));
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const file of Object.values(FONT_FILES)) {
      const font = fontkit.create(readFileSync(join(fontDirectory(), file)));
      const words: string[] = [];
      for (const a of chars) for (const b of chars) words.push(a + b);
      for (let i = 0; i < 400; i++) words.push(Array.from({ length: 3 + Math.floor(random() * 14) }, () => chars[Math.floor(random() * chars.length)]).join(""));
      for (const w of words) expect(key([font.layout(w)]), `${file}: ${w}`).toBe(key([...w].map((c) => font.layout(c))));
    }
  });
});
