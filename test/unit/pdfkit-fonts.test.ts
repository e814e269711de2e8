// Guards what src/documents/fonts.ts and pdf.ts rely on in pdfkit's internals (the version is pinned): if pdfkit
// changes, these fail before a document does.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FONT, setFontSharing, shapedWords } from "../../src/documents/fonts.js";
import { finish, newDocument, put } from "../../src/documents/pdf.js";

const now = new Date("2026-03-10T09:00:00Z");

async function render(text: string): Promise<Buffer> {
  const doc = await newDocument({ title: "Prov", diaryNumber: "2026-000001", author: "Linköpings kommun", now });
  put(doc, text, 70, 100, 400);
  doc.font(FONT.bold);
  put(doc, text, 70, 200, 400);
  return finish(doc, "2026-000001", (i, n) => `Sida ${i} av ${n}`);
}

describe("pdfkit as the documents use it", () => {
  it("is the pinned version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../node_modules/pdfkit/package.json", import.meta.url), "utf8"));
    const ours = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(ours.dependencies.pdfkit).toBe("0.20.2");
    expect(pkg.version).toBe("0.20.2");
  });

  it("shares shaped words between documents, and sharing changes no byte", async () => {
    const text = "Łukasz Wiśniewski-Gőbölyös → ≥ unika ord qzxv 4711";
    const first = await render(text);
    const before = await shapedWords();
    const second = await render(text);
    // the second document shaped nothing: pdfkit's EmbeddedFont still has `font`, `layoutCache` and `layout`
    expect(await shapedWords()).toBe(before);
    expect(second.equals(first)).toBe(true);
    setFontSharing(false);
    try {
      const alone = await render(text);
      expect(alone.equals(first)).toBe(true);
      expect(await shapedWords()).toBeGreaterThan(before);
    } finally {
      setFontSharing(true);
    }
  });
});
