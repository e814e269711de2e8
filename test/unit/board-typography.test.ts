// Swedish typography of the board report and the comments parser: pure functions.
import { describe, expect, it } from "vitest";
import { parseComments } from "../../src/core/comments.js";
import { shareParts } from "../../src/core/stats.js";
import { parseSvNumber, svCount, svNumber, svPercent, svSigned, svValue } from "../../src/core/typography.js";

describe("Swedish numbers in documents", () => {
  it("groups thousands with a narrow no-break space, writes a decimal comma and a real minus", () => {
    expect(svCount(1234567)).toBe("1\u202f234\u202f567");
    expect(svCount(999)).toBe("999");
    expect(svValue(42.5)).toBe("42,5");
    expect(svValue(43)).toBe("43,0");
    expect(svNumber(-3.25, 1)).toBe("\u22123,3");
    expect(svNumber(-0.01, 1)).toBe("0,0");
    expect(svSigned(-38)).toBe("\u221238");
    expect(svSigned(5)).toBe("+5");
    expect(svSigned(0.04, 1)).toBe("±0");
    expect(svPercent(0.9166)).toBe("91,7\u00a0%");
    expect(svPercent(1)).toBe("100,0\u00a0%");
    expect(svValue(null)).toBe("–");
    expect(parseSvNumber("\u22121\u202f234,5")).toBe(-1234.5);
  });

  it("gives a share with its counts, and too few below five cases", () => {
    expect(shareParts("sv", 1, 2)).toEqual({ kind: "tooFew", part: "1", whole: "2" });
    expect(shareParts("sv", 3, 5, true)).toEqual({ kind: "share", share: "60,0\u00a0%", part: "3", whole: "5" });
    expect(shareParts("sv", 0, 0)).toEqual({ kind: "none" });
  });
});

describe("comments for the board report", () => {
  it("reads headings, paragraphs and lists from Markdown, and plain text as paragraphs", () => {
    const blocks = parseComments(
      "\ufeff# Sammanfattning\r\n\r\nFlest avvikelser gäller **läkemedel**\r\nvid utskrivning.\r\n\r\n## Brister\r\n- Ett\r\n- Två\r\n  fortsätter\r\n\r\n1. Först\r\n2) Sedan\r\nText efter.\r\n\r\nRubrik\r\n======\r\n",
    );
    expect(blocks).toEqual([
      { type: "heading", level: 1, text: "Sammanfattning" },
      { type: "paragraph", text: "Flest avvikelser gäller läkemedel vid utskrivning." },
      { type: "heading", level: 2, text: "Brister" },
      { type: "list", ordered: false, items: ["Ett", "Två fortsätter"] },
      { type: "list", ordered: true, items: ["Först", "Sedan"] },
      { type: "paragraph", text: "Text efter." },
      { type: "heading", level: 1, text: "Rubrik" },
    ]);
    expect(parseComments("Bara en rad.\nOch en till.")).toEqual([{ type: "paragraph", text: "Bara en rad. Och en till." }]);
    expect(parseComments("   \n\n")).toEqual([]);
  });
});
