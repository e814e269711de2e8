// What a scanned page is made into before and after OCR (no OCR here): its tilt measured (skewAngle), ruling
// lines removed (removeRules), and the words tesseract read put together into rows across a table's columns
// (layoutRows), where a label in one cell finds the value in the next.

import { describe, expect, it } from "vitest";
import { DiaryTemplate } from "../../src/core/diaryNumber.js";
import { ReferenceMatcher } from "../../src/core/matching.js";
import { layoutRows, type OcrWord } from "../../src/documents/ocr.js";
import { clearDarkAreas, despeckle, removeRules, skewAngle, type Raster } from "../../src/documents/raster.js";

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

describe("a scanned page cleaned before it is straightened", () => {
  it("removes a table's borders tilted as scanned (stepping a row at a time), and keeps letters", () => {
    const r = white(1600, 800);
    const t = Math.tan((4 * Math.PI) / 180);
    // A border across tilted by 4°, 2 px thick, drawn as a scanner's staircase; one down, tilted alike.
    for (let x = 100; x < 1500; x++) fill(r, x, 100 + Math.floor(x * t), x + 1, 102 + Math.floor(x * t));
    for (let y = 150; y < 700; y++) fill(r, 1550 - Math.floor(y * t), y, 1552 - Math.floor(y * t), y + 1);
    fill(r, 300, 400, 320, 440); // a letter
    const straight = removeRules(r);
    const tilted = removeRules(r, undefined, undefined, 4);
    const left = (p: Raster) => black(p, 0, 0, 1600, 800) - 20 * 40;
    expect(left(straight.page)).toBeGreaterThan(1000); // followed straight across, a tilted line is short runs
    expect(left(tilted.page)).toBeLessThan(60);
    expect(black(tilted.page, 300, 400, 320, 440)).toBe(20 * 40);
  });

  it("clears dark areas (a band, a dithered logo) from the page read, not text or a thin line", () => {
    const grey = white(1200, 1200, 300);
    const bin = white(1200, 1200, 300);
    // A band 3 inches by half an inch: solid grey 60 in the page, dithered (every other pixel) once binarised.
    for (let y = 100; y < 250; y++) for (let x = 100; x < 1000; x++) {
      grey.data[y * 1200 + x] = 60;
      if ((x + y) % 2 === 0) bin.data[y * 1200 + x] = 0;
    }
    // A line of heavy type: strokes 8 px wide every 24 px, 40 px tall.
    for (let x = 100; x < 1000; x += 24) {
      fill(grey, x, 600, x + 8, 640);
      fill(bin, x, 600, x + 8, 640);
    }
    const { page, cleared } = clearDarkAreas(grey, bin);
    expect(cleared).toBeGreaterThan(10);
    expect(black(page, 90, 90, 1010, 260)).toBe(0);
    expect(black(page, 100, 600, 1000, 640)).toBe(black(bin, 100, 600, 1000, 640));
  });

  it("removes specks smaller than a full stop, touching diagonally counted as one", () => {
    const r = white(400, 400, 150);
    fill(r, 10, 10, 11, 11); // a speck of one pixel
    fill(r, 50, 50, 51, 51);
    fill(r, 51, 51, 52, 52);
    fill(r, 52, 52, 53, 53); // three pixels touching at their corners: one blob of 3, kept (minArea 3)
    fill(r, 100, 100, 110, 110); // a dot
    const { page, removed } = despeckle(r);
    expect(black(page, 0, 0, 400, 400)).toBe(3 + 100);
    expect(removed).toBeCloseTo(1 / 104, 5);
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
