// What a scanned page is made into before and after OCR (no OCR here): its tilt measured (skewAngle), ruling
// lines removed (removeRules), and the words tesseract read put together into rows across a table's columns
// (layoutRows), where a label in one cell finds the value in the next.

import { describe, expect, it } from "vitest";
import { DiaryTemplate } from "../../src/core/diaryNumber.js";
import { ReferenceMatcher } from "../../src/core/matching.js";
import { layoutRows, type OcrWord } from "../../src/documents/ocr.js";
import { removeRules, skewAngle, type Raster } from "../../src/documents/raster.js";

const white = (width: number, height: number, dpi = 300): Raster => ({ data: new Uint8Array(width * height).fill(255), width, height, dpi });
const fill = (r: Raster, x0: number, y0: number, x1: number, y1: number) => {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) r.data[y * r.width + x] = 0;
};
const black = (r: Raster, x0: number, y0: number, x1: number, y1: number) => {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (r.data[y * r.width + x] === 0) n++;
  return n;
};

/** "Lines of text": rows of 20 × 24 px blocks with gaps, every 60 px, tilted by `degrees` (clockwise). */
function textPage(degrees: number): Raster {
  const r = white(2000, 2400);
  const t = Math.tan((degrees * Math.PI) / 180);
  for (let line = 0; line < 30; line++) {
    for (let x = 200; x < 1800; x += 28) {
      const y = 200 + line * 60 + Math.round(x * t);
      fill(r, x, y, x + 20, y + 24);
    }
  }
  return r;
}

describe("a scanned page made ready for OCR", () => {
  it("measures the tilt of its lines, clockwise, and none on a straight page", () => {
    expect(skewAngle(textPage(0))).toBe(0);
    expect(Math.abs(skewAngle(textPage(3)) - 3)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(skewAngle(textPage(-4.5)) + 4.5)).toBeLessThanOrEqual(0.2);
    // Nothing on the page: no angle.
    expect(skewAngle(white(1000, 1400))).toBe(0);
  });

  it("removes a table's thin borders, ragged ones too, and keeps letters and a filled band", () => {
    const r = white(1600, 800);
    fill(r, 100, 100, 1500, 104); // a border across
    for (let x = 100; x < 1500; x += 7) fill(r, x, 300, x + 6, 303); // a ragged (faxed) one
    fill(r, 100, 100, 104, 700); // a border down
    fill(r, 200, 400, 220, 440); // a letter
    fill(r, 100, 600, 1500, 700); // a letterhead's band
    const { page: out, removed } = removeRules(r);
    expect(removed).toBeGreaterThan(1400 * 3);
    expect(black(out, 100, 98, 1500, 106)).toBeLessThan(30); // only where the border down crosses it
    expect(black(out, 100, 298, 1500, 305)).toBe(0);
    expect(black(out, 98, 150, 106, 550)).toBe(0);
    expect(black(out, 200, 400, 220, 440)).toBe(20 * 40);
    expect(black(out, 100, 600, 1500, 700)).toBeGreaterThan(0.99 * 1400 * 100);
  });
});

describe("a page read across its columns", () => {
  const word = (text: string, x: number, y: number, line: string, h = 30): OcrWord => ({ text, confidence: 95, box: { x, y, w: 20 * text.length, h }, line });

  it("puts a label beside the value in the next cell (tesseract read them as lines apart), border marks dropped", () => {
    const words = [
      word("|", 50, 500, "1.1.1"), word("Synergi", 80, 500, "1.1.1"), word("nr", 240, 502, "1.1.1"),
      word("Avser", 80, 560, "1.1.2"),
      word("|", 700, 501, "2.1.1"), word("45678", 730, 501, "2.1.1"), word("|", 900, 501, "2.1.1"),
      word("Utskrivning", 730, 561, "2.1.2"),
    ];
    expect(layoutRows(words)).toBe("Synergi nr   45678\nAvser   Utskrivning");
    const m = new ReferenceMatcher(DiaryTemplate.parse("{year}-{seq:6}") as DiaryTemplate);
    const text = "| Synergi nr\n| Avser\n\n| 45678\n| Utskrivning";
    expect(m.findOcr(text).some((c) => c.kind === "external" && c.id === "45678")).toBe(false);
    expect(m.findOcr(`${text}\n${layoutRows(words)}`).some((c) => c.kind === "external" && c.system === "synergi" && c.id === "45678")).toBe(true);
  });

  it("does not join lines that only touch (a line above or below the next column's)", () => {
    const words = [word("Referens:", 80, 500, "1.1.1"), word("2026-000002", 730, 520, "2.1.1")];
    expect(layoutRows(words)).toBe("");
  });

  it("takes a cell's border between a label and its value in a text layer", () => {
    const m = new ReferenceMatcher(DiaryTemplate.parse("{year}-{seq:6}") as DiaryTemplate);
    expect(m.find("Ert dnr | 2026-000003").some((c) => c.kind === "diary" && c.seq === 3 && c.strength === "labelled")).toBe(true);
    expect(m.find("Synergi nr | 45678").some((c) => c.kind === "external" && c.system === "synergi" && c.id === "45678")).toBe(true);
  });
});
