// How a person's name is recognised in free text (the e-mail guard refuses it, the analysis replaces it): one
// normal form for text and names, and the patterns a name may be written by.

/**
 * Text and names are compared in one form: NFKC (so that decomposed "o\u0308" and a precomposed "ö" are one
 * letter, and full-width letters are letters), invisible characters dropped (a zero-width space or soft hyphen
 * inside a name), every dash a hyphen, every apostrophe "'", white space collapsed, lower case (Swedish rules).
 * Diacritics are kept: "Gőbölyös" is not "Gobolyos".
 */
export function normaliseForNames(text: string): string {
  return unifiedLetters(text).replace(/\s+/g, " ").toLocaleLowerCase("sv");
}

/** The part of that form that keeps the text as written otherwise (its case and spacing): for replacing in it. */
function unifiedLetters(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\p{Cf}]/gu, "")
    .replace(/[\p{Pd}\u2212]/gu, "-")
    .replace(/[\u2018\u2019\u02BC\u00B4\u0060\u2032]/g, "'");
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
 * anyone. Where a name is removed rather than refused (the analysis), `givenNamesAlone` adds each given name
 * alone: removing a colleague's "Sara" by mistake costs nothing.
 */
export function namePatterns(names: Array<string | null>, options: { givenNamesAlone?: boolean } = {}): RegExp[] {
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
    const words = normaliseForNames(name).trim().split(" ").filter(Boolean);
    if (words.length === 0) continue;
    add(words);
    const family = words[words.length - 1]!;
    for (const given of words.slice(0, -1)) {
      add([given, family]);
      if (options.givenNamesAlone && given.length >= MIN_ALONE) add([given]);
    }
    if (family.length >= MIN_ALONE) add([family]);
    const parts = family.split("-").filter(Boolean);
    if (parts.length > 1) for (const part of parts) if (part.length >= MIN_ALONE) add([part]);
  }
  return out;
}

/** `text` with every match of `patterns` replaced by `mark`; `found` counts the patterns that matched. */
export function replaceNames(text: string, patterns: RegExp[], mark: string, found: Set<string>): string {
  let out = unifiedLetters(text);
  // longest first: a whole name before its parts
  for (const p of [...patterns].sort((a, b) => b.source.length - a.source.length)) {
    const everywhere = new RegExp(p.source, "giu");
    if (everywhere.test(out)) {
      found.add(p.source);
      out = out.replace(everywhere, mark);
    }
  }
  return out;
}
