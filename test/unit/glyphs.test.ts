import { describe, expect, it } from "vitest";
import { PRINTABLE_RANGES } from "../../src/core/glyphs.js";
import { drawable, unprintableCharacters } from "../../src/core/printable.js";
// @ts-expect-error plain JavaScript shared with the generator
import { coverageRanges } from "../../scripts/font-coverage-lib.js";

describe("the characters documents can print", () => {
  it("is the table made from the font files that documents embed (run scripts/font-coverage.js after changing fonts)", async () => {
    expect(PRINTABLE_RANGES.map(([a, b]) => [a, b])).toEqual(await coverageRanges());
  });

  it("takes the names of Swedish care and refuses what no face draws", () => {
    expect(unprintableCharacters("Łukasz Wiśniewski-Gőbölyös, Ŋ ŧ đ č ş ğ ı, → ≥ ≤ ± µ\n\tÅÄÖ")).toEqual([]);
    // composed from combining accents: printed as the composed letters
    expect(unprintableCharacters("Go\u030bbo\u0308lyo\u0308s")).toEqual([]);
    expect(unprintableCharacters("中文 🧠 中")).toEqual(["中", "文", "🧠"]);
    // right to left is refused: pdfkit would print it reversed
    expect(unprintableCharacters("שלום")).toHaveLength(4);
    // control and format characters are not drawn (and neutralised on output elsewhere), so not refused here
    expect(unprintableCharacters("a\u0007b\u001b[2J\u200b\u202e")).toEqual([]);
    expect(drawable("Rad\u001b]0;x\u0007 ett\nrad två\u200b")).toBe("Rad]0;x ett\nrad två");
  });
});
