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

/**
 * A normalised text and, for each of its characters, the span [start, end) of the original it came from
 * (null: character i came from character i, the common case of a text where nothing is dropped or expanded).
 */
interface Normalised {
  text: string;
  start: number[] | null;
  end: number[] | null;
}

// Every dash (Unicode category Pd) and the minus sign become '-'.
const DASH = /[\p{Pd}\u2212\u2796\uFE63\uFF0D]/u;
// Invisible characters: formatting (zero-width space and joiners, word joiner, BOM, soft hyphen, bidi marks),
// combining marks, and controls other than white space.
const INVISIBLE = /[\p{Cf}\p{M}\p{Cc}]/u;

/** What one character (a code point) becomes: "" (dropped), or one or more characters. */
function mapChar(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code < 0x80) return code === 0x20 || code === 0x09 ? " " : code >= 0x0a && code <= 0x0d ? "\n" : code < 0x20 || code === 0x7f ? "" : ch;
  if (code === 0x85 || code === 0x2028 || code === 0x2029) return "\n";
  if (INVISIBLE.test(ch)) return "";
  if (/\s/u.test(ch)) return " ";
  if (DASH.test(ch)) return "-";
  const mapped = ch.normalize("NFKC");
  return mapped === ch ? ch : [...mapped].map((c) => (INVISIBLE.test(c) ? "" : /\s/u.test(c) ? " " : DASH.test(c) ? "-" : c)).join("");
}

// Non-ASCII characters seen before and what they map to (letters of running text repeat: å, ä, ö, é …).
const MAPPED = new Map<string, string>();
function mapCached(ch: string): string {
  let m = MAPPED.get(ch);
  if (m === undefined) {
    m = mapChar(ch);
    if (MAPPED.size < 4096) MAPPED.set(ch, m);
  }
  return m;
}

function normaliseForNumbers(text: string): Normalised {
  // The common case: every character becomes exactly one (ASCII, Swedish letters, a dash or space variant),
  // most often itself.
  let oneToOne = true;
  let changed = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) continue;
    if (c < 0x80) {
      if (c < 0x09 || (c > 0x0d && c < 0x20) || c === 0x7f) oneToOne = false;
      else if (c !== 0x0a) changed = true;
    } else if (c >= 0xd800 && c <= 0xdfff) oneToOne = false;
    else {
      const m = mapCached(text[i]!);
      if (m.length !== 1) oneToOne = false;
      else if (m !== text[i]) changed = true;
    }
    if (!oneToOne) break;
  }
  if (oneToOne) {
    return { text: changed ? text.replace(/[^\x20-\x7e]/g, (ch) => (ch.charCodeAt(0) < 0x80 ? mapChar(ch) : mapCached(ch))) : text, start: null, end: null };
  }
  let out = "";
  const start: number[] = [];
  const end: number[] = [];
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    const mapped = code >= 0x20 && code < 0x7f ? text[i]! : mapCached(text.slice(i, i + width));
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
// Characters that may normalise into a digit (², ¼, full-width digits, everything from U+2000) or vanish
// (controls, combining marks, formatting characters such as the soft hyphen).
const SPECIAL = /[^\x00-\u1fff]|[\p{M}\p{Cf}\x00-\x08\x0e-\x1f\x7f-\x9f\u00b2\u00b3\u00b9\u00bc-\u00be]/u;
// Digits with no more between each two than a joint allows (white space, dashes, separators).
const DIGIT_RUN = /\d(?:[\s\p{Pd}+./_]{0,12}\d)+/gu;
const BREAK = 0;
const TIGHT = 1;
const SPACED = 2;
const isSeparator = (c: number) => c === 0x2d || c === 0x2b || c === 0x2e || c === 0x2f || c === 0x5f; // - + . / _

function joint(t: string, from: number, to: number): number {
  if (to - from === 1 && isSeparator(t.charCodeAt(from))) return TIGHT;
  let i = from;
  let before = 0;
  while (i < to && t.charCodeAt(i) === 0x20) {
    i++;
    before++;
  }
  const separator = i < to && isSeparator(t.charCodeAt(i));
  if (separator) i++;
  let after = 0;
  let breaks = 0;
  for (; i < to; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x20) after++;
    else if (c === 0x0a && separator) breaks++;
    else return BREAK;
  }
  return before <= 3 && after <= 6 && breaks <= 2 && before + after + breaks > 0 ? SPACED : BREAK;
}

// How a number may be split into groups (digits before each split): before the last four, and the date into
// year, month and day (all of them or none: "1912-12-12-1212", "12 12 12-1212"; "2026-000012" is a diary number).
export const NUMBER_SPLITS: Record<number, readonly string[]> = {
  10: ["", "6", "2,4", "2,4,6"],
  12: ["", "8", "4,6", "4,6,8", "2,4,6", "2,4,6,8"],
};
// The same as bit masks (bit n: a split after n digits).
const SPLIT_MASKS: Record<number, ReadonlySet<number>> = Object.fromEntries(
  Object.entries(NUMBER_SPLITS).map(([length, list]) => [length, new Set(list.map((l) => (l ? l.split(",").reduce((m, n) => m | (1 << Number(n)), 0) : 0)))]),
);

