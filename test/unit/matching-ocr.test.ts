// References in text read by OCR (ReferenceMatcher.findOcr): the characters OCR confuses are put right only
// inside a reference token that a label introduces or that is our diary format exactly; nothing else of the text.

import { describe, expect, it } from "vitest";
import { DiaryTemplate } from "../../src/core/diaryNumber.js";
import { ReferenceMatcher, type RefCandidate } from "../../src/core/matching.js";

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

  it("follows the configured format: VOK {year}-{seq}", () => {
    const m = matcher("VOK {year}-{seq}");
    expect(diary(m.findOcr("Er referens: VOK 2O26-l23"))).toEqual(["2026/123/labelled"]);
  });
});
