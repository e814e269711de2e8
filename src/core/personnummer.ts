// Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).
// A number is YYMMDD-NNNC (or with the century, YYYYMMDDNNNC): birth date, a serial number and a
// Luhn check digit over the ten digits YYMMDDNNN. A samordningsnummer adds 60 to the day.
// A '+' separator in the ten-digit form means the person is 100 years or older.

import { daysInMonth } from "./dates.js";

export interface PersonalNumber {
  /** Twelve digits, YYYYMMDDNNNC, as entered (the day of a samordningsnummer keeps its +60). */
  readonly digits: string;
  readonly coordination: boolean;
  /** The birth date, YYYY-MM-DD (for a samordningsnummer the day minus 60). */
  readonly birthDate: string;
}

const FORM = /^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)$/;

export function luhnValid(tenDigits: string): boolean {
  let sum = 0;
  for (let i = 0; i < tenDigits.length; i++) {
    let d = tenDigits.charCodeAt(i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function luhnCheckDigit(nineDigits: string): number {
  for (let c = 0; c <= 9; c++) if (luhnValid(nineDigits + c)) return c;
  return -1;
}

export type ParseFailure = "format" | "date" | "checksum";

/**
 * Parses and validates a personnummer or samordningsnummer.
 * `today` (YYYY-MM-DD) resolves the century of the ten-digit form.
 */
export function parsePersonalNumber(input: string, today: string): PersonalNumber | { error: ParseFailure } {
  const text = input.trim().replace(/\s+/g, "");
  const m = FORM.exec(text);
  if (!m) return { error: "format" };
  const [, cc, yy, mm, dd, sep, serial, check] = m as unknown as string[];
  const month = Number(mm);
  const rawDay = Number(dd);
  const coordination = rawDay > 60;
  const day = coordination ? rawDay - 60 : rawDay;
  let year: number;
  if (cc) {
    year = Number(cc + yy);
  } else {
    const currentYear = Number(today.slice(0, 4));
    const todayMd = today.slice(5, 7) + today.slice(8, 10);
    year = Math.floor(currentYear / 100) * 100 + Number(yy);
    const md = `${mm}${String(day).padStart(2, "0")}`;
    if (year > currentYear || (year === currentYear && md > todayMd)) year -= 100;
    if (sep === "+") year -= 100;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return { error: "date" };
  const ten = `${yy}${mm}${dd}${serial}${check}`;
  if (!luhnValid(ten)) return { error: "checksum" };
  const yyyy = String(year).padStart(4, "0");
  return {
    digits: `${yyyy}${mm}${dd}${serial}${check}`,
    coordination,
    birthDate: `${yyyy}-${mm}-${String(day).padStart(2, "0")}`,
  };
}

export function isPersonalNumber(value: PersonalNumber | { error: ParseFailure }): value is PersonalNumber {
  return "digits" in value;
}

/** The masked form shown by default: YYYYMMDD-****. */
export function maskPersonalNumber(digits: string): string {
  return `${digits.slice(0, 8)}-****`;
}

/** The full form with a hyphen: YYYYMMDD-NNNC. */
export function formatPersonalNumber(digits: string): string {
  return `${digits.slice(0, 8)}-${digits.slice(8)}`;
}

/** A name shown by default as initials only: "Anna Maria Svensson" → "A. M. S.". */
export function maskName(name: string): string {
  return name
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `${w[0]?.toUpperCase() ?? ""}.`)
    .join(" ");
}

// Candidates in running text: 10 or 12 digits, optionally with '-', '+' or a space before the last four.
const CANDIDATE = /(?<!\d)(?:\d{2})?\d{6}[-+ ]?\d{4}(?!\d)/g;

/**
 * Finds every valid personnummer or samordningsnummer in free text (subjects, e-mail bodies, CSV cells).
 * Only numbers with a real date and a correct check digit count, so that diary numbers and phone numbers pass.
 */
export function findPersonalNumbers(text: string, today: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(CANDIDATE)) {
    const p = parsePersonalNumber(m[0].replace(" ", "-"), today);
    if (isPersonalNumber(p)) found.push(m[0]);
  }
  return found;
}
