// Text that goes onto paper must be drawable by the documents' fonts (DejaVu Sans, embedded): a character no
// face has would print as an empty box or garbage where a nurse compares a name with the personnummer. Such
// text is refused where it enters the register, with one line naming the characters.

import { RefusedError } from "./errors.js";
import { PRINTABLE_RANGES } from "./glyphs.js";

/** Text is compared in composed form (NFC): a name typed with combining accents prints as the composed letters. */
export function printableForm(text: string): string {
  return text.normalize("NFC");
}

function covered(cp: number): boolean {
  let lo = 0;
  let hi = PRINTABLE_RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = PRINTABLE_RANGES[mid]!;
    if (cp < a) hi = mid - 1;
    else if (cp > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * The characters of `text` that no document font can draw (each once, in order). Control and format characters
 * (line breaks, tabs, terminal escapes, zero-width and direction marks) are not characters to draw: text from
 * outside may carry them, output neutralises them and documents leave them out (`drawable`).
 */
export function unprintableCharacters(text: string): string[] {
  // Fast path: Latin-1 and Latin Extended-A/B without controls (almost every text) needs no look-up.
  if (!/[^\n\t\u0020-\u007e\u00a0-\u024f]/.test(text)) return [];
  const out: string[] = [];
  for (const ch of printableForm(text)) {
    const cp = ch.codePointAt(0)!;
    if (/[\p{Cc}\p{Cf}]/u.test(ch)) continue;
    if (!covered(cp) && !out.includes(ch)) out.push(ch);
  }
  return out;
}

/** Text as documents draw it: composed (NFC), without control and format characters other than line breaks. */
export function drawable(text: string): string {
  return printableForm(text).replace(/(?![\n])[\p{Cc}\p{Cf}]/gu, "");
}

/** "U+4E2D 中" for the message. */
export function describeCharacters(chars: string[]): string {
  return chars
    .slice(0, 5)
    .map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}${/\p{L}|\p{N}|\p{S}|\p{P}/u.test(c) ? ` ${c}` : ""}`)
    .join(", ");
}

/** Refuses text with characters the documents cannot print. */
export function assertPrintable(text: string | null | undefined, field: string): void {
  if (!text) return;
  const bad = unprintableCharacters(text);
  if (bad.length) throw new RefusedError("error.unprintable", { field, chars: describeCharacters(bad) });
}