/**
 * Finds every valid personnummer or samordningsnummer in free text (subjects, e-mail bodies, CSV cells), with
 * its place in the text. Only numbers with a real date and a correct check digit count, so that diary numbers,
 * dates and phone numbers pass. A candidate is a run of digit groups that splits only where a number may be
 * split (see NUMBER_SPLITS) and is not part of a longer chain joined by single separators: "2026-03-02/2026-000012"
 * is a date and a diary number, not a personnummer.
 */
export function locatePersonalNumbers(text: string, today: string): FoundNumber[] {
  return findCandidates(text, today).filter((f) => !insideHexWord(text, f));
}

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/**
 * True when the number is a run of plain digits inside a long hexadecimal word (a hash such as the audit head
 * "1234:9f3c…"): about one hash in a thousand holds twelve digits that happen to form a valid number.
 */
function insideHexWord(text: string, f: FoundNumber): boolean {
  for (let i = f.start; i < f.end; i++) if (!isHex(text.charCodeAt(i))) return false;
  let l = f.start;
  while (l > 0 && isHex(text.charCodeAt(l - 1))) l--;
  let r = f.end;
  while (r < text.length && isHex(text.charCodeAt(r))) r++;
  if (r - l < 32) return false;
  for (let i = l; i < r; i++) if (text.charCodeAt(i) > 57) return true;
  return false;
}

function findCandidates(text: string, today: string): FoundNumber[] {
  // A text with a character that may normalise into a digit or vanish is normalised whole; most text is plain
  // (Swedish letters are) and is looked at only where it has digits close together.
  const found: FoundNumber[] = [];
  if (SPECIAL.test(text)) {
    scan(text, normaliseForNumbers(text), 0, today, found);
    return found;
  }
  // Plain text: only runs of digits joined by white space and separators can hold a number, and such a run
  // normalises character for character (a space to ' ', a line break to '\n', a dash to '-').
  for (const m of text.matchAll(DIGIT_RUN)) {
    const run = m[0];
    let digits = 0;
    for (let i = 0; i < run.length; i++) if (run.charCodeAt(i) >= 48 && run.charCodeAt(i) <= 57) digits++;
    if (digits < 10) continue;
    const t = run.replace(/[^\x20-\x7e]|\t/g, (ch) => mapChar(ch));
    scan(text, { text: t, start: null, end: null }, m.index, today, found);
  }
  return found;
}

/**
 * Finds the numbers in `n`, a normalised part of `text` that begins at `offset` in it, and adds them to `found`
 * with their place in `text`.
 */
function scan(text: string, n: Normalised, offset: number, today: string, found: FoundNumber[]): void {
  const t = n.text;
  // The groups of digits [from, to) and how each is joined to the next.
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < t.length; ) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) {
      i++;
      continue;
    }
    from.push(i);
    while (i < t.length && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) i++;
    to.push(i);
  }
  const groups = from.length;
  const gap: number[] = [];
  for (let k = 0; k < groups; k++) gap.push(k + 1 < groups ? joint(t, to[k]!, from[k + 1]!) : BREAK);

  let k = 0;
  while (k < groups) {
    const hit = k > 0 && gap[k - 1] === TIGHT ? -1 : candidateAt(k);
    k = hit >= 0 ? hit + 1 : k + 1;
  }

  /** Looks for the longest valid number starting at group `first`; records it and gives its last group, or -1. */
  function candidateAt(first: number): number {
    let digits = "";
    let splits = 0;
    let best = -1;
    let bestNumber: PersonalNumber | undefined;
    for (let j = first; j < groups; j++) {
      if (j > first) splits |= 1 << digits.length;
      digits += t.slice(from[j], to[j]);
      if (digits.length > 12) break;
      const allowed = SPLIT_MASKS[digits.length];
      if (allowed && gap[j] !== TIGHT && allowed.has(splits)) {
        // The separator before the last four digits says whether a ten-digit number is of someone 100 or older.
        const lastFourJoint = splits & (1 << (digits.length - 4)) ? jointBefore(first, j, digits.length - 4) : "";
        const p = parsePersonalNumber(`${digits.slice(0, -4)}${lastFourJoint.includes("+") ? "+" : ""}${digits.slice(-4)}`, today);
        if (isPersonalNumber(p)) {
          best = j;
          bestNumber = p;
        }
      }
      if (gap[j] === BREAK) break;
    }
    if (best < 0) return -1;
    const start = offset + (n.start ? n.start[from[first]!]! : from[first]!);
    const end = offset + (n.end ? n.end[to[best]! - 1]! : to[best]!);
    found.push({ start, end, text: text.slice(start, end), number: bestNumber! });
    return best;
  }

  /** The text between the groups where the digits before them number `at`. */
  function jointBefore(first: number, last: number, at: number): string {
    let seen = 0;
    for (let j = first; j <= last; j++) {
      if (seen === at && j > first) return t.slice(to[j - 1], from[j]);
      seen += to[j]! - from[j]!;
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
