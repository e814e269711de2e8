import { describe, expect, it } from "vitest";
import { DiaryTemplate } from "../../src/core/diaryNumber.js";
import { decide, ReferenceMatcher, type RefCandidate } from "../../src/core/matching.js";

const matcher = (format = "{year}-{seq:6}") => new ReferenceMatcher(DiaryTemplate.parse(format) as DiaryTemplate);
const diary = (found: RefCandidate[]) => found.filter((f) => f.kind === "diary").map((f) => f.kind === "diary" && `${f.year}/${f.seq}/${f.strength}`);
const external = (found: RefCandidate[]) => found.filter((f) => f.kind === "external").map((f) => f.kind === "external" && `${f.system ?? "*"}:${f.id}`);

describe("finding our diary numbers", () => {
  it("finds the number as printed and as OCR and other writers mangle it", () => {
    const m = matcher();
    expect(diary(m.find("Referens: 2026-000012"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.find("Ert dnr 2026 – 000012"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.find("Ert dnr 2026\u2014000012"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.find("Er beteckning:\n2026-\n000012"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.find("Diarienummer 2026-0000\n12"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.find("avser ärende 2026-000012:3 hos er"))).toEqual(["2026/12/bare"]);
    expect(diary(m.find("Dnr 2026-12"))).toEqual(["2026/12/labelled"]); // leading zeros dropped, but labelled
    expect(diary(m.find("Dnr 2026-0000012"))).toEqual(["2026/12/labelled"]); // one zero too many
    // Other people's letters name our number in their own words.
    expect(diary(m.find("Ert ärende: 2026-000012"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.find("Ert ärendenr 2026-12"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.find("Ärende nr. 2026-12"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.find("ÄRENDENR: 2026-000012"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.find("Ert diarienr 2026-12"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.find("Ert avvikelsenummer 2026-000012"))).toEqual(["2026/12/labelled"]);
  });

  it("takes our number retyped with a slash only after a label that names it as the reader's", () => {
    const m = matcher();
    expect(diary(m.find("Er ref. 2026/000012"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.find("Ert dnr: 2026 / 12"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.find("Er referens 2026-000012"))).toEqual(["2026/12/labelled"]); // once, not twice
    // After a label that says nothing of whose it is, or the writer's, or none: authorities write theirs so.
    expect(diary(m.find("Dnr 2026/000012"))).toEqual([]);
    expect(diary(m.find("Vår ref: 2026/000012"))).toEqual([]);
    expect(diary(m.find("Vårt dnr 2026/000012, er ref. 2026/000013"))).toEqual(["2026/13/labelled"]);
    expect(diary(m.find("se 2026/000012"))).toEqual([]);
    expect(diary(m.find("Er ref. 2026/03/10"))).toEqual([]); // a date
  });

  it("does not take near misses for references", () => {
    const m = matcher();
    expect(diary(m.find("Datum 2026-03-10"))).toEqual([]); // a date
    expect(diary(m.find("Pnr 19121212-1212 och 121212-1212"))).toEqual([]); // personnummer
    expect(diary(m.find("Telefon 013-2026 000012"))).toEqual([]);
    expect(diary(m.find("12026-000012"))).toEqual([]); // inside a longer digit run
    expect(diary(m.find("2026-0000123"))).toEqual(["2026/123/bare"]); // a different number, not 12
    expect(diary(m.find("se 2026-12 i listan"))).toEqual([]); // short and unlabelled: too weak
    expect(diary(m.find("Vårt dnr 2026-000012"))).toEqual([]); // the writer's own number, not ours
    expect(diary(m.find("Vår referens: 2026-000012"))).toEqual([]);
    expect(diary(m.find("Vårt ärende 2026-000012"))).toEqual([]); // theirs, in their words
    expect(diary(m.find("Vårt ärendenr: 2026-000012"))).toEqual([]);
    expect(diary(m.find("Ert ärende av 2026-03-10"))).toEqual([]); // a date after the label
    expect(diary(m.find("Ärende nr 2026-03-10"))).toEqual([]);
    expect(diary(m.find("ärendets handläggning 2026-12"))).toEqual([]); // not a label
  });

  it("follows the configured template", () => {
    const m = matcher("VOK {year}-{seq}");
    expect(diary(m.find("Ert dnr VOK 2026-12"))).toEqual(["2026/12/labelled"]);
    expect(diary(m.find("vok 2026 - 12 gäller"))).toEqual(["2026/12/bare"]);
    expect(diary(m.find("2026-12"))).toEqual([]);
    const ks = matcher("KS/{year}/{seq:4}");
    expect(diary(ks.find("Dnr KS / 2026 / 0012"))).toEqual(["2026/12/labelled"]);
  });
});

describe("finding other systems' references", () => {
  it("reads Synergi and MedControl numbers however they are written", () => {
    const m = matcher();
    for (const text of ["Synergi 45678", "Synergiärende 45678", "Synergi nr 45678", "synergi-ärende nr. 45678", "SYNERGIÄRENDE: 45678", "Synergi\n45678", "Synergi ärendenummer 045678"]) {
      expect(external(m.find(text)), text).toContain("synergi:45678");
    }
    expect(external(m.find("MedControl PRO 123"))).toContain("medcontrol:123");
    expect(external(m.find("Medcontrol nr 123"))).toContain("medcontrol:123");
    expect(external(m.find("Vårt dnr: RÖ 2026-01234"))).toContain("*:RÖ 2026-01234");
    expect(external(m.find("Avvikelsenummer: 45678"))).toContain("*:45678");
    expect(external(m.find("Vårt ärendenr 45678"))).toContain("*:45678");
    expect(external(m.find("Avvikelse nr 45678"))).toContain("*:45678");
  });

  it("does not invent system references", () => {
    const m = matcher();
    expect(external(m.find("Synergier mellan verksamheterna 2026"))).toEqual([]);
    expect(external(m.find("Synergi 4567812345678901"))).toEqual([]); // too long to be an id
  });
});

describe("deciding", () => {
  const found = matcher().find("Referens: 2026-000001\nSynergi 45678\nse även 2026-000002");
  it("takes the strongest evidence and refuses when it names two cases", () => {
    const labelled = found.filter((f) => f.strength === "labelled");
    const bare = found.filter((f) => f.strength === "bare");
    expect(decide(found, [...labelled.map((c) => ({ candidate: c, caseId: 1 })), ...bare.map((c) => ({ candidate: c, caseId: 2 }))])).toMatchObject({ kind: "match", caseId: 1 });
    expect(decide(found, [{ candidate: labelled[0]!, caseId: 1 }, { candidate: labelled[1]!, caseId: 3 }])).toMatchObject({ kind: "ambiguous", caseIds: [1, 3] });
    expect(decide(found, [])).toMatchObject({ kind: "none" });
  });
});
