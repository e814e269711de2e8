// The classification of matters (klassificering): a code of the organisation's classification scheme (SKR's
// Klassa, or its own diary plan), e.g. "2.6.1". The scheme's codes and names may be loaded from a file
// (`avvik classification import FILE`, format in docs/classification.md); once loaded, codes are checked
// against it.

import { InvalidDataError, messageRef, type MessageRef } from "./errors.js";
import { findPersonalNumbers } from "./personnummer.js";
import { unprintableCharacters } from "./printable.js";
import { parseUntrustedJson } from "./untrustedJson.js";

export interface ClassCode {
  code: string;
  name: string;
}

/** A code as written in schemes: digits and letters in groups separated by dots or dashes ("2.6.1", "F-3.1"). */
const CODE = /^[0-9A-Za-zÅÄÖåäö]+(?:[.-][0-9A-Za-zÅÄÖåäö]+){0,9}$/u;
export const MAX_CODE_LENGTH = 32;
export const MAX_NAME_LENGTH = 300;
/** A scheme is a few hundred codes; more than this is not a classification scheme. */
export const MAX_CODES = 20_000;
export const MAX_SCHEME_CHARS = 2_000_000;

export function isClassCode(text: string): boolean {
  return text.length <= MAX_CODE_LENGTH && CODE.test(text);
}

/** A code typed by a user: trimmed, checked for form; null when malformed. */
export function normaliseClassCode(text: string): string | null {
  const v = text.trim();
  return isClassCode(v) ? v : null;
}

/** One problem in a scheme file, with the line (CSV) or the entry (JSON, 1-based) it is on. */
function bad(where: number, reason: MessageRef, json = false): never {
  throw new InvalidDataError(json ? "classification.error.badEntryJson" : "classification.error.badEntry", { where, reason });
}

function checkEntry(code: string, name: string, where: number, today: string, seen: Set<string>, json: boolean): ClassCode {
  const c = code.trim();
  const n = name.trim().replace(/\s+/g, " ");
  if (!isClassCode(c)) bad(where, messageRef("classification.reason.code", { code: c.slice(0, 40) }), json);
  if (!n || n.length > MAX_NAME_LENGTH || unprintableCharacters(n).length) bad(where, messageRef("classification.reason.name", { max: MAX_NAME_LENGTH }), json);
  if (findPersonalNumbers(n, today).length) bad(where, messageRef("classification.reason.pnr"), json);
  if (seen.has(c)) bad(where, messageRef("classification.reason.twice", { code: c }), json);
  seen.add(c);
  return { code: c, name: n };
}

/** Splits one CSV line on `delimiter`, with "…" quoting ("" inside quotes is a quote). */
function splitLine(line: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell.trim() === "") {
      quoted = true;
      cell = "";
    } else if (ch === delimiter) {
      cells.push(cell);
      cell = "";
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

const HEADER_WORDS = new Set(["kod", "code", "klass", "klassificering", "klasskod", "beteckning"]);

/**
 * Reads a scheme: JSON (`{"scheme": "…", "codes": [{"code", "name"}]}` or just the array), or text with one
 * code and its name per line separated by `;`, a tab or `,` (an optional header line, `#` comments, empty lines
 * skipped). Refuses the whole file on the first bad entry, naming its line.
 */
export function parseClassificationScheme(text: string, today: string): { scheme: string | null; codes: ClassCode[] } {
  if (text.length > MAX_SCHEME_CHARS) throw new InvalidDataError("classification.error.tooLarge", { max: MAX_CODES });
  const body = text.replace(/^\uFEFF/, "");
  const seen = new Set<string>();
  const codes: ClassCode[] = [];
  let scheme: string | null = null;
  if (/^\s*[[{]/.test(body)) {
    const parsed = parseUntrustedJson(body, { maxChars: MAX_SCHEME_CHARS, maxDepth: 8 });
    if (!("value" in parsed)) throw new InvalidDataError("classification.error.notJson", {});
    const v = parsed.value as unknown;
    const list = Array.isArray(v) ? v : v && typeof v === "object" ? (v as { codes?: unknown }).codes : undefined;
    if (!Array.isArray(list)) throw new InvalidDataError("classification.error.notJson", {});
    if (!Array.isArray(v)) {
      const s = (v as { scheme?: unknown }).scheme;
      if (typeof s === "string" && s.trim() && s.length <= MAX_NAME_LENGTH && !unprintableCharacters(s).length) scheme = s.trim();
    }
    list.forEach((e, i) => {
      const entry = e as { code?: unknown; name?: unknown } | null;
      if (!entry || typeof entry !== "object" || typeof entry.code !== "string" || typeof entry.name !== "string") bad(i + 1, messageRef("classification.reason.shape"), true);
      codes.push(checkEntry(entry.code, entry.name, i + 1, today, seen, true));
    });
  } else {
    const lines = body.replace(/\r\n?/g, "\n").split("\n");
    let first = true;
    lines.forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith("#")) return;
      const delimiter = line.includes(";") ? ";" : line.includes("\t") ? "\t" : ",";
      const cells = splitLine(line, delimiter);
      if (first && HEADER_WORDS.has(cells[0]!.trim().toLowerCase().replace(/^"|"$/g, ""))) {
        first = false;
        return;
      }
      first = false;
      // A name may itself hold commas when the delimiter is a comma: the rest of the line is the name.
      const name = delimiter === "," ? cells.slice(1).join(",") : (cells[1] ?? "");
      codes.push(checkEntry(cells[0]!, name, i + 1, today, seen, false));
    });
  }
  if (codes.length === 0) throw new InvalidDataError("classification.error.empty", {});
  if (codes.length > MAX_CODES) throw new InvalidDataError("classification.error.tooLarge", { max: MAX_CODES });
  return { scheme, codes };
}
