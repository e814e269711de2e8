// The guard: no personnummer, samordningsnummer or patient name may leave in an e-mail. It runs on the final
// parts of a message (subject, body, each attachment's name and text) before the message is queued; a message
// that fails is refused and never stored.

import { RefusedError } from "../core/errors.js";
import { namePatterns, normaliseForNames } from "../core/personalNames.js";
import { findPersonalNumbers } from "../core/personnummer.js";

export interface MessagePart {
  kind: "subject" | "body" | "attachment";
  /** The attachment's file name. */
  name?: string;
  text: string;
}

export type Finding = "personnummer" | "name";

/** What personal data a text holds, if any. PDF text may break a number around its hyphen: "-\n" is a separator too. */
export function findPersonalData(text: string, patterns: RegExp[], today: string): Finding | null {
  if (findPersonalNumbers(text, today).length) return "personnummer";
  const lower = normaliseForNames(text);
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
