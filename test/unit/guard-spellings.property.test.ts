// The personnummer guard against the spellings people and word processors produce: every dash, spaces around
// the separator, the date split into parts, '.', '/' or '_', zero-width characters and soft hyphens inside,
// full-width digits, no-break and thin spaces. Obfuscated forms of valid numbers must all be found; ordinary
// text (dates, diary numbers, phone numbers, amounts) and invalid numbers must not be.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { daysInMonth } from "../../src/core/dates.js";
import { assertNoPersonalNumber } from "../../src/core/guard.js";
import {
  findPersonalNumbers,
  isPersonalNumber,
  locatePersonalNumbers,
  luhnCheckDigit,
  NUMBER_SPLITS,
  parsePersonalNumber,
  redactPersonalNumbers,
} from "../../src/core/personnummer.js";
import { findPersonalData } from "../../src/mail/guard.js";

const TODAY = "2026-03-10";
const pad = (n: number, w = 2) => String(n).padStart(w, "0");

const DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\uFE58", "\uFE63", "\uFF0D"];
const SPACES = [" ", "\u00A0", "\u2009", "\u202F", "\u2007", "\u3000"];
const INVISIBLE = ["\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u00AD"];
const SEPARATORS = [...DASHES, ...SPACES, ".", "/", "_", "\uFF0E", "\uFF0F", " - ", " \u2013 ", "- ", " -", "  ", " . "];

interface Valid {
  /** YYYYMMDDNNNC */
  digits: string;
  birthDate: string;
}

/** Valid numbers born 1900 … today, a third samordningsnummer (day + 60). */
const validNumber: fc.Arbitrary<Valid> = fc
  .record({
    year: fc.integer({ min: 1900, max: 2026 }),
    month: fc.integer({ min: 1, max: 12 }),
    dayPick: fc.integer({ min: 1, max: 31 }),
    serial: fc.integer({ min: 0, max: 999 }),
    coordination: fc.nat({ max: 2 }).map((n) => n === 0),
  })
  .map(({ year, month, dayPick, serial, coordination }) => {
    const day = Math.min(dayPick, daysInMonth(year, month));
    const nine = `${pad(year % 100)}${pad(month)}${pad(coordination ? day + 60 : day)}${pad(serial, 3)}`;
    return { digits: `${pad(Math.floor(year / 100))}${nine}${luhnCheckDigit(nine)}`, birthDate: `${year}-${pad(month)}-${pad(day)}` };
  })
  .filter((v) => v.birthDate <= TODAY);

