// References in text read by OCR (ReferenceMatcher.findOcr): the characters OCR confuses are put right only
// inside a reference token that a label introduces or that is our diary format exactly; nothing else of the text.

import { describe, expect, it } from "vitest";
import { DiaryTemplate } from "../../src/core/diaryNumber.js";
import { mendLabels, ReferenceMatcher, type RefCandidate } from "../../src/core/matching.js";

const matcher = (format = "{year}-{seq:6}") => new ReferenceMatcher(DiaryTemplate.parse(format) as DiaryTemplate);
const diary = (found: RefCandidate[]) => found.filter((f) => f.kind === "diary").map((f) => f.kind === "diary" && `${f.year}/${f.seq}/${f.strength}`);
const external = (found: RefCandidate[]) => found.filter((f) => f.kind === "external").map((f) => f.kind === "external" && `${f.system ?? "*"}:${f.id}`);

describe("references in OCR text", () => {
  it("puts O/0, l/I/1, S/5, B/8 and dashes right inside a labelled token", () => {
    const m = matcher();
    expect(diary(m.findOcr("Referens: 2O26-OOOO12"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.findOcr("Ert dnr 2026—0000l2"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.findOcr("Er referens: 2O2S~0000I2"))).toEqual(["2025/12/labelled"]);
    expect(diary(m.findOcr("Diarienummer: 2026_000B12"))).toEqual(["2026/812/labelled"]);
    // A hyphen OCR read as a space, or as a colon.
    expect(diary(m.findOcr("Referens 2026 000001"))).toEqual(["2026/1/labelled"]);
    expect(diary(m.findOcr("Er referens: 2026:000001"))).toEqual(["2026/1/labelled"]);
    expect(external(m.findOcr("Synergiärende 4567B"))).toEqual(["synergi:45678"]);
    expect(external(m.findOcr("Ärende Synerglärende 45678"))).toEqual(["synergi:45678"]);
    expect(external(m.findOcr("MedControl 12S"))).toEqual(["medcontrol:125"]);
  });

  it("puts a token right without a label only when it then is our diary format exactly", () => {
    const m = matcher();
    expect(diary(m.findOcr("avser 2O26-OOOO12 hos er"))).toEqual(["2026/12/bare"]);
    // Not our format exactly (a short sequence, a date): left as read.
    expect(diary(m.findOcr("avser 2O26-l2 hos er"))).toEqual([]);
    expect(diary(m.findOcr("Datum 2O26-O3-1O"))).toEqual([]);
    // Words are not tokens: nothing of the text around changes.
    expect(m.findOcr("OBS Sida l av 2. SOS BB IO")).toEqual([]);
  });

  it("keeps the writer's own number theirs when OCR loses the ring of 'Vårt'", () => {
    const m = matcher();
    for (const label of ["Vårt dnr", "Vart dnr", "Värt dnr", "Var referens"]) {
      expect(diary(m.findOcr(`${label} 2026-000012`)), label).toEqual([]);
    }
    expect(diary(m.findOcr("Ert dnr 2026-000002\nVart dnr 2026-000777"))).toEqual(["2026/2/labelled"]);
  });

  it("mends a label word OCR misread by a letter (two of a long one), and no other word", () => {
    const m = matcher();
    expect(external(m.findOcr("Region Östergötland » Bynergiärende 45678 - 581 85 Linköping"))).toEqual(["synergi:45678"]);
    expect(diary(m.findOcr("Er refcrens: 2026-000001"))).toEqual(["2026/1/labelled"]);
    expect(diary(m.findOcr("Diarienunmer 2026-000004"))).toEqual(["2026/4/labelled"]);
    // Too far from any label, or a short label (a letter off makes another word): left as read.
    expect(external(m.findOcr("Bymergiårande 45678"))).toEqual([]);
    expect(external(m.findOcr("Er ret 45678"))).toEqual([]);
    // A footer's separator read as a dash after the number, and a postcode: no date.
    expect(diary(m.findOcr("Vrinnevisjukhuset - Ert dnr 2026-000003 - 601 82 Norrköping"))).toEqual(["2026/3/labelled"]);
    expect(diary(m.findOcr("Ert dnr 2026-03-10"))).toEqual([]);
    expect(mendLabels("checklistan har uppdaterats, personalen informerades")).toBe("checklistan har uppdaterats, personalen informerades");
  });

  it("follows the configured format: VOK {year}-{seq}", () => {
    const m = matcher("VOK {year}-{seq}");
    expect(diary(m.findOcr("Er referens: VOK 2O26-l23"))).toEqual(["2026/123/labelled"]);
  });
});
