// The guard: no personnummer, samordningsnummer or patient name may leave in an e-mail. It runs on the final
// parts of a message (subject, body, each attachment's name and text) before the message is queued; a message
// that fails is refused and never stored.

import { RefusedError } from "../core/errors.js";
import { findPersonalNumbers } from "../core/personnummer.js";

export interface MessagePart {
  kind: "subject" | "body" | "attachment";
  /** The attachment's file name. */
  name?: string;
  text: string;
}

export type Finding = "personnummer" | "name";

/**
 * Text and names are compared in one form: NFKC (so that decomposed "o\u0308" and a precomposed "ö" are one
 * letter, and full-width letters are letters), invisible characters dropped (a zero-width space or soft hyphen
 * inside a name), every dash a hyphen, every apostrophe "'", white space collapsed, lower case (Swedish rules).
 * Diacritics are kept: "Gőbölyös" is not "Gobolyos".
 */
function normalise(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\p{Cf}]/gu, "")
    .replace(/[\p{Pd}\u2212]/gu, "-")
    .replace(/[\u2018\u2019\u02BC\u00B4\u0060\u2032]/g, "'")
    .replace(/\s+/g, " ")
    .toLocaleLowerCase("sv");
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A name part shorter than this is not refused alone ("Ek", "Li"): too often an ordinary word. */
const MIN_ALONE = 3;

/**
 * One word of a name as it may be written: as is, or in the Swedish genitive ("Tolvanssons", "Lars'" after
 * s, x or z, also "Lars's" and the English "Tolvansson's"). A hyphenated word may be written with any dash.
 */
function inflected(word: string): string {
  const core = word.split("-").map(escape).join("-");
  return `${core}(?:'?s|')?`;
}

/**
 * The patterns a patient's name is recognised by, as whole words in any case and in the genitive: the whole
 * name, each given name with the family name ("Anna Svensson" of "Anna Maria Svensson"), the family name (the
 * last word) on its own, and each part of a hyphenated family name on its own ("Gőbölyös" of
 * "Wiśniewski-Gőbölyös"), a part alone only from three letters. A first name alone is not refused: it is too
 * often also a colleague's name ("Hej Sara") to tell apart, and without the family name it does not identify
 * anyone.
 */
export function namePatterns(names: Array<string | null>): RegExp[] {
  const out: RegExp[] = [];
  const seen = new Set<string>();
  const add = (words: string[]) => {
    const source = words.map(inflected).join("\\s+");
    if (seen.has(source)) return;
    seen.add(source);
    out.push(new RegExp(`(?<![\\p{L}\\p{N}\\p{M}])${source}(?![\\p{L}\\p{N}\\p{M}])`, "u"));
  };
  for (const name of names) {
    if (!name) continue;
    const words = normalise(name).trim().split(" ").filter(Boolean);
    if (words.length === 0) continue;
    add(words);
    const family = words[words.length - 1]!;
    for (const given of words.slice(0, -1)) add([given, family]);
    if (family.length >= MIN_ALONE) add([family]);
    const parts = family.split("-").filter(Boolean);
    if (parts.length > 1) for (const part of parts) if (part.length >= MIN_ALONE) add([part]);
  }
  return out;
}

/** What personal data a text holds, if any. PDF text may break a number around its hyphen: "-\n" is a separator too. */
export function findPersonalData(text: string, patterns: RegExp[], today: string): Finding | null {
  if (findPersonalNumbers(text, today).length) return "personnummer";
  const lower = normalise(text);
  if (patterns.some((p) => p.test(lower))) return "name";
  return null;
}

/** Refuses the message (RefusedError, one line naming the part) if any part holds personal data. */
export function assertNoPersonalData(parts: MessagePart[], names: Array<string | null>, today: string): void {
  const patterns = namePatterns(names);
  for (const part of parts) {
    const finding = findPersonalData(part.text, patterns, today);
    if (finding) throw new RefusedError(`mail.error.guard.${finding === "personnummer" ? "pnr" : "name"}.${part.kind}`, { name: part.name ?? "" });
  }
}

/** The text of a PDF, for the guard (pdf-parse, loaded only when a PDF is attached). */
export async function pdfText(data: Buffer): Promise<string> {
  const { PDFParse } = await import("pdf-parse");
  const parser = new PDFParse({ data: new Uint8Array(data) });
  try {
    const r = await parser.getText({ pageJoiner: "" });
    return r.text;
  } finally {
    await parser.destroy();
  }
}
