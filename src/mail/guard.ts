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

function normalise(text: string): string {
  return text.normalize("NFC").replace(/\s+/g, " ").toLocaleLowerCase("sv");
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The patterns a patient's name is recognised by: the whole name, and the family name (the last word) on its
 * own, each as whole words, case-insensitively. A first name alone is not refused: it is too often also a
 * colleague's name ("Hej Sara") to tell apart, and without the family name it does not identify anyone.
 */
export function namePatterns(names: Array<string | null>): RegExp[] {
  const out: RegExp[] = [];
  for (const name of names) {
    if (!name) continue;
    const words = normalise(name).trim().split(" ").filter(Boolean);
    if (words.length === 0) continue;
    const variants = new Set([words.join(" ")]);
    const family = words[words.length - 1]!;
    if (family.length >= 3) variants.add(family);
    for (const v of variants) out.push(new RegExp(`(?<![\\p{L}\\p{N}])${escape(v).replace(/ /g, "\\s+")}(?![\\p{L}\\p{N}])`, "u"));
  }
  return out;
}

/** What personal data a text holds, if any. PDF text may break a number around its hyphen; that is joined first. */
export function findPersonalData(text: string, patterns: RegExp[], today: string): Finding | null {
  const flat = text.replace(/\s+/g, " ");
  const joined = flat.replace(/\s*([-+])\s*/g, "$1");
  if (findPersonalNumbers(flat, today).length || findPersonalNumbers(joined, today).length) return "personnummer";
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
