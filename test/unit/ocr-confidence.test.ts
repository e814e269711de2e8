// Word confidences in OCR matching (issue 13): a reference OCR read with low confidence is never the only
// ground of a match, unless it is our diary number read exactly (no character put right) naming exactly one
// case. The words and confidences are as tesseract gives them (text, 0–100); the register is a map here.

import { describe, expect, it } from "vitest";
import { DiaryTemplate } from "../../src/core/diaryNumber.js";
import { decideOcr, ReferenceMatcher, readUnsurely, type ReadWord, type RefCandidate, type Resolved } from "../../src/core/matching.js";

const matcher = new ReferenceMatcher(DiaryTemplate.parse("{year}-{seq:6}") as DiaryTemplate);
/** Cases of the register: diary numbers and one Synergi reference. */
const cases: Record<string, number> = { "d:2026:1": 1, "d:2026:2": 2, "e:synergi:45678": 3 };

function decideText(text: string, words: ReadWord[]) {
  const found = matcher.findOcr(text);
  const resolved: Array<Resolved<number>> = found.flatMap((c) => {
    const id = cases[c.kind === "diary" ? `d:${c.year}:${c.seq}` : `e:${c.system}:${c.id}`];
    return id === undefined ? [] : [{ candidate: c, caseId: id }];
  });
  return decideOcr(resolved, (c) => readUnsurely(c, words), (c) => matcher.readExactly(c, text));
}

const w = (text: string, confidence: number): ReadWord => ({ text, confidence });

describe("OCR word confidences", () => {
  it("a reference read with confidence is a match, as before", () => {
    expect(decideText("Referens: 2026-000001", [w("Referens:", 95), w("2026-000001", 91)])).toMatchObject({ kind: "match", caseId: 1 });
    expect(decideText("Synergi nr 45678", [w("Synergi", 90), w("nr", 88), w("45678", 93)])).toMatchObject({ kind: "match", caseId: 3 });
  });

  it("a token put right by the OCR corrections and read with low confidence is not enough", () => {
    // "2O26-OOOOO1": four characters put right, and tesseract itself unsure of the word.
    expect(decideText("Referens: 2O26-OOOOO1", [w("Referens:", 93), w("2O26-OOOOO1", 41)])).toMatchObject({ kind: "unsure", caseId: 1 });
    // An external number read unsurely: never strict.
    expect(decideText("Synergi nr 4567B", [w("Synergi", 90), w("nr", 88), w("4567B", 30)])).toMatchObject({ kind: "unsure", caseId: 3 });
    // The same words read with confidence: a match.
    expect(decideText("Referens: 2O26-OOOOO1", [w("Referens:", 93), w("2O26-OOOOO1", 85)])).toMatchObject({ kind: "match", caseId: 1 });
  });

  it("our diary number read exactly is strict enough even when tesseract was unsure of the word", () => {
    expect(decideText("Referens: 2026-000001", [w("Referens:", 93), w("2026-000001", 52)])).toMatchObject({ kind: "match", caseId: 1 });
    // Split over two words ("2026" and "000001"), one of them unsure: still read exactly.
    expect(decideText("Ert dnr 2026 - 000002", [w("Ert", 90), w("dnr", 90), w("2026", 40), w("-", 60), w("000002", 80)])).toMatchObject({ kind: "match", caseId: 2 });
  });

  it("an unsure reading that also names a sure one of the same case is a match on the sure one", () => {
    const r = decideText("Referens: 2026-000001\nErt dnr 2O26-OOOOO1", [w("2026-000001", 90), w("2O26-OOOOO1", 20)]);
    expect(r).toMatchObject({ kind: "match", caseId: 1 });
    expect(r.kind === "match" && r.by.text).toBe("2026-000001");
  });

  it("two cases named stay ambiguous, whatever the confidence of either (never a wrong match)", () => {
    // The misread of a speckled form (":2026-000002" at confidence 0 beside 2026-000001 read well): refused.
    expect(decideText("Referens: 2026-000001\n:2026-000002", [w("2026-000001", 74), w(":2026-000002", 0)])).toMatchObject({ kind: "ambiguous", caseIds: [1, 2] });
  });

  it("tells which words a reference rests on by their digits, the confused letters counted as digits", () => {
    const c: RefCandidate = { kind: "diary", year: 2026, seq: 1, text: "2026-000001", strength: "labelled" };
    expect(readUnsurely(c, [w("2O26-OOOOO1", 50)])).toBe(true);
    expect(readUnsurely(c, [w("000001", 50)])).toBe(true);
    expect(readUnsurely(c, [w("2026-000001", 70)])).toBe(false);
    // Words of other numbers, or of letters only, do not count.
    expect(readUnsurely(c, [w("2027-000777", 10), w("Referens", 5)])).toBe(false);
  });
});
