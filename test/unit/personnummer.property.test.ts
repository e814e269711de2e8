// Property-based tests of personnummer / samordningsnummer validation and masking.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { daysInMonth } from "../../src/core/dates.js";
import { assertNoPersonalNumber } from "../../src/core/guard.js";
import {
  findPersonalNumbers,
  formatPersonalNumber,
  isPersonalNumber,
  luhnCheckDigit,
  maskName,
  maskPersonalNumber,
  parsePersonalNumber,
} from "../../src/core/personnummer.js";

const TODAY = "2026-03-10";

interface Generated {
  /** YYYYMMDDNNNC */
  digits: string;
  coordination: boolean;
  birthDate: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Valid numbers born 1900-01-01 … 2025-12-31, a third of them samordningsnummer (day + 60). */
const validNumber: fc.Arbitrary<Generated> = fc
  .record({
    year: fc.integer({ min: 1900, max: 2025 }),
    month: fc.integer({ min: 1, max: 12 }),
    dayPick: fc.integer({ min: 1, max: 31 }),
    serial: fc.integer({ min: 0, max: 999 }),
    coordination: fc.boolean(),
  })
  .map(({ year, month, dayPick, serial, coordination }) => {
    const day = Math.min(dayPick, daysInMonth(year, month));
    const nine = `${pad(year % 100)}${pad(month)}${pad(coordination ? day + 60 : day)}${pad(serial, 3)}`;
    const digits = `${pad(Math.floor(year / 100))}${nine}${luhnCheckDigit(nine)}`;
    return { digits, coordination, birthDate: `${year}-${pad(month)}-${pad(day)}` };
  });

/** The forms people write: 12 digits with or without hyphen, 10 digits with '-' (or '+' from 100 years), or none. */
function forms(g: Generated): string[] {
  const twelve = g.digits;
  const ten = twelve.slice(2);
  const hundred = Number(TODAY.slice(0, 4)) - Number(twelve.slice(0, 4)) > 100 || (Number(TODAY.slice(0, 4)) - Number(twelve.slice(0, 4)) === 100 && g.birthDate.slice(5) <= TODAY.slice(5));
  const tenForms = hundred ? [`${ten.slice(0, 6)}+${ten.slice(6)}`] : [`${ten.slice(0, 6)}-${ten.slice(6)}`, ten];
  return [twelve, `${twelve.slice(0, 8)}-${twelve.slice(8)}`, ...tenForms];
}

describe("personnummer (property-based)", () => {
  it("accepts every valid number in every form and gives back the same twelve digits", () => {
    fc.assert(
      fc.property(validNumber, (g) => {
        for (const form of forms(g)) {
          const p = parsePersonalNumber(form, TODAY);
          expect(isPersonalNumber(p), form).toBe(true);
          if (!isPersonalNumber(p)) return;
          expect(p.digits).toBe(g.digits);
          expect(p.coordination).toBe(g.coordination);
          expect(p.birthDate).toBe(g.birthDate);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("refuses a number with any one of its ten checked digits changed", () => {
    fc.assert(
      fc.property(validNumber, fc.integer({ min: 2, max: 11 }), fc.integer({ min: 1, max: 9 }), (g, pos, delta) => {
        const changed = (Number(g.digits[pos]) + delta) % 10;
        const mutated = g.digits.slice(0, pos) + changed + g.digits.slice(pos + 1);
        for (const form of [mutated, `${mutated.slice(0, 8)}-${mutated.slice(8)}`]) {
          const p = parsePersonalNumber(form, TODAY);
          expect(isPersonalNumber(p), `${g.digits} → ${form}`).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("masks as YYYYMMDD-**** and never reveals any of the last four digits", () => {
    fc.assert(
      fc.property(validNumber, (g) => {
        const masked = maskPersonalNumber(g.digits);
        expect(masked).toBe(`${g.digits.slice(0, 8)}-****`);
        expect(masked.slice(8)).toBe("-****");
        // Whatever the last four are, the mask is the same: it carries nothing of them.
        const other = g.digits.slice(0, 8) + "0000";
        expect(maskPersonalNumber(other)).toBe(masked);
        expect(formatPersonalNumber(g.digits)).toBe(`${g.digits.slice(0, 8)}-${g.digits.slice(8)}`);
      }),
      { numRuns: 300 },
    );
  });

  it("finds every valid number hidden in free text, and the guard refuses that text", () => {
    fc.assert(
      fc.property(validNumber, fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), fc.nat({ max: 3 }), (g, before, after, formIndex) => {
        const all = forms(g);
        const form = all[formIndex % all.length]!;
        const text = `${before.replace(/\d/g, "x")} ${form} ${after.replace(/\d/g, "x")}`;
        expect(findPersonalNumbers(text, TODAY)).toEqual([form]);
        expect(() => assertNoPersonalNumber(text, "--summary", TODAY)).toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it("masks names to initials only", () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[A-Za-zÅÄÖåäö]{2,12}$/), { minLength: 1, maxLength: 4 }), (words) => {
        const masked = maskName(words.join(" "));
        expect(masked).toBe(words.map((w) => `${w[0]!.toUpperCase()}.`).join(" "));
        for (const w of words) if (w.length > 1) expect(masked).not.toContain(w);
      }),
      { numRuns: 200 },
    );
  });
});
