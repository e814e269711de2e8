import { describe, expect, it } from "vitest";
import {
  findPersonalNumbers,
  isPersonalNumber,
  luhnCheckDigit,
  maskName,
  maskPersonalNumber,
  parsePersonalNumber,
} from "../../src/core/personnummer.js";

const TODAY = "2026-03-10";

describe("personnummer", () => {
  it("accepts valid numbers in the usual forms", () => {
    for (const form of ["19121212-1212", "191212121212", "121212+1212"]) {
      const p = parsePersonalNumber(form, TODAY);
      expect(isPersonalNumber(p) && p.digits).toBe("191212121212");
    }
    const recent = parsePersonalNumber("1212121212", TODAY);
    expect(isPersonalNumber(recent) && recent.digits).toBe("201212121212");
    const p = parsePersonalNumber("20081224-2386", TODAY);
    expect(isPersonalNumber(p) && p.birthDate).toBe("2008-12-24");
  });

  it("resolves the century of the ten-digit form, '+' meaning 100 years or older", () => {
    const young = parsePersonalNumber("081224-2386", TODAY);
    expect(isPersonalNumber(young) && young.digits.slice(0, 4)).toBe("2008");
    const old = parsePersonalNumber("081224+2386", TODAY);
    expect(isPersonalNumber(old) && old.digits.slice(0, 4)).toBe("1908");
  });

  it("refuses a wrong check digit, an impossible date and a wrong form", () => {
    expect(parsePersonalNumber("19121212-1213", TODAY)).toEqual({ error: "checksum" });
    expect(parsePersonalNumber("19120230-1210", TODAY)).toEqual({ error: "date" });
    expect(parsePersonalNumber("19121312-1212", TODAY)).toEqual({ error: "date" });
    expect(parsePersonalNumber("1912-12-12-1212", TODAY)).toEqual({ error: "format" });
    expect(parsePersonalNumber("abc", TODAY)).toEqual({ error: "format" });
  });

  it("accepts samordningsnummer (day + 60) and checks their date", () => {
    const nine = "701063" + "238";
    const number = `19${nine}${luhnCheckDigit(nine)}`;
    const p = parsePersonalNumber(number, TODAY);
    expect(isPersonalNumber(p) && p.coordination).toBe(true);
    expect(isPersonalNumber(p) && p.birthDate).toBe("1970-10-03");
    const bad = "700292" + "238"; // 32 February
    expect(parsePersonalNumber(`19${bad}${luhnCheckDigit(bad)}`, TODAY)).toEqual({ error: "date" });
  });

  it("masks numbers and names", () => {
    expect(maskPersonalNumber("191212121212")).toBe("19121212-****");
    expect(maskName("Tolvan  Tolvansson")).toBe("T. T.");
  });

  it("finds valid numbers in free text but not diary numbers, dates or phone numbers", () => {
    expect(findPersonalNumbers("Patient 19121212-1212 utskriven", TODAY)).toEqual(["19121212-1212"]);
    expect(findPersonalNumbers("pnr 121212 1212.", TODAY)).toEqual(["121212 1212"]);
    expect(findPersonalNumbers("Dnr 2026-000012, tel 013-206000, 2026-03-01", TODAY)).toEqual([]);
    expect(findPersonalNumbers("19121212-1213", TODAY)).toEqual([]);
  });
});