function hundredOrOlder(birthDate: string): boolean {
  const age = Number(TODAY.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return age > 100 || (age === 100 && birthDate.slice(5) <= TODAY.slice(5));
}

/** How to write a number: 12 or 10 digits, where to split it, with what, and what to hide inside. */
interface Spelling {
  twelve: boolean;
  splits: number[];
  separators: string[];
  fullWidth: boolean[];
  invisible: Array<[number, string]>;
}

const spelling: fc.Arbitrary<Spelling> = fc.boolean().chain((twelve) =>
  fc.record({
    twelve: fc.constant(twelve),
    splits: fc.constantFrom(...NUMBER_SPLITS[twelve ? 12 : 10]!).map((list) => (list ? list.split(",").map(Number) : [])),
    separators: fc.array(fc.constantFrom(...SEPARATORS), { minLength: 4, maxLength: 4 }),
    fullWidth: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    invisible: fc.array(fc.tuple(fc.nat({ max: 40 }), fc.constantFrom(...INVISIBLE)), { maxLength: 4 }),
  }),
);

/**
 * Writes `digits` (12 or 10) the way `s` says. A ten-digit number of someone 100 or older gets '+' before the
 * last four (that is what tells the century), a younger one never does.
 */
function write(digits: string, s: Spelling, plus: boolean): string {
  let out = "";
  const splits = plus && !s.splits.includes(6) ? [...s.splits, 6] : s.splits;
  for (let i = 0; i < digits.length; i++) {
    const at = splits.indexOf(i);
    if (at >= 0) out += plus && i === 6 ? (s.separators[at]!.includes(" ") ? " + " : "+") : s.separators[at]!;
    const d = digits[i]!;
    out += s.fullWidth[i] ? String.fromCharCode(0xff10 + Number(d)) : d;
  }
  // Invisible characters go between two characters inside the number, never at its ends.
  const chars = [...out];
  for (const [pos, ch] of [...s.invisible].sort((a, b) => b[0] - a[0])) {
    const at = 1 + (pos % (chars.length - 1));
    chars.splice(at, 0, ch);
  }
  return chars.join("");
}

function spelled(v: Valid, s: Spelling): string {
  const plus = !s.twelve && hundredOrOlder(v.birthDate);
  return write(s.twelve ? v.digits : v.digits.slice(2), s, plus);
}

/** Text around a number: words and punctuation without digits (ASCII, so nothing normalises into a digit). */
const words = fc.string({ maxLength: 20 }).map((t) => t.replace(/[0-9]/g, "x"));

describe("personnummer guard: real-world spellings (property-based)", () => {
  it("finds every valid number however it is spelt, as written, and the guard refuses the text", () => {
    fc.assert(
      fc.property(validNumber, spelling, words, words, (v, s, before, after) => {
        const form = spelled(v, s);
        const text = `${before} ${form} ${after}`;
        const found = locatePersonalNumbers(text, TODAY);
        expect(found.map((f) => f.text), JSON.stringify(form)).toEqual([form]);
        expect(found[0]!.number.digits).toBe(v.digits);
        expect(() => assertNoPersonalNumber(text, "--summary", TODAY)).toThrow();
        expect(findPersonalData(text, [], TODAY)).toBe("personnummer");
        expect(redactPersonalNumbers(text, TODAY, "[personnummer]")).toBe(`${before} [personnummer] ${after}`);
      }),
      { numRuns: 2000 },
    );
  });

  it("finds a spelt number exactly when its plain form is a valid number (random digits, random spellings)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{12}$/), spelling, fc.boolean(), (raw, s, plus) => {
        const digits = s.twelve ? raw : raw.slice(2);
        const withPlus = !s.twelve && plus;
        const form = write(digits, s, withPlus);
        const plain = withPlus ? `${digits.slice(0, 6)}+${digits.slice(6)}` : digits;
        const valid = isPersonalNumber(parsePersonalNumber(plain, TODAY));
        expect(findPersonalNumbers(`Ärende ${form} utskriven`, TODAY).length > 0, `${JSON.stringify(form)} (${plain})`).toBe(valid);
      }),
      { numRuns: 3000 },
    );
  });

  it("lets a number with a wrong check digit pass however it is spelt", () => {
    fc.assert(
      fc.property(validNumber, spelling, fc.integer({ min: 1, max: 9 }), (v, s, delta) => {
        const wrong = v.digits.slice(0, 11) + ((Number(v.digits[11]) + delta) % 10);
        const form = spelled({ ...v, digits: wrong }, s);
        expect(findPersonalNumbers(`Gäller ${form}.`, TODAY), JSON.stringify(form)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it("lets a number with an impossible date pass even with a correct check digit", () => {
    const impossible = fc.oneof(
      fc.record({ month: fc.integer({ min: 13, max: 99 }), day: fc.integer({ min: 1, max: 28 }) }),
      fc.record({ month: fc.constant(0), day: fc.integer({ min: 1, max: 28 }) }),
      fc.record({ month: fc.integer({ min: 1, max: 12 }), day: fc.oneof(fc.constant(0), fc.integer({ min: 32, max: 60 }), fc.integer({ min: 92, max: 99 })) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2025 }), impossible, fc.integer({ min: 0, max: 999 }), spelling, (year, { month, day }, serial, s) => {
        const nine = `${pad(year % 100)}${pad(month)}${pad(day)}${pad(serial, 3)}`;
        const digits = `${pad(Math.floor(year / 100))}${nine}${luhnCheckDigit(nine)}`;
        const form = write(s.twelve ? digits : digits.slice(2), s, false);
        expect(findPersonalNumbers(`Gäller ${form}.`, TODAY), JSON.stringify(form)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it("lets ordinary text pass: dates, date ranges, times, diary numbers, phone numbers, amounts", () => {
    const date = fc.record({ y: fc.integer({ min: 1990, max: 2030 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) });
    const iso = date.map(({ y, m, d }) => `${y}-${pad(m)}-${pad(d)}`);
    const n = (digits: number) => fc.stringMatching(new RegExp(`^[0-9]{${digits}}$`));
    const space = fc.constantFrom(" ", "\u00A0", "\u2009", "\u202F");
    const dash = fc.constantFrom(...DASHES);
    const ordinary = fc.oneof(
      iso,
      date.map(({ y, m, d }) => `${pad(d)}.${pad(m)}.${y}`),
      date.map(({ y, m, d }) => `${y}${pad(m)}${pad(d)}`),
      date.map(({ y, m, d }) => `${d}/${m} ${y}`),
      fc.tuple(iso, iso, fc.constantFrom(" – ", "–", " - ", "/", " till ")).map(([a, b, sep]) => `${a}${sep}${b}`),
      fc.tuple(iso, fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.constantFrom(":", ".")).map(([d, h, m, sep]) => `${d} ${pad(h)}${sep}${pad(m)}`),
      fc.tuple(iso, fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([d, h, m]) => `${d} kl. ${pad(h)}.${pad(m)}`),
      fc.tuple(fc.integer({ min: 2000, max: 2030 }), fc.integer({ min: 1, max: 999999 })).map(([y, seq]) => `${y}-${pad(seq, 6)}`),
      fc.tuple(fc.integer({ min: 2000, max: 2030 }), fc.integer({ min: 1, max: 999999 }), fc.integer({ min: 1, max: 99 })).map(([y, seq, k]) => `${y}-${pad(seq, 6)}:${k}`),
      fc.tuple(fc.integer({ min: 2000, max: 2030 }), fc.integer({ min: 1, max: 9999 })).map(([y, seq]) => `VOK ${y}-${seq}`),
      fc.tuple(fc.integer({ min: 2000, max: 2030 }), fc.integer({ min: 1, max: 9999 })).map(([y, seq]) => `${y}/${seq}`),
      fc.tuple(iso, fc.integer({ min: 2000, max: 2030 }), fc.integer({ min: 1, max: 999999 })).map(([d, y, seq]) => `${d} ${y}-${pad(seq, 6)}`),
      // Phone numbers: mobile, Stockholm, other area codes, international.
      fc.tuple(fc.constantFrom("070", "072", "073", "076", "079"), n(3), n(2), n(2), dash, space).map(([a, b, c, d, sep, sp]) => `${a}${sep}${b}${sp}${c}${sp}${d}`),
      fc.tuple(n(3), n(3), n(2), dash).map(([b, c, d, sep]) => `08${sep}${b} ${c} ${d}`),
      fc.tuple(n(2), n(2), n(2), n(2)).map(([b, c, d, e]) => `08-${b} ${c} ${d} ${e}`),
      fc.tuple(fc.constantFrom("013", "031", "040", "090"), n(2), n(2), n(2)).map(([a, b, c, d]) => `${a}-${b} ${c} ${d}`),
      fc.tuple(fc.constantFrom("013", "031", "040"), n(3), n(2), n(2)).map(([a, b, c, d]) => `${a}-${b} ${c} ${d}`),
      fc.tuple(fc.constantFrom("0771", "0980", "0470"), n(2), n(2), n(2)).map(([a, b, c, d]) => `${a}-${b} ${c} ${d}`),
      fc.tuple(fc.constantFrom("70", "72", "73"), n(3), n(2), n(2)).map(([a, b, c, d]) => `+46 ${a} ${b} ${c} ${d}`),
      fc.tuple(n(3), n(3), n(2)).map(([b, c, d]) => `+46 (0)8-${b} ${c} ${d}`),
      // Amounts with thousands separators, with or without decimals.
      fc.tuple(fc.integer({ min: 1, max: 999 }), fc.array(n(3), { minLength: 1, maxLength: 4 }), space, fc.boolean()).map(
        ([head, rest, sp, dec]) => `${head}${sp}${rest.join(sp)}${dec ? ",50" : ""} kr`,
      ),
      fc.tuple(fc.integer({ min: 1, max: 999 }), fc.array(n(3), { minLength: 1, maxLength: 4 })).map(([head, rest]) => `${head}.${rest.join(".")} SEK`),
      // Masked numbers, as the tool shows them.
      validNumber.map((v) => `${v.digits.slice(0, 8)}-****`),
    );
    fc.assert(
      fc.property(fc.array(ordinary, { minLength: 1, maxLength: 4 }), fc.constantFrom(", ", "; ", " och ", "\n"), (parts, joiner) => {
        const text = `Ärende ${parts.join(joiner)}.`;
        expect(findPersonalNumbers(text, TODAY), JSON.stringify(text)).toEqual([]);
        expect(() => assertNoPersonalNumber(text, "--summary", TODAY)).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });

  it("finds the spellings named in the issue, and passes the ordinary texts next to them", () => {
    const spellings = [
      "19121212\u20131212", "19121212\u20101212", "19121212\u20111212", "19121212\u20121212", "19121212\u20141212", "19121212\u20151212",
      "19121212\u22121212", "19121212\uFE581212", "19121212\uFE631212", "19121212\uFF0D1212", "19121212 - 1212", "1912-12-12-1212",
      "12 12 12-1212", "1912.12.12.1212", "19121212/1212", "19121212_1212", "1912\u200B1212-1212", "19121212-12\u200C12",
      "191212\u200D121212", "19121212\u20601212", "\uFEFF19121212-1212", "1912\u00AD1212-1212", "\uFF11\uFF19\uFF11\uFF12\uFF11\uFF12\uFF11\uFF12-\uFF11\uFF12\uFF11\uFF12",
      "19121212\u00A01212", "121212\u20091212", "121212\u202F1212", "121212+1212", "701063-2391", "19701063-2391", "70 10 63 - 2391",
    ];
    for (const s of spellings) expect(findPersonalNumbers(`Patient ${s} utskriven`, TODAY), JSON.stringify(s)).toHaveLength(1);
    const ordinary = [
      "2026-03-02", "2026-000012", "2026-000012:2", "Dnr 2026-000012, tel 013-206000, 2026-03-01", "070-123 45 67", "08-123 456 78",
      "1 234 567 890 kr", "2026-03-02 – 2026-03-10", "2026-03-02/2026-000012", "2026-03-02 2026-000012", "19121212-1213", "19121312-1212",
      "19121212-****", "Möte 2026-03-02 kl. 14.30", "0771-23 45 67", "+46 70 123 45 67",
    ];
    for (const s of ordinary) expect(findPersonalNumbers(`Ärende ${s}.`, TODAY), JSON.stringify(s)).toEqual([]);
  });
});
