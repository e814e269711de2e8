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
  // Spelled as people write it: any dash, full-width digits, spaces or invisible characters anywhere.
  const text = normaliseForNumbers(input).text.replace(/ +/g, "");
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

// Finding numbers in running text. People and word processors write a number in many ways: "19121212–1212"
// (Word's en dash), "1912-12-12-1212", "12 12 12-1212", "19121212 - 1212", with '.', '/' or '_', full-width
// digits, a no-break or thin space, a zero-width character or a soft hyphen inside. The text is first
// normalised (NFKC per character, every dash to '-', every space to ' ' and line break to '\n', invisible
// characters dropped), with each normalised character mapped back to where it came from, so that what is found
// can be reported and masked in the original text.

/** A normalised text and, for each of its characters, the span [start, end) of the original it came from. */
interface Normalised {
  text: string;
  start: number[];
  end: number[];
}

// Every dash (Unicode category Pd) and the minus sign become '-'.
const DASH = /[\p{Pd}\u2212\u2796\uFE63\uFF0D]/u;
// Invisible characters: formatting (zero-width space and joiners, word joiner, BOM, soft hyphen, bidi marks),
// combining marks, and controls other than white space.
const INVISIBLE = /[\p{Cf}\p{M}\p{Cc}]/u;

function normaliseForNumbers(text: string): Normalised {
  let out = "";
  const start: number[] = [];
  const end: number[] = [];
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    const ch = text.slice(i, i + width);
    let mapped: string;
    if (code < 0x80) {
      mapped = code === 0x20 || code === 0x09 ? " " : code >= 0x0a && code <= 0x0d ? "\n" : code < 0x20 || code === 0x7f ? "" : ch;
    } else if (code === 0x85 || code === 0x2028 || code === 0x2029) mapped = "\n";
    else if (INVISIBLE.test(ch)) mapped = "";
    else if (/\s/u.test(ch)) mapped = " ";
    else if (DASH.test(ch)) mapped = "-";
    else {
      mapped = ch.normalize("NFKC");
      if (mapped !== ch) mapped = [...mapped].map((c) => (INVISIBLE.test(c) ? "" : /\s/u.test(c) ? " " : DASH.test(c) ? "-" : c)).join("");
    }
    for (let k = 0; k < mapped.length; k++) {
      start.push(i);
      end.push(i + width);
    }
    out += mapped;
    i += width;
  }
  return { text: out, start, end };
}

/** A personnummer found in text: where it is in the original (end exclusive) and what it is. */
export interface FoundNumber {
  readonly start: number;
  readonly end: number;
  /** The original text of the number, as written. */
  readonly text: string;
  readonly number: PersonalNumber;
}

// What may stand between two groups of digits of one number: one separator character alone ("tight"), or
// spaces with at most one separator among them ("spaced", as in "19121212 - 1212" or "12 12 12"). A line
// break only after a separator (a PDF wraps "19121212-" and "1212"); a bare line break ends the number.
const TIGHT = /^[-+./_]$/;
const SPACED = /^ {1,3}[-+./_]? {0,3}$|^ {0,3}[-+./_] {0,3}(?:\n {0,3}){0,2}$/;
// How a number may be split into groups (digits before each split): before the last four, and the date into
// year, month and day (all of them or none: "1912-12-12-1212", "12 12 12-1212"; "2026-000012" is a diary number).
export const NUMBER_SPLITS: Record<number, readonly string[]> = {
  10: ["", "6", "2,4", "2,4,6"],
  12: ["", "8", "4,6", "4,6,8", "2,4,6", "2,4,6,8"],
};

/**
 * Finds every valid personnummer or samordningsnummer in free text (subjects, e-mail bodies, CSV cells), with
 * its place in the text. Only numbers with a real date and a correct check digit count, so that diary numbers,
 * dates and phone numbers pass. A candidate is a run of digit groups that splits only where a number may be
 * split (see NUMBER_SPLITS) and is not part of a longer chain joined by single separators: "2026-03-02/2026-000012"
 * is a date and a diary number, not a personnummer.
 */
export function locatePersonalNumbers(text: string, today: string): FoundNumber[] {
  // Fast path: fewer than ten characters that could be digits cannot hold a number.
  let digitish = 0;
  for (let i = 0; i < text.length && digitish < 10; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || c >= 0x80) digitish++;
  }
  if (digitish < 10) return [];
  const n = normaliseForNumbers(text);
  const groups: Array<{ from: number; to: number }> = [];
  for (const m of n.text.matchAll(/\d+/g)) groups.push({ from: m.index, to: m.index + m[0].length });
  // gap[k]: how group k is joined to group k + 1.
  const gap = groups.map((g, k) => {
    const next = groups[k + 1];
    if (!next) return "break";
    const between = n.text.slice(g.to, next.from);
    return TIGHT.test(between) ? "tight" : SPACED.test(between) ? "spaced" : "break";
  });
  const found: FoundNumber[] = [];
  let k = 0;
  while (k < groups.length) {
    const hit = k > 0 && gap[k - 1] === "tight" ? null : candidateAt(k);
    if (hit) {
      found.push(hit.found);
      k = hit.next;
    } else k++;
  }
  return found;

  function candidateAt(first: number): { found: FoundNumber; next: number } | null {
    let digits = "";
    const splits: number[] = [];
    let best: { found: FoundNumber; next: number } | null = null;
    for (let j = first; j < groups.length; j++) {
      const g = groups[j]!;
      if (j > first) splits.push(digits.length);
      digits += n.text.slice(g.from, g.to);
      if (digits.length > 12) break;
      const allowed = NUMBER_SPLITS[digits.length];
      if (allowed && gap[j] !== "tight" && allowed.includes(splits.join(","))) {
        // The separator before the last four digits says whether a ten-digit number is of someone 100 or older.
        const lastFour = splits.includes(digits.length - 4) ? separatorBefore(first, j, digits.length - 4) : "";
        const p = parsePersonalNumber(`${digits.slice(0, -4)}${lastFour.includes("+") ? "+" : ""}${digits.slice(-4)}`, today);
        if (isPersonalNumber(p)) {
          const start = n.start[groups[first]!.from]!;
          const end = n.end[g.to - 1]!;
          best = { found: { start, end, text: text.slice(start, end), number: p }, next: j + 1 };
        }
      }
      if (gap[j] === "break") break;
    }
    return best;
  }

  function separatorBefore(first: number, last: number, at: number): string {
    let count = 0;
    for (let j = first; j <= last; j++) {
      const g = groups[j]!;
      if (count === at && j > first) return n.text.slice(groups[j - 1]!.to, g.from);
      count += g.to - g.from;
    }
    return "";
  }
}

/**
 * The valid personnummer and samordningsnummer in free text, each as written in it (see `locatePersonalNumbers`).
 */
export function findPersonalNumbers(text: string, today: string): string[] {
  return locatePersonalNumbers(text, today).map((f) => f.text);
}

/** The text with every valid number in it replaced by `replacement`. */
export function redactPersonalNumbers(text: string, today: string, replacement: string): string {
  let out = "";
  let at = 0;
  for (const f of locatePersonalNumbers(text, today)) {
    out += text.slice(at, f.start) + replacement;
    at = f.end;
  }
  return out + text.slice(at);
}
